"""Summaries of repeated rounds: medians, ranges, per-request CPU and the Inkwell/baseline ratio."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Round:
    """One wrk run against one target, with the CPU the target and the database spent."""

    target: str
    rps: float
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float
    app_cpu_s: float
    db_cpu_s: float
    statuses: dict[str, int] | None = None
    # The machine's 1-minute load average after the round: other work on a shared machine.
    load_average: float | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Round:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class Summary:
    target: str
    rounds: int
    rps_median: float
    rps_min: float
    rps_max: float
    p50_ms: float
    p99_ms: float
    p99_worst_ms: float
    errors: int
    app_cpu_ms_per_req: float
    db_cpu_ms_per_req: float

    @property
    def valid(self) -> bool:
        return self.errors == 0


def summarise(rounds: list[Round]) -> Summary:
    """Medians over the rounds of one target (p50 and p99 are the medians of each round's)."""
    if not rounds:
        raise ValueError("no rounds to summarise")
    requests = sum(r.requests for r in rounds) or 1
    return Summary(
        target=rounds[0].target,
        rounds=len(rounds),
        rps_median=statistics.median(r.rps for r in rounds),
        rps_min=min(r.rps for r in rounds),
        rps_max=max(r.rps for r in rounds),
        p50_ms=statistics.median(r.p50_ms for r in rounds),
        p99_ms=statistics.median(r.p99_ms for r in rounds),
        p99_worst_ms=max(r.p99_ms for r in rounds),
        errors=sum(r.errors for r in rounds),
        app_cpu_ms_per_req=1000 * sum(r.app_cpu_s for r in rounds) / requests,
        db_cpu_ms_per_req=1000 * sum(r.db_cpu_s for r in rounds) / requests,
    )


def ratio(inkwell: Summary, baseline: Summary) -> float | None:
    """Inkwell's median req/s over the baseline's, from the same interleaved run."""
    return inkwell.rps_median / baseline.rps_median if baseline.rps_median else None


HEADER = (
    "| endpoint | target | req/s median (min-max) | p50 ms | p99 ms (worst) | errors "
    "| app CPU ms/req | db CPU ms/req | Inkwell/baseline |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|"
)


def table_rows(name: str, inkwell: Summary, baseline: Summary | None) -> list[str]:
    """Markdown rows for one endpoint; the ratio only when both runs are valid."""
    rows = []
    shown = ratio(inkwell, baseline) if baseline else None
    valid = inkwell.valid and (baseline is None or baseline.valid)
    ratio_text = f"{shown:.2f}x" if shown is not None and valid else "invalid" if not valid else ""
    for summary in (inkwell, baseline):
        if summary is None:
            continue
        rows.append(
            f"| {name} | {summary.target} | {summary.rps_median:,.0f} "
            f"({summary.rps_min:,.0f}-{summary.rps_max:,.0f}) | {summary.p50_ms:.1f} "
            f"| {summary.p99_ms:.1f} ({summary.p99_worst_ms:.1f}) | {summary.errors} "
            f"| {summary.app_cpu_ms_per_req:.2f} | {summary.db_cpu_ms_per_req:.2f} "
            f"| {ratio_text if summary.target == 'inkwell' else ''} |"
        )
    return rows
