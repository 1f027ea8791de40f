from __future__ import annotations

import json
import logging
import sys

import pytest

from inkwell.core.logging import ConsoleFormatter, JsonFormatter, configure_logging
from inkwell.core.request_context import set_request_id
from inkwell.core.state import AppState
from tests.conftest import api_client, make_settings


def _record(message: str = "hello", **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("inkwell.test", logging.INFO, __file__, 1, message, (), None)
    record.__dict__.update(extra)
    return record


def test_json_lines_carry_time_level_request_id_and_fields() -> None:
    set_request_id("req-1")
    try:
        line = JsonFormatter().format(_record(status=201, path="/x"))
    finally:
        set_request_id(None)
    payload = json.loads(line)
    assert payload["message"] == "hello"
    assert payload["level"] == "info"
    assert payload["request_id"] == "req-1"
    assert payload["time"].endswith("Z")
    assert (payload["status"], payload["path"]) == (201, "/x")


def test_json_lines_include_the_trace_of_errors() -> None:
    try:
        raise ValueError("bad")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "oops", (), sys.exc_info())
    assert "ValueError: bad" in json.loads(JsonFormatter().format(record))["exception"]


def test_console_lines_are_readable() -> None:
    line = ConsoleFormatter().format(_record(status=200))
    assert "INFO" in line
    assert "hello" in line
    assert "status=200" in line


@pytest.mark.parametrize(
    ("env", "fmt", "expected"),
    [
        ("production", "auto", JsonFormatter),
        ("development", "auto", ConsoleFormatter),
        ("development", "json", JsonFormatter),
        ("production", "console", ConsoleFormatter),
    ],
)
def test_format_follows_settings(env: str, fmt: str, expected: type) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(
            make_settings(
                "postgresql://x/y",
                env=env,
                log_format=fmt,
                jwt_secret="j" * 40,
                trusted_hosts="a.example",
            )
        )
        assert isinstance(root.handlers[0].formatter, expected)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


async def test_access_log_has_method_path_status_duration(
    app_state: AppState, caplog: pytest.LogCaptureFixture
) -> None:
    app_state.settings = make_settings(app_state.settings.database_url or "", access_log=True)
    with caplog.at_level(logging.INFO, logger="inkwell.access"):
        async with api_client(app_state) as client:
            response = await client.get("/health/live", headers={"X-Request-ID": "trace-me"})
    record = next(r for r in caplog.records if r.name == "inkwell.access")
    assert response.status_code == 200
    assert (record.method, record.path, record.status) == ("GET", "/health/live", 200)  # type: ignore[attr-defined]
    assert record.duration_ms >= 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("formatter", [JsonFormatter(), ConsoleFormatter()])
def test_api_keys_are_redacted_from_every_part_of_a_line(formatter: logging.Formatter) -> None:
    key = "ink_" + "Ab3-_" * 8 + "xyz"
    try:
        raise ValueError(f"bad key {key}")
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "saw %s", (key,), sys.exc_info()
        )
    record.__dict__.update(path=f"/api/v1/posts/{key}", header=f"Bearer {key}")
    line = formatter.format(record)
    assert key not in line
    assert key[4:] not in line
    assert line.count("ink_[redacted]") == 4


def test_words_that_contain_ink_are_left_alone() -> None:
    line = ConsoleFormatter().format(_record("preview_link_id=1 think_tank ink_ ink_short"))
    assert "preview_link_id=1 think_tank ink_ ink_short" in line
