"""Request plumbing every domain shares: the application's state and the paging parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from inkwell.core.state import AppState


async def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.inkwell
    return state


StateDep = Annotated[AppState, Depends(app_state)]
# Numbered pages of a list: which page, and how many items a page holds.
Page = Annotated[int, Query(ge=1, le=10_000)]
PageSize = Annotated[int, Query(ge=1, le=100)]
