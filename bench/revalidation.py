"""Conditional reads: each endpoint answered with 200s, then revalidated with If-None-Match.

For each scenario's paths (bench/scenarios.py; anonymous ones) the run first asks Inkwell for
each path once and keeps its `ETag`, then drives the same paths with wrk twice, back to back:
plain requests (200s), and requests carrying the kept ETag in `If-None-Match` (304s while
nothing changed). It reports both throughputs, their ratio, and the share of revalidations
answered 304 (what a CDN or a browser that revalidates gets while the data stands still).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from bench.loadgen import Load, WrkResult, run_wrk
from bench.scenarios import Params, Scenario, by_key
from bench.servers import Server

SCENARIOS = ("post", "list", "tag", "comments", "rw-articles", "rw-article")
PATHS_PER_SCENARIO = 200

# wrk's Lua: each line is a path and the ETag to revalidate it with.
REVALIDATE_LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end

function init(args)
  paths, tags = {}, {}
  for line in io.lines(args[1]) do
    local path, tag = line:match("^(%S+)%s+(.+)$")
    table.insert(paths, path)
    table.insert(tags, tag)
  end
  statuses = {}
  position = math.random(#paths)
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position], {["If-None-Match"] = tags[position]})
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do counts[status] = (counts[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%s": %d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "statuses": {%s}, "retry_after": 0, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
"""


def etags(server: Server, paths: list[str]) -> list[tuple[str, str]]:
    """Each path with the ETag Inkwell answers it with (paths without one are left out)."""
    kept = []
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for path in paths:
            answer = client.get(path)
            if answer.status_code == 200 and answer.headers.get("etag"):
                kept.append((path, answer.headers["etag"]))
    return kept


def _row(plain: WrkResult, revalidated: WrkResult) -> dict[str, Any]:
    not_modified = revalidated.statuses.get(304, 0)
    answered = sum(revalidated.statuses.values())
    return {
        "plain": plain.as_dict(),
        "revalidated": revalidated.as_dict(),
        "rate_304": round(not_modified / answered, 4) if answered else 0.0,
        "ratio": round(revalidated.rps / plain.rps, 2) if plain.rps else None,
    }


def revalidation(
    server: Server, params: Params, workdir: Path, seconds: float
) -> dict[str, dict[str, Any]]:
    """Per scenario: 200s against revalidations with the kept ETags, on the same paths."""
    out: dict[str, dict[str, Any]] = {}
    script = workdir / "revalidate.lua"
    script.write_text(REVALIDATE_LUA)
    scenarios: list[Scenario] = by_key(list(SCENARIOS))
    for scenario in scenarios:
        tagged = etags(server, scenario.paths(params)[:PATHS_PER_SCENARIO])
        if not tagged:
            out[scenario.key] = {"skipped": "no ETag in Inkwell's answers"}
            continue
        plain_file = workdir / f"{scenario.key}.plain.paths"
        plain_file.write_text("".join(f"{path}\n" for path, _ in tagged))
        tags_file = workdir / f"{scenario.key}.etags.paths"
        tags_file.write_text("".join(f"{path} {tag}\n" for path, tag in tagged))
        load = Load(seconds=seconds)
        plain = run_wrk(server.url, plain_file, load, workdir / "paths.lua")
        revalidated = run_wrk(server.url, tags_file, load, script)
        out[scenario.key] = _row(plain, revalidated)
        print(
            f"  revalidation {scenario.key}: 200s {plain.rps:,.0f} req/s, "
            f"304s {revalidated.rps:,.0f} req/s ({out[scenario.key]['rate_304']:.1%} 304)"
        )
    return out


def report(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        "| endpoint | 200s req/s | p99 ms | revalidated req/s | p99 ms | 304 rate | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, row in results.items():
        if "skipped" in row:
            lines.append(f"| {key} | skipped: {row['skipped']} | | | | | |")
            continue
        plain, again = row["plain"], row["revalidated"]
        lines.append(
            f"| {key} | {plain['rps']:,.0f} | {plain['p99_ms']:.1f} | {again['rps']:,.0f} | "
            f"{again['p99_ms']:.1f} | {row['rate_304']:.1%} | {row['ratio']}x |"
        )
    return "\n".join(lines)
