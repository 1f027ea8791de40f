"""What mailed links do: verify an address, change it, reset a password; and asking for them."""

from __future__ import annotations

import logging

from inkwell.auth.repository import SessionRepository
from inkwell.auth.throttle import Throttle
from inkwell.core.clock import utcnow
from inkwell.core.config import Settings
from inkwell.core.security import PasswordHasher
from inkwell.events.catalogue import UserEmailVerified
from inkwell.events.outbox import Outbox
from inkwell.models.user import AccountToken, TokenPurpose, User
from inkwell.users.exceptions import AccountTaken, EmailAlreadyVerified, LinkInvalid
from inkwell.users.mailing import AccountMail
from inkwell.users.passwords import check_password_policy
from inkwell.users.repository import UserRepository
from inkwell.users.service import updated

log = logging.getLogger("inkwell.users")
EMAIL_LINKS = (TokenPurpose.VERIFY_EMAIL, TokenPurpose.CHANGE_EMAIL)


class AccountEmailService:
    def __init__(
        self,
        *,
        users: UserRepository,
        sessions: SessionRepository,
        hasher: PasswordHasher,
        throttle: Throttle,
        settings: Settings,
        events: Outbox,
        mail: AccountMail,
    ) -> None:
        self.users = users
        self.sessions = sessions
        self.hasher = hasher
        self.throttle = throttle
        self.settings = settings
        self.events = events
        self.mail = mail

    async def _owner(self, token: AccountToken) -> User:
        """The live account a redeemed token belongs to; LinkInvalid when it is closed or
        disabled, or (but for a change of address) no longer has the address mailed."""
        user = await self.users.get(token.user_id)
        if user is None or not user.is_active:
            raise LinkInvalid
        if token.purpose != TokenPurpose.CHANGE_EMAIL and user.email != token.email:
            raise LinkInvalid
        return user

    async def verify_email(self, *, token: str) -> None:
        """Follow a verification link: confirm the address, or make a new one the account's."""
        redeemed = await self.mail.redeem(token, EMAIL_LINKS)
        user = await self._owner(redeemed)
        if redeemed.purpose == TokenPurpose.CHANGE_EMAIL:
            await self._replace_email(user, redeemed.email)
        elif user.email_verified_at is not None:
            return  # verified since this link was sent (a password reset link proves it too)
        await self.users.set_fields(user, {"email_verified_at": utcnow()})
        await self.events.record(UserEmailVerified(user_id=user.id, username=user.username))
        log.info("e-mail address verified", extra={"user_id": str(user.id)})

    async def _replace_email(self, user: User, new_email: str) -> None:
        if await self.users.taken_fields(email=new_email, username=None, exclude=user.id):
            raise AccountTaken(["email"])
        old_email = user.email
        await self.users.set_fields(user, {"email": new_email})
        await self.events.record(updated(user, ["email"]))
        await self.mail.send_change_notice(user, old_email)

    async def resend_verification(self, *, user: User) -> None:
        """Mail a new verification link (the older ones stop working)."""
        await self.throttle.check_user(
            "verification mail",
            user_id=user.id,
            limit=self.settings.rate_limit_verification_mail_per_user,
        )
        if user.email_verified_at is not None:
            raise EmailAlreadyVerified("Your e-mail address is verified already.")
        await self.mail.send_verification(user)

    async def request_password_reset(self, *, email: str, ip: str | None) -> None:
        """Queue a reset link for the address (sent if it has an account); the caller is told
        nothing, and the request does the same work either way."""
        limits = self.settings
        await self.throttle.check(
            "password reset", ip=ip, limit=limits.rate_limit_password_reset_per_ip
        )
        await self.throttle.check_account(
            "password reset",
            account=email,
            limit=limits.rate_limit_password_reset_per_address,
            ip=ip,
        )
        await self.mail.queue_password_reset(email)
        log.info("password reset asked", extra={"ip": ip})

    async def reset_password(self, *, token: str, new_password: str, ip: str | None) -> None:
        """Follow a reset link: set the password (same rules as registration) and end every
        session of the account, its access tokens with them."""
        await self.throttle.check(
            "password reset", ip=ip, limit=self.settings.rate_limit_password_reset_per_ip
        )
        user = await self._owner(await self.mail.redeem(token, (TokenPurpose.RESET_PASSWORD,)))
        check_password_policy(
            new_password,
            username=user.username,
            email=user.email,
            field="new_password",
            reject_common=self.settings.password_reject_common,
        )
        values: dict[str, object] = {"password_hash": await self.hasher.hash(new_password)}
        if user.email_verified_at is None:
            values["email_verified_at"] = utcnow()  # the link proved the address is theirs
        await self.users.set_fields(user, values)
        await self.sessions.revoke_all_sessions(user.id)
        await self.users.bump_token_version(user.id)
        await self.events.record(updated(user, ["password"]))
        log.info("password reset", extra={"user_id": str(user.id), "ip": ip})
