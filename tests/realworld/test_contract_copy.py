"""The contract kept with the tests is the shared one, so a lone clone tests the same thing."""

from __future__ import annotations

from tests.realworld.contract import KEPT_CONTRACT, SHARED_CONTRACT


def test_the_kept_contract_is_the_shared_one() -> None:
    assert KEPT_CONTRACT.is_file()
    if SHARED_CONTRACT.is_file():  # beside the repository, as in CI
        assert KEPT_CONTRACT.read_bytes() == SHARED_CONTRACT.read_bytes()
