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
