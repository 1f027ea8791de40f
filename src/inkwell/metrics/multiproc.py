"""Prometheus's multiprocess mode for `inkwell serve --workers N`."""

from __future__ import annotations

import os
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_dir(workers: int, data_dir: Path) -> Path | None:
    """Point the workers at one empty directory for their metric files, before they start.

    PROMETHEUS_MULTIPROC_DIR when set (emptied), else `<data_dir>/prometheus` when there is
    more than one worker; one worker without the variable keeps its metrics in memory. The
    files of a previous run are removed: a restart resets counters, which Prometheus expects.
    """
    named = os.environ.get(MULTIPROC_ENV)
    if not named and workers <= 1:
        return None
    directory = Path(named) if named else data_dir / "prometheus"
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.db"):
        old.unlink()
    os.environ[MULTIPROC_ENV] = str(directory.resolve())
    return directory
