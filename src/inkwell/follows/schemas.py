"""Response models of follows."""

from __future__ import annotations

from inkwell.core.schemas import OutputModel
from inkwell.follows.service import UserPage
from inkwell.users.schemas import PublicProfile


class ProfileList(OutputModel):
    items: list[PublicProfile]
    total: int
    page: int
    page_size: int

    @classmethod
    def from_page(cls, page: UserPage) -> ProfileList:
        return cls(
            items=[PublicProfile.model_validate(user) for user in page.items],
            total=page.total,
            page=page.page,
            page_size=page.page_size,
        )
