"""The import rules `make lint` checks (pyproject.toml, [tool.importlinter]) hold, and they
fail when an import breaks them; no module in src imports a private module."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "inkwell"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(source_root: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's contracts over the package found under source_root."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(source_root)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_contracts_hold(tmp_path: Path) -> None:
    result = lint_imports(ROOT / "src", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("posts/service.py", "import fastapi", "know nothing of HTTP"),
        ("models/post.py", "import starlette", "know nothing of HTTP"),
        ("feeds/service.py", "from inkwell.posts import router", "Only the app imports a router"),
        ("auth/throttle.py", "from inkwell.users import schemas", "Packages form layers"),
        ("posts/repository.py", "from inkwell.posts import service", "Inside a domain"),
        ("health/router.py", "from inkwell.auth import dependencies", "Health checks"),
    ],
)
def test_a_breaking_import_fails_the_check(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    copy = tmp_path / "src" / "inkwell"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / module).open("a") as source:
        source.write(f"\n{line}  # noqa\n")
    result = lint_imports(tmp_path / "src", tmp_path)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout


def _private(name: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in name.split("."))


def _private_imports(path: Path) -> list[str]:
    """The private modules or names the module imports (`starlette._utils`)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found += [name for name in names if _private(name)]
    return found


def test_no_module_imports_a_private_module() -> None:
    offenders = {
        str(path.relative_to(ROOT)): imports
        for path in PACKAGE.rglob("*.py")
        if (imports := _private_imports(path))
    }
    assert offenders == {}
