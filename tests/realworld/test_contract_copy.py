"""The contract and the test suite kept with the tests are the shared ones, so a lone clone
tests the same thing."""

from __future__ import annotations

from pathlib import Path

from tests.realworld.contract import KEPT_CONTRACT, REPO_ROOT, SHARED_CONTRACT

KEPT_SUITE = Path(__file__).with_name("hurl")
SHARED_SUITE = (REPO_ROOT / "../shared/realworld/hurl").resolve()
# Files of the kept suite that are not in the shared folder: its licence and what it is.
OWN_FILES = {"LICENSE", "README.md"}


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def test_the_kept_contract_is_the_shared_one() -> None:
    assert KEPT_CONTRACT.is_file()
    if SHARED_CONTRACT.is_file():  # beside the repository, as in CI
        assert KEPT_CONTRACT.read_bytes() == SHARED_CONTRACT.read_bytes()


def test_the_kept_suite_is_the_shared_one() -> None:
    kept = _files(KEPT_SUITE)
    assert kept["LICENSE"] == KEPT_CONTRACT.with_name("LICENSE").read_bytes()
    suite = {name: data for name, data in kept.items() if name not in OWN_FILES}
    assert len([name for name in suite if name.endswith(".hurl")]) == 13
    if SHARED_SUITE.is_dir():  # beside the repository, as in CI
        assert suite == _files(SHARED_SUITE)
