"""The import benchmark on a tiny scale: the generated WXR is one the importer reads in
full, and a second run skips every post."""

from __future__ import annotations

import io
from pathlib import Path

from bench.imports import markdown, measure, write_wxr
from inkwell.porting import model
from inkwell.porting.wordpress import read_wordpress


def test_the_generated_file_is_a_wxr_of_the_size_asked(tmp_path: Path) -> None:
    out = io.StringIO()
    write_wxr(out, posts=3, comments=4)
    path = tmp_path / "bench.xml"
    path.write_text(out.getvalue())

    posts = [item for item in read_wordpress(path) if isinstance(item, model.Post)]

    assert len(posts) == 3
    assert [len(p.comments) for p in posts] == [4, 4, 4]
    assert [c.parent_key is None for c in posts[0].comments] == [True, False, False, True]
    assert len(posts[0].tags) == 1  # n=0: the three tags are the same one


def test_the_benchmark_runs_end_to_end_on_a_tiny_scale(empty_database: str, tmp_path: Path) -> None:
    report = measure(empty_database, posts=20, comments=3, scratch=tmp_path)

    assert (report["posts"], report["comments"], report["authors"]) == (20, 60, 20)
    assert report["rerun_skipped"] == 20
    assert report["rss_peak_mib"] >= report["rss_before_mib"] > 0
    assert "| 20 | 60 |" in markdown(report)
