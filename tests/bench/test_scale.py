"""The scale test's arithmetic: the read mix it requests and what it reports."""

from __future__ import annotations

from bench.loadgen import WrkResult
from bench.scale import combine, mix_lines, report
from bench.scenarios import Params


def _result(requests: int, p99_ms: float, errors: int = 0) -> WrkResult:
    return WrkResult(
        requests=requests,
        seconds=10.0,
        statuses={200: requests - errors, 503: errors},
        socket_errors=0,
        retry_after=errors,
        p50_ms=1.0,
        p90_ms=2.0,
        p99_ms=p99_ms,
        max_ms=p99_ms * 2,
    )


def test_the_mix_takes_each_scenario_in_turn_and_walks_its_paths() -> None:
    params = Params(slugs=["a", "b"], tags=["t"], words=[], commented_slugs=["c"])
    lines = mix_lines(params, ["post", "tag", "comments", "search"], count=8)
    assert lines == [
        "/api/v1/posts/a",
        "/api/v1/posts?tag=t",
        "/api/v1/posts/c/comments",
        "/api/v1/posts/b",
        "/api/v1/posts?tag=t",
        "/api/v1/posts/c/comments",
        "/api/v1/posts/a",
        "/api/v1/posts?tag=t",
    ]  # search has no words here, so it is left out rather than failing every request


def test_a_step_adds_the_processes_requests_and_keeps_the_worst_p99() -> None:
    step = combine(2, [_result(10_000, 20.0), _result(8_000, 35.0, errors=3)], (9.0, 4.5, 1.5))
    assert step.rps == 1_800
    assert step.rps_per_process == 900
    assert step.p99_ms == 35.0
    assert step.errors == 3
    assert step.ms_per_request(step.app_cpu_s) == 0.5
    assert step.busy_share == 15.0 / (10.0 * step.cores)


def test_the_report_has_a_row_per_step() -> None:
    steps = [combine(n, [_result(5_000, 10.0)] * n, (5.0 * n, 2.0, 1.0)) for n in (1, 2, 3)]
    rows = report(steps).splitlines()
    assert len(rows) == 2 + 3
    assert rows[2].startswith("| 1 | 500 | 500 | 10.0 | 0 | 1.00 | 0.40 | 0.20 |")
    assert rows[4].startswith("| 3 | 1,500 | 500 |")
