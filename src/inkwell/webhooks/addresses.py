"""Where a webhook may go: the URL rules and the address checks that keep deliveries from
reaching the service's own network (SSRF).

A URL must be https (http only when allowed), without user-info, and every address its host
resolves to must be public (private ones only when allowed; link-local ones, where cloud
metadata services live, never). Delivery resolves and checks again just before it connects,
and connects to the address it checked, so a name that changes its address between the check
and the request cannot redirect it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from inkwell.core.config import Settings
from inkwell.webhooks.exceptions import UnsafeUrl

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: private in practice
_DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class Target:
    """A checked URL and the address to connect to."""

    url: SplitResult
    address: IPAddress

    @property
    def port(self) -> int:
        return self.url.port or _DEFAULT_PORTS[self.url.scheme]

    @property
    def host_header(self) -> str:
        host = self.url.hostname or ""
        host = f"[{host}]" if ":" in host else host
        return f"{host}:{self.url.port}" if self.url.port else host

    @property
    def connect_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        host = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        path = self.url.path or "/"
        query = f"?{self.url.query}" if self.url.query else ""
        return f"{self.url.scheme}://{host}:{self.port}{path}{query}"


def parse_url(url: str, *, allow_http: bool) -> SplitResult:
    """The URL's parts, if its form is allowed; UnsafeUrl otherwise."""
    parts = urlsplit(url)
    schemes = {"https", "http"} if allow_http else {"https"}
    if parts.scheme not in schemes:
        raise UnsafeUrl("the scheme must be https" if not allow_http else "not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("user names and passwords in the URL are not allowed")
    if not parts.hostname:
        raise UnsafeUrl("the URL has no host")
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number in range
    except ValueError:
        raise UnsafeUrl("the port is not valid") from None
    return parts


def refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why deliveries may not go to this address, or None when they may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_link_local:
        return f"{address} is a link-local address (cloud metadata services live there)"
    reserved = address.is_reserved and not address.is_loopback  # ::1 lies in reserved ::/8
    if address.is_unspecified or address.is_multicast or reserved:
        return f"{address} is not a unicast address"
    if address.is_global and address not in _SHARED:
        return None
    if allow_private and (address.is_private or address.is_loopback or address in _SHARED):
        return None
    return f"{address} is a private address"


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host name stands for (an address stands for itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise UnsafeUrl(f"the host name {host} does not resolve") from None
    return list(
        dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found)
    )


async def check_url(url: str, settings: Settings) -> Target:
    """The URL and a checked address to connect to; UnsafeUrl when any rule refuses it.

    Every address of the name must pass: a name with one public and one private address
    is refused, since a client could be sent to either.
    """
    parts = parse_url(url, allow_http=settings.webhooks_allow_http)
    port = parts.port or _DEFAULT_PORTS[parts.scheme]
    addresses = await resolve(str(parts.hostname), port)
    for address in addresses:
        reason = refusal(address, allow_private=settings.webhooks_allow_private)
        if reason is not None:
            raise UnsafeUrl(reason)
    return Target(parts, addresses[0])
