"""Fetching a page or a picture from the web for a link card, safely (SSRF).

A link in a post makes the server fetch an address someone else chose, so every fetch:

- takes only ``http`` and ``https`` URLs without credentials, at most ``MAX_URL`` long;
- resolves the host itself and refuses it if *any* address it resolves to is not a
  public unicast one (private, loopback, link-local such as the cloud metadata service
  169.254.169.254, multicast, reserved, unspecified, shared, NAT64 or an IPv4 one
  inside an IPv6 address); ``allow_loopback`` (ROOST_PREVIEW_ALLOW_LOOPBACK, for tests)
  lets 127.0.0.0/8 and ::1 through, nothing else;
- connects to the address it checked, not to the name again (no DNS rebinding window):
  the request goes to the IP with the ``Host`` header and the TLS server name (SNI and
  certificate check) of the original host;
- follows at most ``max_redirects`` redirects itself, checking every hop the same way;
- uses no proxy from the environment (it would connect in our place, unchecked);
- is bounded in time (connect, read and a total deadline over every hop and the
  resolution) and in size: the body is read as a stream and dropped as soon as it passes
  ``max_bytes`` (asked uncompressed: a compressed body could grow past any limit
  inside one chunk).

Any port is allowed: an address that passes the check is public, whatever its port.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from functools import cache

import httpx

MAX_URL = 2048
REDIRECTS = frozenset({301, 302, 303, 307, 308})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchRefused(Exception):  # noqa: N818 (what happened, as the other outcomes)
    """Not fetched at all: the URL or an address it leads to is refused (SSRF)."""


class FetchFailed(Exception):  # noqa: N818
    """No usable answer: unresolvable, unreachable, too slow, too large, not what was
    asked for, or an error status."""


@dataclass(frozen=True)
class Limits:
    connect: float
    read: float
    total: float
    max_bytes: int
    max_redirects: int = 3


@dataclass(frozen=True)
class Fetched:
    url: str  # where the body came from, after redirects
    content_type: str  # the media type alone, lowercase
    charset: str | None
    body: bytes


def refusal(address: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why ``address`` may not be fetched from, or None if it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            return refusal(embedded, allow_loopback=allow_loopback)
    if address.is_loopback:
        return None if allow_loopback else "loopback"
    for reason, applies in (
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    ):
        if applies:
            return reason
    if not address.is_global:  # shared (100.64.0.0/10) and the like
        return "non-public"
    return None


async def checked_addresses(host: str, port: int, *, allow_loopback: bool) -> list[str]:
    """Every address ``host`` resolves to, if each may be fetched from; else refused."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        found = [literal]
    else:
        loop = asyncio.get_running_loop()
        try:
            answers = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchFailed(f"{host} does not resolve") from exc
        found = [ipaddress.ip_address(str(answer[4][0]).split("%")[0]) for answer in answers]
    if not found:
        raise FetchFailed(f"{host} does not resolve")
    for address in found:
        reason = refusal(address, allow_loopback=allow_loopback)
        if reason is not None:
            raise FetchRefused(f"{host} is a {reason} address ({address})")
    return [str(address) for address in dict.fromkeys(found)]


def checked_url(url: str | httpx.URL) -> httpx.URL:
    """The URL parsed, if it is one a card may be fetched from (its address aside)."""
    if len(str(url)) > MAX_URL:
        raise FetchRefused("the URL is too long")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchRefused("not a URL") from exc
    if parsed.scheme not in ("http", "https"):
        raise FetchRefused(f"the {parsed.scheme or 'missing'} scheme is not fetched")
    if not parsed.raw_host:
        raise FetchRefused("the URL names no host")
    if parsed.userinfo:
        raise FetchRefused("the URL carries credentials")
    return parsed.copy_with(fragment=None)


@cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every fetch (loading the CA certificates is the slow part)."""
    return ssl.create_default_context()


async def fetch(
    url: str,
    *,
    accept: tuple[str, ...],
    limits: Limits,
    allow_loopback: bool = False,
    user_agent: str = "Roost",
) -> Fetched:
    """GET ``url`` within ``limits``; the body must be one of the ``accept`` media types
    (``image/`` accepts any image). Raises FetchRefused or FetchFailed."""
    current = checked_url(url)
    timeout = httpx.Timeout(
        connect=limits.connect, read=limits.read, write=limits.read, pool=limits.connect
    )
    try:
        async with (
            asyncio.timeout(limits.total),
            httpx.AsyncClient(
                timeout=timeout, follow_redirects=False, trust_env=False, verify=_tls()
            ) as client,
        ):
            for _ in range(limits.max_redirects + 1):
                found = await _get(client, current, accept, limits, allow_loopback, user_agent)
                if isinstance(found, Fetched):
                    return found
                current = found
    except TimeoutError as exc:
        raise FetchFailed(f"no answer within {limits.total:g} s") from exc
    except httpx.HTTPError as exc:
        raise FetchFailed(f"{type(exc).__name__}: {exc}") from exc
    raise FetchFailed(f"more than {limits.max_redirects} redirects")


async def _get(
    client: httpx.AsyncClient,
    url: httpx.URL,
    accept: tuple[str, ...],
    limits: Limits,
    allow_loopback: bool,
    user_agent: str,
) -> Fetched | httpx.URL:
    """One hop: the body, or where a redirect points (checked before it is followed)."""
    host = url.raw_host.decode("ascii")
    port = url.port or (443 if url.scheme == "https" else 80)
    addresses = await checked_addresses(host, port, allow_loopback=allow_loopback)
    pinned = url.copy_with(host=addresses[0])
    headers = {
        "Host": url.netloc.decode("ascii"),
        "User-Agent": user_agent,
        "Accept": ", ".join(accept),
        "Accept-Encoding": "identity",
    }
    extensions = {"sni_hostname": host} if url.scheme == "https" else {}
    async with client.stream("GET", pinned, headers=headers, extensions=extensions) as response:
        if response.status_code in REDIRECTS:
            location = response.headers.get("location")
            if not location:
                raise FetchFailed("a redirect without a Location")
            try:
                return checked_url(url.join(location))
            except httpx.InvalidURL as exc:
                raise FetchRefused("a redirect to no valid URL") from exc
        if response.status_code != 200:
            raise FetchFailed(f"HTTP {response.status_code}")
        media_type, _, parameters = response.headers.get("content-type", "").partition(";")
        media_type = media_type.strip().lower()
        if not any(
            media_type == wanted or (wanted.endswith("/*") and media_type.startswith(wanted[:-1]))
            for wanted in accept
        ):
            raise FetchFailed(f"{media_type or 'no type'} is not {' or '.join(accept)}")
        if response.headers.get("content-encoding", "identity").lower() != "identity":
            raise FetchFailed("a compressed body, though asked for none")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise FetchFailed(f"{declared} bytes, more than {limits.max_bytes}")
        body = bytearray()
        async for chunk in response.aiter_raw():
            body += chunk
            if len(body) > limits.max_bytes:
                raise FetchFailed(f"more than {limits.max_bytes} bytes")
        return Fetched(str(url), media_type, _charset(parameters), bytes(body))


def _charset(parameters: str) -> str | None:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"').lower()
    return None
