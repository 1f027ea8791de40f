"""What changed between two versions of a post: the title and summary before and after, the
content as a unified diff of lines or as a word diff, and the metadata keys that differ.

Python's difflib does the matching. A word diff matches lines first and then the words of the
lines that changed only, so a long post with a small edit costs what the edit costs, not the
square of the post's words.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from inkwell.posts.records import VersionRecord

_TOKENS = re.compile(r"\s+|[^\s]+")
# The most words (and runs of space) of one changed block that are matched word by word.
MAX_WORD_TOKENS = 4_000
# A changed line that keeps at least this share of its words is shown word by word.
EDITED_IN_PLACE = 0.5


class DiffFormat(StrEnum):
    UNIFIED = "unified"
    WORDS = "words"


@dataclass(frozen=True)
class Segment:
    """A run of the content: unchanged (`equal`), only in the newer version (`insert`) or
    only in the older one (`delete`)."""

    op: str
    text: str


@dataclass(frozen=True)
class MetadataChange:
    key: str
    before: Any
    after: Any


@dataclass(frozen=True)
class VersionDiff:
    before: VersionRecord
    after: VersionRecord
    format: DiffFormat
    unified: str | None
    words: list[Segment] | None
    metadata: list[MetadataChange]


def unified(before: str, after: str, *, context: int, labels: tuple[str, str]) -> str:
    """A unified diff of the lines, as `diff -u` prints it ("" when nothing changed)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=labels[0],
        tofile=labels[1],
        n=context,
    )
    return "".join(
        line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines
    )


def words(before: str, after: str) -> list[Segment]:
    """The content as runs of equal, deleted and inserted text; joining the equal and deleted
    runs gives `before`, the equal and inserted ones `after`."""
    segments: list[Segment] = []
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if op == "equal":
            _add(segments, "equal", old)
        elif op == "replace" and i2 - i1 == j2 - j1:
            _edited_lines(segments, old_lines[i1:i2], new_lines[j1:j2])
        elif op == "replace":
            _word_runs(segments, old, new)
        else:
            _add(segments, "delete", old)
            _add(segments, "insert", new)
    return segments


def _edited_lines(segments: list[Segment], old_lines: list[str], new_lines: list[str]) -> None:
    """As many lines replaced as replacing them: a line edited in place (at least half its
    words kept) gets its words matched; runs of rewritten lines show as replaced whole."""
    rewritten_old, rewritten_new = "", ""
    for old_line, new_line in zip(old_lines, new_lines, strict=True):
        kept = difflib.SequenceMatcher(None, old_line.split(), new_line.split()).ratio()
        if kept < EDITED_IN_PLACE:
            rewritten_old, rewritten_new = rewritten_old + old_line, rewritten_new + new_line
            continue
        _add(segments, "delete", rewritten_old)
        _add(segments, "insert", rewritten_new)
        rewritten_old = rewritten_new = ""
        _word_runs(segments, old_line, new_line)
    _add(segments, "delete", rewritten_old)
    _add(segments, "insert", rewritten_new)


def _word_runs(segments: list[Segment], before: str, after: str) -> None:
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    if max(len(old), len(new)) > MAX_WORD_TOKENS:
        # Matching words costs up to their product: a block this large is shown replaced.
        _add(segments, "delete", before)
        _add(segments, "insert", after)
        return
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _add(segments, "equal", "".join(old[i1:i2]))
        else:
            _add(segments, "delete", "".join(old[i1:i2]))
            _add(segments, "insert", "".join(new[j1:j2]))


def _add(segments: list[Segment], op: str, text: str) -> None:
    """Append a run, joined to the last one when it is of the same kind."""
    if not text:
        return
    if segments and segments[-1].op == op:
        segments[-1] = Segment(op, segments[-1].text + text)
    else:
        segments.append(Segment(op, text))


def metadata_changes(before: dict[str, Any], after: dict[str, Any]) -> list[MetadataChange]:
    """The keys added, removed or changed, in key order (None stands for absent)."""
    keys = sorted(set(before) | set(after))
    return [
        MetadataChange(key, before.get(key), after.get(key))
        for key in keys
        if key not in before or key not in after or before[key] != after[key]
    ]


def diff(before: VersionRecord, after: VersionRecord, fmt: DiffFormat, context: int) -> VersionDiff:
    old, new = before.version, after.version
    labels = (f"version {old.version}", f"version {new.version}")
    return VersionDiff(
        before=before,
        after=after,
        format=fmt,
        unified=(
            unified(old.content_raw, new.content_raw, context=context, labels=labels)
            if fmt is DiffFormat.UNIFIED
            else None
        ),
        words=words(old.content_raw, new.content_raw) if fmt is DiffFormat.WORDS else None,
        metadata=metadata_changes(old.meta, new.meta),
    )
