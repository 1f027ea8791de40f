"""Response models of follows."""

from __future__ import annotations

from inkwell.core.schemas import Page
from inkwell.follows.service import UserPage
from inkwell.users.schemas import PublicProfile


class ProfileList(Page[PublicProfile]):
    @classmethod
    def from_page(cls, page: UserPage) -> ProfileList:
        return cls.of(page, [PublicProfile.model_validate(user) for user in page.items])
