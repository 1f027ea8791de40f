"""Several worker processes, one /metrics: prometheus-client's multiprocess mode."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from inkwell.metrics.multiproc import MULTIPROC_ENV, prepare_multiprocess_dir

WORKER = """
import os, sys
from inkwell.metrics.instruments import POOL_IN_USE, REQUESTS
from prometheus_client import multiprocess
for _ in range(int(sys.argv[1])):
    REQUESTS.labels("/feeds/rss.xml", "GET", "200").inc()
POOL_IN_USE.set(int(sys.argv[1]))
if sys.argv[2] == "dead":
    multiprocess.mark_process_dead(os.getpid())
"""
LIVE_WORKER = """
import os, sys
from inkwell.live.hub import SSE, Hub
from inkwell.metrics.instruments import count_live_connections
from prometheus_client import multiprocess
hub = Hub(queue_size=1, max_connections=1, max_subscriptions=1)
hub.on_count = count_live_connections
clients = [hub.connect(None) for _ in range(int(sys.argv[1]))]
hub.connect(None, SSE)
hub.disconnect(clients[0])
if sys.argv[2] == "dead":
    multiprocess.mark_process_dead(os.getpid())
"""
SCRAPE = """
from prometheus_client import generate_latest
from inkwell.metrics.instruments import process_registry
print(generate_latest(process_registry()).decode())
"""


def run(code: str, *args: str, directory: Path) -> str:
    env = {**os.environ, MULTIPROC_ENV: str(directory)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_counts_of_every_process_add_up_and_dead_ones_leave_the_gauges(tmp_path: Path) -> None:
    run(WORKER, "3", "live", directory=tmp_path)
    run(WORKER, "4", "live", directory=tmp_path)
    run(WORKER, "5", "dead", directory=tmp_path)
    body = run(SCRAPE, directory=tmp_path)
    series = 'inkwell_http_requests_total{method="GET",route="/feeds/rss.xml",status="200"}'
    assert f"{series} 12.0" in body
    assert "inkwell_db_pool_connections_in_use 7.0" in body


def test_serve_prepares_one_empty_directory_for_several_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    assert prepare_multiprocess_dir(1, tmp_path) is None
    assert MULTIPROC_ENV not in os.environ
    stale = tmp_path / "prometheus" / "counter_123.db"
    stale.parent.mkdir()
    stale.write_bytes(b"old")
    directory = prepare_multiprocess_dir(2, tmp_path)
    assert directory == tmp_path / "prometheus"
    assert os.environ[MULTIPROC_ENV] == str(directory.resolve())
    assert not stale.exists()
    named = tmp_path / "named"
    monkeypatch.setenv(MULTIPROC_ENV, str(named))
    assert prepare_multiprocess_dir(1, tmp_path) == named
    assert named.is_dir()


def test_live_connections_add_up_over_live_processes(tmp_path: Path) -> None:
    run(LIVE_WORKER, "3", "live", directory=tmp_path)  # 2 sockets and a stream left open
    run(LIVE_WORKER, "4", "live", directory=tmp_path)  # 3 and 1
    run(LIVE_WORKER, "9", "dead", directory=tmp_path)  # a stopped process: not counted
    body = run(SCRAPE, directory=tmp_path)
    assert 'inkwell_live_connections{transport="websocket"} 5.0' in body
    assert 'inkwell_live_connections{transport="sse"} 2.0' in body
