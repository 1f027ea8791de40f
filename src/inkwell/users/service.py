"""Account rules: registration, self-service changes, deactivation and administration."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from inkwell.auth.exceptions import SignInRequired
from inkwell.auth.repository import SessionRepository
from inkwell.auth.throttle import Throttle
from inkwell.core.config import Settings
from inkwell.core.security import PasswordHasher
from inkwell.events.catalogue import UserDeleted, UserRegistered, UserUpdated
from inkwell.events.outbox import Outbox
from inkwell.media.repository import MediaRepository
from inkwell.media.service import avatar_url_of
from inkwell.models.user import Role, User
from inkwell.users.exceptions import AccountTaken, CannotChangeSelf, UserNotFound, WrongPassword
from inkwell.users.mailing import AccountMail
from inkwell.users.passwords import check_password_policy
from inkwell.users.repository import ProfileRecord, UserRepository
from inkwell.users.schemas import AdminUserUpdate, PasswordChange, ProfileUpdate, RegisterRequest

log = logging.getLogger("inkwell.users")
# Settings forms send "" (or spaces) for a field left empty: no bio, no image.
EMPTY_MEANS_NONE = frozenset({"bio", "avatar_url"})


def _empty_as_none(values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: None if name in EMPTY_MEANS_NONE and not (value or "").strip() else value
        for name, value in values.items()
    }


def registered(user: User) -> UserRegistered:
    """The event of a new account (its public fields: no e-mail address)."""
    return UserRegistered(
        user_id=user.id, username=user.username, display_name=user.display_name, role=user.role
    )


def updated(user: User, changed: list[str]) -> UserUpdated:
    """The event of a change to an account, naming the fields that changed (never values)."""
    return UserUpdated(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        active=user.is_active,
        changed=changed,
    )


@dataclass(frozen=True, slots=True)
class SignUp:
    """The outcome of an /api/v1 registration: the new account, or None when mail is delivered
    (then every registration answers alike, the address's owner learns the rest by mail)."""

    user: User | None


class UserService:
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
        self.media = MediaRepository(users.session)

    async def register(self, *, data: RegisterRequest, ip: str | None) -> User:
        """Create an account and mail its address a verification link; e-mail and username
        must be free (AccountTaken names the taken ones)."""
        await self._check_registration(data, ip)
        taken = await self.users.taken_fields(email=data.email, username=data.username)
        if taken:
            raise AccountTaken(taken)
        return await self._create(data, ip)

    async def sign_up(self, *, data: RegisterRequest, ip: str | None) -> SignUp:
        """Register without telling who has an account, when mail reaches people: a taken
        address gets a message instead of an account, and the caller the same answer."""
        if not self.settings.delivers_mail:
            return SignUp(await self.register(data=data, ip=ip))
        await self._check_registration(data, ip)
        owner = await self.users.get_by_email(data.email)
        if owner is not None or await self.users.taken_fields(email=data.email, username=None):
            await self.hasher.hash(data.password)  # the same work as a registration
            if owner is not None:  # a closed account's address gets nothing
                await self.mail.send_account_exists(owner)
            log.info("registration with a taken address", extra={"ip": ip})
            return SignUp(None)
        if await self.users.taken_fields(email=None, username=data.username):
            raise AccountTaken(["username"])  # usernames are public: this tells nothing new
        await self._create(data, ip)
        return SignUp(None)

    async def _check_registration(self, data: RegisterRequest, ip: str | None) -> None:
        await self.throttle.check("register", ip=ip, limit=self.settings.rate_limit_register_per_ip)
        self._check_password(data.password, username=data.username, email=data.email)

    async def _create(self, data: RegisterRequest, ip: str | None) -> User:
        user = User(
            email=data.email,
            username=data.username,
            display_name=data.display_name,
            role=Role(self.settings.default_role),
            password_hash=await self.hasher.hash(data.password),
        )
        await self._add(user)
        await self.mail.send_verification(user)
        log.info("account registered", extra={"user_id": str(user.id), "ip": ip})
        return user

    async def create_or_promote_admin(self, *, email: str, username: str, password: str) -> User:
        """Make an admin account, or promote the account that has this e-mail."""
        user = await self.users.get_by_login(email)
        if user is None:
            self._check_password(password, username=username, email=email)
            user = User(
                email=email,
                username=username,
                role=Role.ADMIN,
                password_hash=await self.hasher.hash(password),
            )
            return await self._add(user)
        await self._set_fields(user, {"role": Role.ADMIN, "is_active": True})
        await self.users.bump_token_version(user.id)
        return user

    async def profile(self, *, username: str, viewer: User | None) -> ProfileRecord:
        """A live, active account with its follow counts and whether the viewer follows it."""
        found = await self.users.get_profile(username, viewer.id if viewer else None)
        if found is None:
            raise UserNotFound
        return found

    async def update_profile(
        self, *, user: User, changes: ProfileUpdate, by_api_key: bool = False
    ) -> User:
        """Change only the fields the caller sent; an empty bio or image means none. A new
        e-mail address takes effect once confirmed through the link mailed to it, and only a
        sign-in may ask for one (an address is how an account is recovered)."""
        if by_api_key and "email" in changes.model_fields_set:
            raise SignInRequired("Changing the e-mail address needs a sign-in, not an API key.")
        values = await self._with_avatar(user, changes)
        new_email = values.pop("email", None)
        await self._check_free(values, user)
        changed = await self.users.set_fields(user, values)
        if new_email is not None and new_email != user.email:
            await self._ask_to_confirm(user, new_email)
        await self._record_update(user, changed)
        return user

    async def _ask_to_confirm(self, user: User, new_email: str) -> None:
        """Mail the link that makes `new_email` the address; when mail reaches people, a
        taken address gets nothing and the answer is the same (no enumeration)."""
        if not await self.users.taken_fields(email=new_email, username=None, exclude=user.id):
            await self.mail.send_change_confirmation(user, new_email)
        elif not self.settings.delivers_mail:
            raise AccountTaken(["email"])

    async def _apply_profile(self, user: User, changes: ProfileUpdate) -> list[str]:
        """Change the fields at once, the address too (for the RealWorld contract): a new
        address is unverified until its link is followed, and the old one gets a notice."""
        values = await self._with_avatar(user, changes)
        await self._check_free(values, user)
        old_email = user.email
        changed = await self.users.set_fields(user, values)
        if "email" in changed:
            await self.users.set_fields(user, {"email_verified_at": None})
            await self.mail.send_verification(user)
            await self.mail.send_change_notice(user, old_email)
        return changed

    async def _with_avatar(self, user: User, changes: ProfileUpdate) -> dict[str, Any]:
        """The fields to set: an avatar upload sets the avatar's URL to its own; an avatar
        URL sent on its own ends the use of an upload."""
        values = _empty_as_none(changes.model_dump(exclude_unset=True, mode="json"))
        if "avatar_media_id" not in values:
            return {**values, "avatar_media_id": None} if "avatar_url" in values else values
        media_id = changes.avatar_media_id
        url = None
        if media_id is not None:
            url = await avatar_url_of(self.media, self.settings, user=user, media_id=media_id)
        return {**values, "avatar_media_id": media_id, "avatar_url": url}

    async def _check_free(self, values: dict[str, Any], user: User) -> None:
        taken = await self.users.taken_fields(
            email=values.get("email"), username=values.get("username"), exclude=user.id
        )
        if taken:
            raise AccountTaken(taken)

    async def change_password(
        self, *, user: User, data: PasswordChange, current_session: uuid.UUID | None
    ) -> None:
        """Set a new password; every other session ends and older access tokens stop working."""
        valid, _ = await self.hasher.verify(data.current_password, user.password_hash)
        if not valid:
            raise WrongPassword
        await self._set_password(user, data.new_password, current_session, field="new_password")
        await self._record_update(user, ["password"])

    async def update_account(
        self,
        *,
        user: User,
        changes: ProfileUpdate,
        new_password: str | None,
        current_session: uuid.UUID | None,
    ) -> User:
        """Change profile fields and, when given, the password without the current one.

        For transports whose contract has no current-password field (the RealWorld API): the
        password policy still applies and every other session ends, as with change_password.
        """
        changed = await self._apply_profile(user, changes)
        if new_password is not None:
            await self._set_password(user, new_password, current_session, field="password")
            changed.append("password")
        await self._record_update(user, changed)
        return user

    async def _set_password(
        self, user: User, password: str, current_session: uuid.UUID | None, *, field: str
    ) -> None:
        self._check_password(password, username=user.username, email=user.email, field=field)
        await self.users.set_fields(user, {"password_hash": await self.hasher.hash(password)})
        # Ending the other sessions also ends their access tokens (each token names its session).
        await self.sessions.revoke_all_sessions(user.id, keep=current_session)
        log.info("password changed", extra={"user_id": str(user.id)})

    def _check_password(
        self, password: str, *, username: str, email: str, field: str = "password"
    ) -> None:
        check_password_policy(
            password,
            username=username,
            email=email,
            field=field,
            reject_common=self.settings.password_reject_common,
        )

    async def deactivate(self, *, user: User) -> None:
        """Close one's own account: it can no longer sign in and its tokens stop working."""
        await self.users.set_fields(user, {"is_active": False, "deleted_at": datetime.now(UTC)})
        await self.sessions.revoke_all_sessions(user.id)
        await self.users.bump_token_version(user.id)
        await self.events.record(UserDeleted(user_id=user.id, username=user.username))
        log.info("account deactivated", extra={"user_id": str(user.id)})

    async def admin_update(
        self, *, admin: User, user_id: uuid.UUID, changes: AdminUserUpdate
    ) -> User:
        """Set another account's role or disable it; its tokens are invalidated."""
        if user_id == admin.id:
            raise CannotChangeSelf
        user = await self.users.get(user_id)
        if user is None:
            raise UserNotFound
        values = changes.model_dump(exclude_unset=True, exclude_none=True)
        await self._set_fields(user, values)
        if values:
            await self.users.bump_token_version(user.id)
        if values.get("is_active") is False:
            await self.sessions.revoke_all_sessions(user.id)
        log.info(
            "account changed by admin",
            extra={"user_id": str(user.id), "admin_id": str(admin.id), "changes": sorted(values)},
        )
        return user

    async def _add(self, user: User) -> User:
        await self.users.add(user)
        await self.events.record(registered(user))
        return user

    async def _set_fields(self, user: User, values: dict[str, Any]) -> None:
        await self._record_update(user, await self.users.set_fields(user, values))

    async def _record_update(self, user: User, changed: list[str]) -> None:
        """Record user.updated naming the changed fields; nothing when none changed."""
        if changed:
            await self.events.record(updated(user, changed))
