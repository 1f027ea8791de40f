"""Response models of blocks and mutes."""

from __future__ import annotations

from inkwell.blocks.service import BlockedPage
from inkwell.core.schemas import Page
from inkwell.users.schemas import PublicProfile


class BlockedList(Page[PublicProfile]):
    @classmethod
    def from_page(cls, page: BlockedPage) -> BlockedList:
        return cls.of(page, [PublicProfile.model_validate(user) for user in page.items])
