"""A router that other paths pass by without trying its routes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope


class PrefixRouter(APIRouter):
    """An APIRouter whose routes are tried only for paths under its prefix (and not under
    one of `excluded` prefixes).

    FastAPI tries the included routes one by one, so a request is matched against the patterns
    of every router included before the one it is for. Include it without another prefix: the
    check reads this router's own.
    """

    def __init__(self, *, prefix: str, excluded: tuple[str, ...] = (), **options: Any) -> None:
        super().__init__(prefix=prefix, **options)
        self.excluded = tuple(f"{path}/" for path in excluded)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = get_route_path(scope)
        if path != self.prefix and not path.startswith(self.prefix + "/"):
            return Match.NONE, {}
        if path.startswith(self.excluded):
            return Match.NONE, {}
        return super().matches(scope)
