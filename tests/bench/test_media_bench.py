"""The media benchmark on a tiny scale: two small uploads through a real `inkwell serve` and
`inkwell worker`, then the variant served by Inkwell and by the Starlette static server."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from bench.loadgen import Load
from bench.media import Plan, markdown, measure, photo_like_jpeg, upload_summary
from tests.live.support import free_port


def test_the_test_photo_is_a_jpeg_of_the_size_asked_with_an_orientation() -> None:
    image = Image.open(io.BytesIO(photo_like_jpeg(400, 300)))
    assert (image.format, image.size) == ("JPEG", (400, 300))
    assert image.getexif()[0x0112] == 6


def test_uploads_per_second_run_from_the_first_post_to_the_last_ready() -> None:
    accepted = {"a": 10.5, "b": 11.0, "c": 11.5}
    done = {"a": ("ready", 12.0), "b": ("ready", 14.0), "c": ("failed", 12.5)}
    summary = upload_summary(10.0, accepted, done)
    assert summary["ready"] == 2
    assert summary["failed"] == 1
    assert summary["seconds"] == 4.0
    assert summary["uploads_per_s"] == 0.5
    assert summary["accepted_to_ready_p50_s"] == 2.25  # the waits are 1.5 s and 3.0 s
    assert summary["accepted_to_ready_max_s"] == 3.0


def test_the_benchmark_runs_end_to_end_on_a_tiny_scale(empty_database: str, tmp_path: Path) -> None:
    plan = Plan(
        database_url=empty_database,
        media_dir=tmp_path / "media",
        ports=(free_port(), free_port(), free_port()),
        uploads=2,
        concurrency=2,
        width=640,
        height=480,
        rounds=1,
        load=Load(connections=5, seconds=1),
        log_dir=tmp_path / "logs",
        driver="httpx",
        nginx=False,
    )
    report = measure(plan)

    uploads = report["uploads"]
    assert (uploads["ready"], uploads["failed"]) == (2, 0)
    assert uploads["uploads_per_s"] > 0
    assert uploads["worker_rss_peak_mib"] >= uploads["worker_rss_idle_mib"] > 0
    assert uploads["variant"].endswith("-320.webp")  # 640 wide: only the 320 variant is made
    assert set(report["serving"]) == {"inkwell", "starlette_static"}
    for result in report["serving"].values():
        assert result["errors"] == 0
        assert result["rps_median"] > 0
    assert f"/media/{uploads['variant']}" in markdown(report)
