"""The mail of accounts: single-use link tokens (stored as hashes) and the messages that
carry them, deferred in the transaction of the change that asks for them."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.clock import utcnow
from inkwell.core.config import Settings
from inkwell.core.queue import SEND_PASSWORD_RESET, JobQueue
from inkwell.core.security import hash_refresh_token, new_refresh_token
from inkwell.mail.message import render
from inkwell.mail.service import MailQueue
from inkwell.models.user import AccountToken, TokenPurpose, User
from inkwell.users.exceptions import LinkExpired, LinkInvalid, LinkUsed
from inkwell.users.repository import AccountTokenRepository, UserRepository

log = logging.getLogger("inkwell.users")

# Front-end pages the links open. The token travels in the fragment: browsers send no
# fragment to any server, so it stays out of access logs and Referer headers.
VERIFY_PAGE = "/verify-email"
RESET_PAGE = "/reset-password"


class AccountMail:
    def __init__(
        self,
        *,
        tokens: AccountTokenRepository,
        mail: MailQueue,
        jobs: JobQueue,
        settings: Settings,
    ) -> None:
        self.tokens = tokens
        self.mail = mail
        self.jobs = jobs
        self.settings = settings

    @classmethod
    def over(cls, session: AsyncSession, settings: Settings) -> AccountMail:
        """The account mail of a session: its tokens and messages join its transaction."""
        return cls(
            tokens=AccountTokenRepository(session),
            mail=MailQueue(session, settings),
            jobs=JobQueue(session),
            settings=settings,
        )

    def _page(self, page: str, token: str | None = None) -> str:
        link = self.settings.link_base + page
        return f"{link}#token={token}" if token else link

    async def _issue(self, user: User, purpose: TokenPurpose, email: str, ttl: timedelta) -> str:
        """A new token for `purpose`; the user's older unused ones of it stop working."""
        now = utcnow()
        await self.tokens.retire_unused(user.id, purpose, now)
        token = new_refresh_token()
        await self.tokens.add(
            AccountToken(
                token_hash=hash_refresh_token(token),
                user_id=user.id,
                purpose=purpose,
                email=email,
                expires_at=now + ttl,
            )
        )
        return token

    async def send_verification(self, user: User) -> None:
        """Mail a link that confirms the account's current address."""
        hours = self.settings.email_verification_ttl_hours
        token = await self._issue(
            user, TokenPurpose.VERIFY_EMAIL, user.email, timedelta(hours=hours)
        )
        await self._send(
            "verify_email",
            user.email,
            "Confirm your e-mail address",
            username=user.username,
            link=self._page(VERIFY_PAGE, token),
            hours=hours,
        )

    async def send_change_confirmation(self, user: User, new_email: str) -> None:
        """Mail the new address a link that makes it the account's address."""
        hours = self.settings.email_verification_ttl_hours
        token = await self._issue(
            user, TokenPurpose.CHANGE_EMAIL, new_email, timedelta(hours=hours)
        )
        await self._send(
            "confirm_email_change",
            new_email,
            "Confirm your new e-mail address",
            username=user.username,
            link=self._page(VERIFY_PAGE, token),
            hours=hours,
        )

    async def send_change_notice(self, user: User, old_email: str) -> None:
        """Tell the old address that the account's address changed."""
        await self._send(
            "email_changed",
            old_email,
            "Your e-mail address was changed",
            username=user.username,
            new_email=user.email,
            reset_page=self._page(RESET_PAGE),
        )

    async def send_password_reset(self, user: User) -> None:
        """Mail a link that sets a new password."""
        minutes = self.settings.password_reset_ttl_minutes
        ttl = timedelta(minutes=minutes)
        token = await self._issue(user, TokenPurpose.RESET_PASSWORD, user.email, ttl)
        await self._send(
            "reset_password",
            user.email,
            "Reset your password",
            username=user.username,
            link=self._page(RESET_PAGE, token),
            minutes=minutes,
        )

    async def queue_password_reset(self, email: str) -> None:
        """Leave the lookup of the address to a job: a request for a known address and one for
        an unknown address do the same work (one statement), so their times tell nothing."""
        await self.jobs.defer(SEND_PASSWORD_RESET, at=utcnow(), email=email)

    async def send_account_exists(self, user: User) -> None:
        """Tell an account's owner that someone tried to register with its address."""
        await self._send(
            "account_exists",
            user.email,
            "Someone tried to register with your address",
            username=user.username,
            reset_page=self._page(RESET_PAGE),
        )

    async def _send(self, template: str, to: str, subject: str, **context: object) -> None:
        await self.mail.defer(render(f"account/{template}", to=to, subject=subject, **context))
        log.info("account mail queued", extra={"template": template})

    async def redeem(self, token: str, purposes: Collection[TokenPurpose]) -> AccountToken:
        """Use a token once: else LinkInvalid (unknown, altered), LinkUsed or LinkExpired."""
        found = await self.tokens.get_for_update(hash_refresh_token(token))
        if found is None or found.purpose not in purposes:
            raise LinkInvalid
        now = utcnow()
        if found.used_at is not None:
            raise LinkUsed
        if found.expires_at <= now:
            raise LinkExpired
        await self.tokens.mark_used(found, now)
        return found


async def mail_password_reset(session: AsyncSession, settings: Settings, *, email: str) -> bool:
    """The job's half of a reset request: mail a link when the address has a live, active
    account; False when it has none."""
    user = await UserRepository(session).get_by_email(email)
    if user is None or not user.is_active:
        return False
    await AccountMail.over(session, settings).send_password_reset(user)
    return True
