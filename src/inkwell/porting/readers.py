"""The formats an import reads, by the name the CLI and the admin endpoint use."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from inkwell.porting import model
from inkwell.porting.archive import read_archive
from inkwell.porting.ghost import read_ghost
from inkwell.porting.wordpress import read_wordpress

Reader = Callable[[Path], Iterator[model.Item]]

READERS: dict[str, Reader] = {
    "wordpress": read_wordpress,
    "ghost": read_ghost,
    "inkwell": read_archive,
}
