"""Accounts, their login sessions and the refresh tokens that renew them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, LargeBinary, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from inkwell.core.security import SessionKind
from inkwell.models.base import Base, SoftDelete, Timestamps, UUIDKey


class Role(enum.StrEnum):
    """Who may do what (docs/editorial.md); posts.policy reads them."""

    CONTRIBUTOR = "contributor"  # writes drafts and submits them for review
    AUTHOR = "author"  # publishes their own posts
    MODERATOR = "moderator"  # an author who also sees every post and moderates comments
    EDITOR = "editor"  # edits, reviews and publishes anyone's posts, moderates comments
    ADMIN = "admin"


class User(UUIDKey, Timestamps, SoftDelete, Base):
    __tablename__ = "users"
    __table_args__ = (
        Index("uq_users_email", "email", unique=True),
        Index("uq_users_username_lower", func.lower(text("username")), unique=True),
    )

    email: Mapped[str] = mapped_column(String(320))
    username: Mapped[str] = mapped_column(String(30))
    display_name: Mapped[str | None] = mapped_column(String(100))
    bio: Mapped[str | None] = mapped_column(Text)
    avatar_url: Mapped[str | None] = mapped_column(String(2048))
    # An upload shown as the avatar; `avatar_url` then holds its URL, so reads need no join.
    avatar_media_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("media.id", ondelete="SET NULL", use_alter=True), index=True, default=None
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="user_role", values_callable=lambda e: [m.value for m in e]),
        default=Role.AUTHOR,
        server_default=Role.AUTHOR.value,
    )
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    # Bumped on password change, disable, delete and role change: older access tokens stop working.
    token_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    # When the owner last proved the address is theirs (a link mailed to it); None: not yet.
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)


class UserSession(UUIDKey, Base):
    """One login: the family of refresh tokens that descend from it (`api`), or the one
    long-lived token of a RealWorld client (`realworld`, no refresh tokens)."""

    __tablename__ = "user_sessions"
    __table_args__ = (
        Index(
            "ix_user_sessions_user_id_active",
            "user_id",
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[SessionKind] = mapped_column(
        Enum(SessionKind, name="session_kind", values_callable=lambda e: [m.value for m in e]),
        default=SessionKind.API,
        server_default=SessionKind.API.value,
    )
    user_agent: Mapped[str | None] = mapped_column(String(512))
    ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    last_used_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class RefreshToken(UUIDKey, Base):
    """A refresh token, stored only as its SHA-256; `revoked_at` is set once it is used."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_sessions.id", ondelete="CASCADE"), index=True
    )
    user_agent: Mapped[str | None] = mapped_column(String(512))
    ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class TokenPurpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    CHANGE_EMAIL = "change_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 (a purpose, not a password)


class AccountToken(UUIDKey, Base):
    """A single-use link token mailed to `email`, stored only as its SHA-256."""

    __tablename__ = "account_tokens"
    __table_args__ = (
        Index(
            "ix_account_tokens_user_id_unused",
            "user_id",
            "purpose",
            postgresql_where=text("used_at IS NULL"),
        ),
    )

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))
    # The address the link was sent to: the one to verify, or the new one of a change.
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
