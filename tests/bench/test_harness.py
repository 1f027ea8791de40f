"""The harness's arithmetic: wrk's output, errors that invalidate a run, medians and ratios;
the paths files and the generator's determinism."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from bench import revalidation
from bench.generate import MAX_REPLY_DEPTH, Writer, comment_rows
from bench.loadgen import parse_wrk
from bench.profile import library
from bench.run import request_lines
from bench.servers import cpu_delta
from bench.stats import Round, ratio, summarise, table_rows

WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:8100
  1 threads and 16 connections
BENCH_JSON {"requests": 3000, "duration_us": 3000000, "statuses": {"200": 2990, "503": 10}, \
"retry_after": 10, "errors": {"connect": 0, "read": 1, "write": 0, "status": 10, "timeout": 2}, \
"latency_us": {"p50": 5000, "p90": 9000, "p99": 20000, "max": 45000, "mean": 5500.0}}
"""


def test_parse_wrk_reads_counts_and_latencies() -> None:
    result = parse_wrk(WRK_OUTPUT)
    assert result.rps == 1000
    assert result.statuses == {200: 2990, 503: 10}
    assert result.non_2xx == 10
    assert result.errors == 13  # 10 non-2xx answers, one read error, two timeouts
    assert (result.p50_ms, result.p99_ms, result.max_ms) == (5.0, 20.0, 45.0)
    assert result.retry_after == 10


def test_parse_wrk_without_the_script_line_is_an_error() -> None:
    with pytest.raises(ValueError, match="BENCH_JSON"):
        parse_wrk("Running 3s test\n")


def _round(target: str, rps: float, errors: int = 0, p99: float = 10.0) -> Round:
    return Round(
        target=target,
        rps=rps,
        requests=int(rps * 10),
        errors=errors,
        p50_ms=p99 / 2,
        p99_ms=p99,
        app_cpu_s=rps * 10 * 0.002,
        db_cpu_s=rps * 10 * 0.001,
    )


def test_summary_takes_medians_and_cpu_per_request() -> None:
    summary = summarise([_round("inkwell", r, p99=p) for r, p in ((100, 30), (300, 10), (200, 20))])
    assert (summary.rps_median, summary.rps_min, summary.rps_max) == (200, 100, 300)
    assert (summary.p99_ms, summary.p99_worst_ms) == (20, 30)
    assert summary.app_cpu_ms_per_req == pytest.approx(2.0)
    assert summary.db_cpu_ms_per_req == pytest.approx(1.0)
    assert summary.valid


def test_ratio_and_a_non_2xx_invalidates_the_comparison() -> None:
    inkwell = summarise([_round("inkwell", 600)] * 3)
    baseline = summarise([_round("baseline", 1000)] * 3)
    assert ratio(inkwell, baseline) == pytest.approx(0.6)
    assert "0.60x" in table_rows("post", inkwell, baseline)[0]
    broken = summarise([_round("inkwell", 600, errors=1)] * 3)
    assert "invalid" in table_rows("post", broken, baseline)[0]


def test_round_reads_back_from_json_without_optional_fields() -> None:
    data = {
        "target": "baseline",
        "rps": 1.0,
        "requests": 1,
        "errors": 0,
        "p50_ms": 1.0,
        "p99_ms": 1.0,
        "app_cpu_s": 0.0,
        "db_cpu_s": 0.0,
    }
    assert Round.from_dict(data).statuses is None


def test_cpu_delta_counts_new_processes_from_zero() -> None:
    assert cpu_delta({1: 1.0, 2: 5.0}, {1: 1.5, 2: 5.0, 3: 0.25}) == pytest.approx(0.75)


def test_request_lines_pair_paths_with_tokens_round_robin() -> None:
    assert request_lines(["/a", "/b"], []) == ["/a", "/b"]
    assert request_lines(["/feed"], ["t1", "t2"]) == ["/feed t1", "/feed t2"]
    assert request_lines(["/a", "/b", "/c"], ["t"]) == ["/a t", "/b t", "/c t"]


def test_the_same_seed_gives_the_same_comments() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)

    def rows(seed: int) -> list[tuple[Any, ...]]:
        writer = Writer(seed, words=2_000, tags=5)
        authors = [uuid.UUID(int=n) for n in range(1, 6)]
        posts = [(uuid.UUID(int=100 + n), when) for n in range(10)]
        return list(comment_rows(writer, posts, authors, 200))

    first = rows(3)
    assert first == rows(3)
    assert first != rows(4)
    assert max(row[6] for row in first) <= MAX_REPLY_DEPTH


def test_profile_frames_are_attributed_to_their_library() -> None:
    assert library("handle (fastapi/routing.py:1373)") == "fastapi"
    assert library("_do_execute (asyncpg/connection.py:2035)") == "asyncpg"
    assert library("read (/srv/inkwell/src/inkwell/posts/service.py:61)") == "inkwell"
    assert library("run (asyncio/runners.py:118)") == "asyncio (event loop)"
    assert library("spawn_main (multiprocessing/spawn.py:122)") == "other"


def test_revalidation_reports_the_304_share_and_the_ratio_to_200s() -> None:
    plain = parse_wrk(WRK_OUTPUT)
    again = parse_wrk(
        WRK_OUTPUT.replace('"requests": 3000', '"requests": 6000').replace(
            '"200": 2990, "503": 10', '"304": 5940, "200": 60'
        )
    )
    row = revalidation._row(plain, again)
    assert row["rate_304"] == 0.99
    assert row["ratio"] == 2.0
    table = revalidation.report({"list": row, "tag": {"skipped": "no ETag"}})
    assert "| list | 1,000 | 20.0 | 2,000 | 20.0 | 99.0% | 2.0x |" in table
    assert "| tag | skipped: no ETag |" in table
