"""The password policy beyond length: no common passwords, not the user's own name or e-mail."""

from __future__ import annotations

from functools import lru_cache

from inkwell.users.exceptions import WeakPassword

COMMON_PASSWORDS_CHECKED = 10_000


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships a frequency-ranked list of leaked passwords; the most frequent are refused.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # noqa: PLC0415 (large; loaded once)

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORDS_CHECKED])


def check_password_policy(
    password: str,
    *,
    username: str,
    email: str,
    field: str = "password",
    reject_common: bool = True,
) -> None:
    """Raise WeakPassword when the password is the user's name or e-mail, or (`reject_common`)
    one of the most common passwords."""
    folded = password.casefold()
    if folded in {
        username.casefold(),
        email.casefold(),
        email.split("@", maxsplit=1)[0].casefold(),
    }:
        raise WeakPassword("The password may not be your username or e-mail.", field)
    if reject_common and folded in _common_passwords():
        raise WeakPassword("This password is too common; choose a less predictable one.", field)
