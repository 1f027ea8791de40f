"""The ORM models; importing this package registers every table on `Base.metadata`."""

from inkwell.models.base import Base
from inkwell.models.user import RefreshToken, Role, User, UserSession

__all__ = ["Base", "RefreshToken", "Role", "User", "UserSession"]
