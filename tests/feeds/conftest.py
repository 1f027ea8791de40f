"""Signed-in accounts and the SQL statement counter, shared with the posts tests."""

from tests.posts.conftest import (  # noqa: F401 - fixtures
    Account,
    StatementCounter,
    account,
    admin,
    alice,
    bob,
    moderator,
    sql_statements,
)
