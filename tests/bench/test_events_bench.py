"""The events benchmark's arithmetic: throughput from arrivals, percentiles, the write A/B."""

from __future__ import annotations

import threading
import time

import pytest

from bench.events import Arrivals, _compare, _percentile, _throughput, markdown


def test_throughput_counts_from_the_first_arrival_to_the_last() -> None:
    arrivals = Arrivals(at={"a": 100.5, "b": 101.0, "c": 102.5})
    result = _throughput(["a", "b", "c"], arrivals, started=100.0)
    assert result == {
        "events": 3,
        "relay_start_to_first_s": 0.5,
        "first_to_last_s": 2.0,
        "events_per_s": 1.0,  # two intervals in two seconds
    }


def test_percentiles_take_the_value_at_the_share() -> None:
    values = [float(n) for n in range(1, 101)]
    assert _percentile(values, 0.5) == 51.0
    assert _percentile(values, 0.99) == 100.0
    assert _percentile([7.0], 0.99) == 7.0


def test_waiting_for_events_that_never_arrive_says_how_many_are_missing() -> None:
    arrivals = Arrivals(at={"a": 1.0})
    with pytest.raises(TimeoutError, match="1 of 2 events"):
        arrivals.wait_for(["a", "b"], timeout_s=0.1)


def test_waiting_returns_once_the_last_event_arrives() -> None:
    arrivals = Arrivals()

    def arrive() -> None:
        time.sleep(0.05)
        with arrivals.lock:
            arrivals.at["a"] = time.time()

    threading.Thread(target=arrive).start()
    arrivals.wait_for(["a"], timeout_s=5)
    assert arrivals.count() == 1


def _round(rps: float, p99: float, errors: int = 0, cpu: float = 1.0) -> dict[str, float]:
    return {
        "rps": rps,
        "p50_ms": p99 / 2,
        "p99_ms": p99,
        "errors": errors,
        "app_cpu_ms_per_req": cpu,
        "db_cpu_ms_per_req": cpu / 2,
    }


def test_the_write_comparison_is_median_over_median_and_counts_every_error() -> None:
    result = _compare(
        {
            "outbox": [_round(90, 40, cpu=2.2), _round(100, 30, errors=1), _round(80, 50, cpu=3)],
            "no-outbox": [_round(100, 30, cpu=2), _round(95, 35, cpu=2), _round(120, 20, 2, cpu=2)],
        }
    )
    assert result["summary"]["outbox"] == {
        "rps": 90,
        "p50_ms": 20,
        "p99_ms": 40,
        "app_cpu_ms_per_req": 2.2,
        "db_cpu_ms_per_req": 1.1,
    }
    assert result["summary"]["no-outbox"]["rps"] == 100
    assert result["ratio"] == 0.9
    assert result["cpu_ratio"] == 1.1  # (2.2 + 1.1) / (2 + 1)
    assert result["errors"] == 3


def test_the_report_names_the_commit_and_each_figure() -> None:
    report = {
        "machine": {"commit": "abc1234", "date": "2026-12-05", "cpus": 2, "load_average": [1.0]},
        "relay": {
            "throughput": {"events": 10, "events_per_s": 5000.0, "relay_start_to_first_s": 1.5},
            "latency": {
                "events": 4,
                "rate_per_s": 200.0,
                "p50_ms": 4.0,
                "p99_ms": 9.0,
                "max_ms": 12.0,
            },
        },
        "writes": {
            "post": _compare(
                {"outbox": [_round(95, 40, cpu=2.1)], "no-outbox": [_round(100, 38, cpu=2)]}
            ),
        },
    }
    text = markdown(report)
    assert "Commit abc1234" in text
    assert "5,000 events/s" in text
    assert "4.0 / 9.0 / 12.0 ms" in text
    assert "ratio 0.95x; CPU ms/req 2.10+1.05 / 2.00+1.00 (1.05x); 0 errors" in text
