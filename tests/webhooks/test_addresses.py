"""SSRF rules: which URLs and addresses deliveries may go to."""

from __future__ import annotations

import ipaddress

import pytest

from inkwell.core.config import Settings
from inkwell.webhooks.addresses import check_url, parse_url, refusal
from inkwell.webhooks.exceptions import UnsafeUrl
from tests.conftest import make_settings

PUBLIC = "93.184.215.14"


def _settings(**overrides: bool) -> Settings:
    return make_settings("", **overrides)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://example.com/hook", "the scheme must be https"),
        ("ftp://example.com/hook", "the scheme must be https"),
        ("https://user:pass@example.com/hook", "user names and passwords"),
        ("https://user@example.com/hook", "user names and passwords"),
        ("https:///hook", "the URL has no host"),
        ("https://example.com:99999/hook", "the port is not valid"),
        ("https://example.com:http/hook", "the port is not valid"),
    ],
)
def test_urls_of_a_refused_form(url: str, reason: str) -> None:
    with pytest.raises(UnsafeUrl) as refused:
        parse_url(url, allow_http=False)
    assert reason in refused.value.reason
    assert refused.value.errors[0]["field"] == "url"


def test_http_is_allowed_only_when_the_setting_says_so() -> None:
    assert parse_url("http://example.com:8080/x", allow_http=True).port == 8080
    with pytest.raises(UnsafeUrl):
        parse_url("ftp://example.com/x", allow_http=True)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_private_addresses_are_refused_unless_allowed(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert "private" in str(refusal(ip, allow_private=False))
    assert refusal(ip, allow_private=True) is None


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",
        "169.254.0.1",
        "fe80::1",
        "::ffff:169.254.169.254",
        "0.0.0.0",  # noqa: S104 - an address under test, not a binding
        "::",
        "224.0.0.1",
        "ff02::1",
        "240.0.0.1",
        "255.255.255.255",
    ],
)
def test_metadata_link_local_and_non_unicast_addresses_are_refused_always(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert refusal(ip, allow_private=True) is not None
    assert refusal(ip, allow_private=False) is not None


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal(ipaddress.ip_address(address), allow_private=False) is None


async def test_an_address_url_on_any_port_is_checked_without_a_lookup() -> None:
    target = await check_url(f"https://{PUBLIC}:8443/hook?x=1", _settings())
    assert str(target.address) == PUBLIC
    assert target.connect_url == f"https://{PUBLIC}:8443/hook?x=1"
    assert target.host_header == f"{PUBLIC}:8443"


async def test_an_ipv6_url_connects_to_the_bracketed_address() -> None:
    target = await check_url("https://[2606:4700:4700::1111]/", _settings())
    assert target.connect_url == "https://[2606:4700:4700::1111]:443/"
    assert target.host_header == "[2606:4700:4700::1111]"


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:169.254.169.254]/",
        "https://localhost/hook",  # a name that resolves to loopback addresses
    ],
)
async def test_urls_of_private_hosts_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        await check_url(url, _settings())


async def test_a_name_of_private_addresses_is_allowed_when_the_setting_says_so() -> None:
    target = await check_url(
        "http://localhost:8080/hook",
        _settings(webhooks_allow_http=True, webhooks_allow_private=True),
    )
    assert target.address.is_loopback
    assert target.host_header == "localhost:8080"
    assert target.connect_url.endswith(":8080/hook")


async def test_a_name_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(UnsafeUrl) as refused:
        await check_url("https://no-such-host.invalid/hook", _settings())
    assert "does not resolve" in refused.value.reason
