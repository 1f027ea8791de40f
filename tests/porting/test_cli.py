"""`inkwell import wordpress|ghost|inkwell FILE` and `inkwell export site|user`."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inkwell import cli
from inkwell.core import migrations
from inkwell.core.config import get_settings
from tests.porting.files import sample_site, write_ghost, write_wxr

runner = CliRunner()


@pytest.fixture(autouse=True)
def _restore_logging(keep_logging: None) -> None:
    """The CLI installs its own log handler on a stream the runner closes."""


@pytest.fixture
def cli_env(empty_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    migrations.upgrade(empty_database)
    monkeypatch.setenv("INKWELL_DATABASE_URL", empty_database)
    monkeypatch.setenv("INKWELL_ENV", "test")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_import_then_export_then_import_again(cli_env: None, tmp_path: Path) -> None:
    wxr = write_wxr(tmp_path / "site.xml", sample_site())

    imported = runner.invoke(cli.app, ["import", "wordpress", str(wxr)])
    assert imported.exit_code == 0, imported.output
    assert "posts created 6" in imported.output
    ghost = runner.invoke(cli.app, ["import", "ghost", str(write_ghost(tmp_path / "g.json"))])
    assert "posts created 2" in ghost.output

    out = tmp_path / "site.zip"
    exported = runner.invoke(cli.app, ["export", "site", str(out)])
    assert exported.exit_code == 0, exported.output
    with zipfile.ZipFile(out) as archive:
        assert "posts/hello-world.md" in archive.namelist()
    again = runner.invoke(cli.app, ["import", "inkwell", str(out)])
    assert again.exit_code == 0, again.output
    assert (
        "posts created 0, posts skipped 8, comments created 0, relations created 0" in again.output
    )  # this site's own posts
    user = runner.invoke(cli.app, ["export", "user", "alice", str(tmp_path / "alice.zip")])
    assert user.exit_code == 0, user.output
    missing = runner.invoke(cli.app, ["export", "user", "nobody", str(tmp_path / "n.zip")])
    assert missing.exit_code != 0


def test_a_broken_file_is_refused_with_its_reason(cli_env: None, tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text("<rss><channel>")

    result = runner.invoke(cli.app, ["import", "wordpress", str(path)])

    assert result.exit_code == 2
    assert "not well-formed XML" in result.output
