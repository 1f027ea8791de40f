"""What can be checked of the container files without a Docker engine: the Dockerfile passes
hadolint, compose.yaml is valid against the Compose specification's JSON schema, and the
settings compose.yaml gives the image are Inkwell's own and start a production app."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from inkwell.core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
INKWELL = ("migrate", "app", "relay", "worker")
_VARIABLE = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)


def test_the_dockerfile_passes_hadolint() -> None:
    linted = run(str(BIN / "hadolint"), "Dockerfile")
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_the_image_is_multi_stage_non_root_locked_and_checked() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) == 2
    assert "uv sync --locked --no-dev" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users
    assert users[-1].split(":")[0] not in {"0", "root"}
    assert "HEALTHCHECK" in dockerfile
    assert dockerfile.rstrip().endswith('CMD ["inkwell", "serve", "--no-migrate"]')


def test_compose_yaml_is_valid_against_the_compose_specification() -> None:
    checked = run(
        str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "compose.yaml"
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_compose_file_that_breaks_the_specification_is_refused(tmp_path: Path) -> None:
    """The schema check can fail: a service with an unknown key is refused."""
    broken = {**COMPOSE, "services": {**SERVICES, "app": {**SERVICES["app"], "restarts": "always"}}}
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(broken))
    checked = run(
        str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)
    )
    assert checked.returncode != 0


def test_migrations_run_once_before_the_app_the_relay_and_the_worker() -> None:
    assert SERVICES["migrate"]["command"] == ["inkwell", "migrate", "upgrade"]
    assert SERVICES["migrate"]["restart"] == "no"
    for name in ("app", "relay", "worker"):
        after = SERVICES[name]["depends_on"]["migrate"]
        assert after == {"condition": "service_completed_successfully"}, name
    assert SERVICES["relay"]["depends_on"]["kafka"] == {"condition": "service_healthy"}
    assert SERVICES["app"]["depends_on"]["redis"] == {"condition": "service_healthy"}


def test_every_long_running_service_with_a_port_has_a_health_check() -> None:
    for name in ("postgres", "redis", "kafka"):
        assert SERVICES[name]["healthcheck"]["test"][0] == "CMD", name
    assert "healthcheck" not in SERVICES["app"]  # the image's own HEALTHCHECK
    kafka = SERVICES["kafka"]["environment"]
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper


def _resolved(value: str) -> str:
    """A compose value with its variables filled as an operator's .env would."""
    secrets = {
        "POSTGRES_PASSWORD": "a-database-password",
        "INKWELL_JWT_SECRET": "j" * 48,
        "INKWELL_VIEW_HASH_SALT": "s" * 48,
    }

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in secrets:
            return secrets[name]
        default = re.search(r":-([^}]*)\}$", match.group(0))
        assert default is not None, f"{name} needs a default or a value in .env"
        return default.group(1)

    return _VARIABLE.sub(fill, value)


@pytest.mark.parametrize("service", INKWELL)
def test_the_images_settings_are_inkwells_and_valid_in_production(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment: dict[str, Any] = SERVICES[service]["environment"]
    fields = {f"INKWELL_{name.upper()}" for name in Settings.model_fields}
    assert set(environment) <= fields, set(environment) - fields
    for name, value in environment.items():
        monkeypatch.setenv(name, _resolved(str(value)))
    settings = Settings(_env_file=None)  # raises if production would refuse to start
    assert settings.is_production
    assert settings.database_url is not None
    assert settings.database_url.startswith("postgresql://inkwell:")
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert not settings.runs_relay_in_process
    assert not settings.runs_worker_in_process
    assert "127.0.0.1" in settings.allowed_hosts  # the image's health check
