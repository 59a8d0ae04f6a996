"""The one way the server sends a request to a URL that a user named (today: Kakao's ``callbackUrl``).

Anything the server fetches or posts on someone's behalf, now or later, goes through ``post_json`` (or a
sibling added here), never through a bare HTTP client. The rules, in the order they are applied:

1. ``check_url``, before anything touches the network: ``https://`` only, no ``user:password@``, and a host
   in the allow-list the caller passes (an entry is an exact host, or ``.example.com`` for every subdomain
   of example.com).
2. The host is resolved once, at connect time, by the guarded connection itself; every address it resolves
   to must be public (``address_refusal``: no loopback, private, shared, link-local, multicast, reserved,
   unspecified, documentation or benchmark ranges, nor an IPv6 address carrying an IPv4 one).
3. The connection is opened to the address that was checked, while the TLS server name (SNI), the
   certificate check and the ``Host`` header keep the host name: a DNS answer that changes between the
   check and the connection cannot move it. (An ``httpcore`` network backend does this, ``_CheckedBackend``:
   httpcore calls it with the host name at the point where it would otherwise resolve it itself.)
4. Redirects are never followed (a 3xx answer is an error), the connect, read and total times are bounded,
   and at most ``max_response_bytes`` of the answer are read.

``OutboundPolicy.allow_private`` lifts rule 2 only (never the scheme or the allow-list). It exists for tests
and closed networks, and is off unless a setting turns it on.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import certifi
import httpcore
import httpx

from ..errors import OutboundError, OutboundRefusedError
from ..settings import ApiSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""Turns a host name and port into the addresses to try, in order (``system_resolver`` by default)."""

PRIVATE_SETTING = "ASSISTANT_API__OUTBOUND_ALLOW_PRIVATE"
_HOST = re.compile(r"[a-z0-9_.-]+|[0-9a-f:.]+")  # a host name (IDNA-encoded), an IPv4 or an IPv6 address
MAX_RESPONSE_BYTES = 64 * 1024

# Ranges ``is_global`` lets through in some Python versions, or that carry an IPv4 address inside IPv6.
_NOT_PUBLIC: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.ip_network(network), kind)
    for network, kind in (
        ("100.64.0.0/10", "shared (carrier-grade NAT)"),
        ("192.0.0.0/24", "IETF protocol assignment"),
        ("64:ff9b::/96", "NAT64 (IPv4-carrying)"),
        ("64:ff9b:1::/48", "NAT64 (IPv4-carrying)"),
        ("2001::/32", "Teredo (IPv4-carrying)"),
        ("2002::/16", "6to4 (IPv4-carrying)"),
    )
)


@dataclass(frozen=True)
class OutboundPolicy:
    """Where one kind of outbound request may go, and how long and how much it may take."""

    hosts: tuple[str, ...]
    hosts_setting: str  # the setting that holds ``hosts``, named in every refusal that it could lift
    allow_private: bool = False
    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    total_timeout: float = 10.0
    max_response_bytes: int = MAX_RESPONSE_BYTES
    ca_file: Path | None = None

    @classmethod
    def from_settings(cls, api: ApiSettings, hosts: Iterable[str], hosts_setting: str) -> OutboundPolicy:
        """The policy for ``hosts`` with the outbound limits of the API settings."""
        entries = (host.strip().strip("[]").lower().rstrip(".") for host in hosts)
        return cls(
            hosts=tuple(entry for entry in entries if entry),
            hosts_setting=hosts_setting,
            allow_private=api.outbound_allow_private,
            connect_timeout=api.outbound_connect_timeout,
            read_timeout=api.outbound_read_timeout,
            total_timeout=api.outbound_timeout,
            ca_file=api.outbound_ca_file,
        )

    def allows_host(self, host: str) -> bool:
        """Whether ``host`` (lower case, IDNA-encoded) is in the allow-list, exactly or by a ``.suffix`` entry."""
        return any(host.endswith(entry) if entry.startswith(".") else host == entry for entry in self.hosts)


@dataclass(frozen=True)
class OutboundReply:
    """What the far end answered: its status and at most ``max_response_bytes`` of its body."""

    status: int
    body: bytes


def check_url(url: str, policy: OutboundPolicy) -> httpx.URL:
    """The parsed URL when its scheme and host pass ``policy`` (no network use); else ``OutboundRefusedError``.

    Refusals name the host (never the path or query, which may hold a one-time token) and the setting to change.
    """
    try:
        parsed = httpx.URL(url)
        host = parsed.raw_host.decode("ascii")  # IDNA-encoded and lower case: what is resolved and connected to
    except (httpx.InvalidURL, TypeError, ValueError):  # IDNA and Unicode errors are ValueErrors
        raise OutboundRefusedError("the URL cannot be parsed; send an absolute https:// URL.") from None
    if parsed.scheme != "https":
        raise OutboundRefusedError(
            f"only https:// URLs are allowed, not {parsed.scheme + '://' if parsed.scheme else 'relative'} ones; "
            "send an https:// URL."
        )
    if parsed.userinfo:
        raise OutboundRefusedError("URLs with a user name or password (user@host) are refused; drop them.")
    if not _HOST.fullmatch(host):
        raise OutboundRefusedError("the URL has no host, or one with characters no host name has.")
    if not policy.allows_host(host):
        raise OutboundRefusedError(
            f"host {host!r} is not allowed; if it should be, add it to {policy.hosts_setting} "
            f"(now {list(policy.hosts)}; '.example.com' allows every subdomain of example.com)."
        )
    return parsed


def address_refusal(address: IPAddress) -> str | None:
    """Why the server must not connect to ``address`` (its kind, e.g. ``'loopback'``), or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            inner = address_refusal(address.ipv4_mapped)
            return f"IPv4-mapped {inner}" if inner else None
        if address.scope_id:
            return "scoped link-local"
    for network, kind in _NOT_PUBLIC:
        if address.version == network.version and address in network:
            return kind
    for kind in ("unspecified", "loopback", "link_local", "multicast", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "site-local"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "non-public"
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system resolves ``host`` to, in its order of preference."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def checked_addresses(
    host: str, port: int, policy: OutboundPolicy, resolver: Resolver = system_resolver
) -> list[IPAddress]:
    """The addresses of ``host`` to connect to, each one checked; refused when any of them is not public."""
    literal = _ip_literal(host)
    addresses = [literal] if literal is not None else await _resolve(host, port, policy, resolver)
    if policy.allow_private:
        return addresses
    for address in addresses:
        kind = address_refusal(address)
        if kind:
            named = f"{address} ({kind})" if host == str(address) else f"{host!r} resolves to {address} ({kind}), which"
            raise OutboundRefusedError(
                f"{named} is not a public address; the server connects to public addresses only "
                f"({PRIVATE_SETTING}=true lifts this, for tests and closed networks only)."
            )
    return addresses


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


async def _resolve(host: str, port: int, policy: OutboundPolicy, resolver: Resolver) -> list[IPAddress]:
    """Every address ``resolver`` gives for ``host``, within the connect timeout."""
    try:
        found = await asyncio.wait_for(resolver(host, port), policy.connect_timeout)
        addresses = [ipaddress.ip_address(address) for address in found]
    except (OSError, TimeoutError, ValueError) as error:
        raise OutboundError(f"{host!r} cannot be resolved ({type(error).__name__}).") from None
    if not addresses:
        raise OutboundError(f"{host!r} resolves to no address.")
    return addresses


async def post_json(
    url: str,
    payload: Any,
    policy: OutboundPolicy,
    *,
    resolver: Resolver = system_resolver,
    ssl_context: ssl.SSLContext | None = None,
) -> OutboundReply:
    """POST ``payload`` as JSON to ``url`` under every rule of this module.

    Raises ``OutboundRefusedError`` when a rule refuses the URL, its addresses or a redirect, and
    ``OutboundError`` when the request fails on the way (no answer in time, a broken connection, a TLS
    failure, an answer over the size limit). An answer with a 4xx or 5xx status is returned, not raised.
    """
    parsed = check_url(url, policy)
    host = parsed.raw_host.decode("ascii")
    body = json.dumps(payload, ensure_ascii=False).encode()
    target = httpcore.URL(scheme=parsed.raw_scheme, host=parsed.raw_host, port=parsed.port, target=parsed.raw_path)
    headers = [
        (b"Host", parsed.netloc),
        (b"Content-Type", b"application/json"),
        (b"Accept", b"application/json"),
        (b"User-Agent", b"assistant-outbound"),
    ]
    timeouts = {
        "connect": policy.connect_timeout,
        "read": policy.read_timeout,
        "write": policy.read_timeout,
        "pool": policy.connect_timeout,
    }
    context = ssl_context if ssl_context is not None else _ssl_context(policy.ca_file)
    backend = _CheckedBackend(policy, resolver)
    try:
        async with asyncio.timeout(policy.total_timeout):
            async with (
                httpcore.AsyncConnectionPool(
                    ssl_context=context, network_backend=backend, http1=True, http2=False, retries=0, max_connections=1
                ) as pool,
                pool.stream(
                    "POST", target, headers=headers, content=body, extensions={"timeout": timeouts}
                ) as response,
            ):
                if 300 <= response.status < 400:
                    raise OutboundRefusedError(
                        f"{host!r} answered with a redirect (HTTP {response.status}); redirects are never "
                        "followed: the URL must name the final address."
                    )
                return OutboundReply(response.status, await _read_bounded(response, policy.max_response_bytes))
    except TimeoutError:
        raise OutboundError(f"{host!r} took longer than {policy.total_timeout} s in all.") from None
    except httpcore.TimeoutException as error:
        raise OutboundError(f"{host!r} did not answer in time ({type(error).__name__}).") from None
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as error:
        raise OutboundError(f"the request to {host!r} failed: {type(error).__name__}: {error}") from None


class _CheckedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network layer with the address check inside: resolve once, check, connect to what was checked."""

    def __init__(self, policy: OutboundPolicy, resolver: Resolver) -> None:
        self._policy = policy
        self._resolver = resolver
        self._network = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """A connection to the first reachable checked address of ``host`` (TLS, if any, follows on it)."""
        failure: Exception | None = None
        for address in await checked_addresses(host, port, self._policy, self._resolver):
            try:
                return await self._network.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        assert failure is not None  # checked_addresses never returns an empty list
        raise failure

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        """Never: outbound requests go over TCP to checked addresses only."""
        raise OutboundRefusedError("outbound requests never use Unix sockets.")

    async def sleep(self, seconds: float) -> None:
        """Wait (httpcore uses it between retries; the guard makes none)."""
        await self._network.sleep(seconds)


async def _read_bounded(response: httpcore.Response, limit: int) -> bytes:
    """The body, or ``OutboundError`` as soon as it grows past ``limit`` bytes (the rest is never read)."""
    received = bytearray()
    async for chunk in response.aiter_stream():
        received += chunk
        if len(received) > limit:
            raise OutboundError(f"the answer is longer than {limit} bytes; it was not read to the end.")
    return bytes(received)


@lru_cache(maxsize=4)
def _ssl_context(ca_file: Path | None) -> ssl.SSLContext:
    """Certificate checking against ``ca_file`` when given, else against the certifi bundle httpx uses."""
    return ssl.create_default_context(cafile=str(ca_file) if ca_file else certifi.where())
