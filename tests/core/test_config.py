from __future__ import annotations

import pytest
from pydantic import ValidationError

from inkwell.core.config import DEV_JWT_SECRET, Settings

STRONG = "s" * 48


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize("secret", [DEV_JWT_SECRET, "short-secret", "x" * 31])
def test_production_refuses_weak_jwt_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="INKWELL_JWT_SECRET"):
        settings(env="production", jwt_secret=secret)


def test_production_refuses_wildcard_cors_with_credentials() -> None:
    with pytest.raises(ValidationError, match="CORS"):
        settings(
            env="production", jwt_secret=STRONG, cors_origins=["*"], cors_allow_credentials=True
        )


def test_production_accepts_a_strong_secret() -> None:
    assert settings(env="production", jwt_secret=STRONG, trusted_hosts="a.example").is_production


def test_development_allows_the_default_secret() -> None:
    assert not settings().is_production


def test_origins_from_a_comma_separated_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INKWELL_CORS_ORIGINS", "https://a.example, https://b.example")
    assert settings().cors_origins == ["https://a.example", "https://b.example"]


def test_access_tokens_live_at_most_fifteen_minutes() -> None:
    with pytest.raises(ValidationError):
        settings(access_token_ttl_seconds=3600)


def test_common_passwords_are_refused_unless_turned_off() -> None:
    assert settings().password_reject_common is True
    assert settings(password_reject_common=False).password_reject_common is False


@pytest.mark.parametrize("hours", [0, 721])
def test_realworld_tokens_live_one_hour_to_thirty_days(hours: int) -> None:
    assert settings().realworld_token_ttl_hours == 24
    with pytest.raises(ValidationError):
        settings(realworld_token_ttl_hours=hours)


def test_the_relay_runs_in_process_in_development_when_kafka_is_configured() -> None:
    kafka = {"kafka_bootstrap_servers": "127.0.0.1:9092"}
    assert settings(**kafka).runs_relay_in_process
    assert not settings().runs_relay_in_process
    production = {"env": "production", "jwt_secret": STRONG, "trusted_hosts": "blog.example"}
    assert not settings(**production, **kafka).runs_relay_in_process
    assert settings(**production, relay_in_process=True, **kafka).runs_relay_in_process
    assert not settings(relay_in_process=True).runs_relay_in_process


@pytest.mark.parametrize(
    ("env", "switch", "runs"),
    [
        ("development", None, True),
        ("test", None, False),
        ("production", None, False),
        ("development", False, False),
        ("production", True, True),
    ],
)
def test_serve_runs_the_job_worker_in_development_unless_told(
    env: str, switch: bool | None, runs: bool
) -> None:
    configured = settings(
        env=env, jwt_secret=STRONG, trusted_hosts="blog.example", worker_in_process=switch
    )
    assert configured.runs_worker_in_process is runs


def test_production_needs_to_know_its_hosts() -> None:
    with pytest.raises(ValidationError, match="INKWELL_TRUSTED_HOSTS"):
        settings(env="production", jwt_secret=STRONG)
    named = settings(env="production", jwt_secret=STRONG, trusted_hosts="A.example, *.b.example")
    assert named.allowed_hosts == ["a.example", "*.b.example"]
    site = settings(env="production", jwt_secret=STRONG, site_url="https://blog.example.com/")
    assert (site.site_url, site.allowed_hosts) == ("https://blog.example.com", ["blog.example.com"])
    assert settings().allowed_hosts == ["*"]


@pytest.mark.parametrize(
    "url",
    ["blog.example.com", "ftp://blog.example.com", "https://x.example/blog", "https://x.example?a"],
)
def test_site_url_is_a_scheme_and_host(url: str) -> None:
    with pytest.raises(ValidationError, match="INKWELL_SITE_URL"):
        settings(site_url=url)


def test_production_that_sends_mail_needs_a_base_for_its_links() -> None:
    mail = {"env": "production", "jwt_secret": STRONG, "smtp_host": "mail.example.com"}
    with pytest.raises(ValidationError, match="INKWELL_FRONTEND_URL"):
        settings(**mail, trusted_hosts="api.example.com")
    front = settings(**mail, trusted_hosts="api.example.com", frontend_url="https://app.example/")
    assert front.link_base == "https://app.example"
    site = settings(**mail, site_url="https://blog.example.com")
    assert site.link_base == "https://blog.example.com"
    assert settings(port=9000).link_base == "http://127.0.0.1:9000"


@pytest.mark.parametrize("url", ["app.example", "ftp://app.example", "https://app.example/#/x"])
def test_the_frontend_url_is_an_http_url_without_fragment(url: str) -> None:
    with pytest.raises(ValidationError, match="INKWELL_FRONTEND_URL"):
        settings(frontend_url=url)
