"""Drive one endpoint with wrk (Debian's, with Lua) and read its result as a dict.

The Lua script requests the paths of a file round robin (many slugs, many tags), each line a
path and, for authenticated endpoints, an access token after a space; it counts every status
and `Retry-After` header per thread, and prints one `BENCH_JSON {...}` line at the end.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WRK_LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end

function init(args)
  paths, tokens = {}, {}
  for line in io.lines(args[1]) do
    local path, token = line:match("^(%S+)%s*(%S*)$")
    table.insert(paths, path)
    table.insert(tokens, token)
  end
  statuses = {}
  retry_after = 0
  position = math.random(#paths)
end

function request()
  position = position % #paths + 1
  if tokens[position] == "" then return wrk.format("GET", paths[position]) end
  return wrk.format("GET", paths[position], {Authorization = "Bearer " .. tokens[position]})
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if headers["retry-after"] or headers["Retry-After"] then retry_after = retry_after + 1 end
end

function done(summary, latency, requests)
  local counts, retries = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do counts[status] = (counts[status] or 0) + n end
    retries = retries + thread:get("retry_after")
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%s": %d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "statuses": {%s}, "retry_after": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, table.concat(parts, ", "), retries,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
"""


@dataclass(frozen=True)
class Load:
    """How hard and how long to drive an endpoint."""

    connections: int = 16
    seconds: float = 10.0
    threads: int = 1
    timeout_s: float = 5.0


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    statuses: dict[int, int]
    socket_errors: int
    retry_after: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def non_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)

    @property
    def errors(self) -> int:
        """Anything but a 2xx answer: other statuses, timeouts, broken connections."""
        return self.non_2xx + self.socket_errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": self.seconds,
            "rps": round(self.rps, 1),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "socket_errors": self.socket_errors,
            "retry_after": self.retry_after,
            "errors": self.errors,
            "p50_ms": self.p50_ms,
            "p90_ms": self.p90_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
        }


def parse_wrk(output: str) -> WrkResult:
    """The result of the script's BENCH_JSON line in wrk's output."""
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line.removeprefix("BENCH_JSON "))
            break
    else:
        raise ValueError("no BENCH_JSON line in wrk's output:\n" + output[-2000:])
    latency, errors = data["latency_us"], data["errors"]
    return WrkResult(
        requests=int(data["requests"]),
        seconds=data["duration_us"] / 1e6,
        statuses={int(k): int(v) for k, v in data["statuses"].items()},
        # wrk's "status" error is a non-2xx/3xx answer, already in `statuses`.
        socket_errors=sum(int(errors[k]) for k in ("connect", "read", "write", "timeout")),
        retry_after=int(data["retry_after"]),
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
    )


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk (make bench does this)")
    return found


def run_wrk(base_url: str, paths_file: Path, load: Load, script: Path) -> WrkResult:
    """Run wrk against `base_url` with the paths of `paths_file` and parse what it printed."""
    if not script.exists():
        script.write_text(WRK_LUA)
    command = [
        wrk_binary(),
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{load.seconds:g}s",
        f"--timeout={load.timeout_s:g}s",
        "-s",
        str(script),
        base_url,
        "--",
        str(paths_file),
    ]
    done = subprocess.run(  # noqa: S603 - our own arguments
        command, capture_output=True, text=True, check=True, timeout=load.seconds + 60
    )
    return parse_wrk(done.stdout)
