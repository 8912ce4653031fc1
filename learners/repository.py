"""Which repository addresses the app may fetch: the server-side request forgery guard.

A learner types the URL, and our worker connects to it, so the URL decides where a request
from inside our network goes. Only `https://` on the configured hosts is allowed, and every
address the host name resolves to must be public (no loopback, private, link-local, shared
or metadata address). The fetch pins the connection to the addresses checked here, so a DNS
answer that changes between the check and the connection (rebinding) cannot slip through,
and every redirect is checked the same way before it is followed.

`allow_loopback` (the REPOSITORY_ALLOW_LOOPBACK setting, for tests and local demos) also
allows `http://127.0.0.1:<port>/…` and `http://localhost:<port>/…`, exactly those.

No Django here: the fetch subprocess imports this module on its own.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK_HOSTS = {"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1"}


class RepositoryRefused(Exception):
    """The address is not one the app may fetch; the message says why, for the learner."""


class HostNotFound(RepositoryRefused):
    """The host is allowed but its name did not resolve: the address may be right and the
    lookup failed (a typo, or the worker's DNS), so it is a failed read, not a refusal."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]  # the checked addresses the connection must use


def _parts(url: str):
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise RepositoryRefused("This is not a complete repository address.") from None
    return parts, port


def url_check(url: str, *, hosts: list[str], allow_loopback: bool) -> tuple[str, str, int]:
    """(scheme, host, port) when the URL's form is allowed, else RepositoryRefused.

    Looks at the text only (no DNS): the submit form calls this too.
    """
    parts, port = _parts(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.username or parts.password:
        raise RepositoryRefused("Leave the user name and password out of the repository address.")
    if allow_loopback and parts.scheme == "http" and host in LOOPBACK_HOSTS and port:
        return "http", host, port
    if parts.scheme != "https":
        raise RepositoryRefused("The repository address must start with https://.")
    allowed = [name.strip().lower() for name in hosts if name.strip()]
    if host not in allowed and host.removeprefix("www.") not in allowed:
        raise RepositoryRefused(
            f"Repositories can be read from {', '.join(allowed) or 'no host'} only; "
            f"{host or 'this address'} is not one of them."
        )
    if port not in (None, 443):
        raise RepositoryRefused("The repository address may not name a port other than 443.")
    return "https", host, port or 443


def address_is_public(address: str) -> bool:
    """True for a globally routable unicast address (no loopback, private, link-local, …)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def target_resolve(url: str, *, hosts: list[str], allow_loopback: bool, resolve=None) -> Target:
    """The checked connection target of `url`: refused unless every resolved address is public.

    `resolve(host, port)` returns the addresses (socket.getaddrinfo by default).
    """
    scheme, host, port = url_check(url, hosts=hosts, allow_loopback=allow_loopback)
    if scheme == "http":  # only the loopback demo/test case gets here
        return Target(scheme, host, port, (LOOPBACK_HOSTS[host],))
    addresses = (resolve or _resolve)(host, port)
    if not addresses:
        raise HostNotFound(f"{host} has no address.")
    private = [address for address in addresses if not address_is_public(address)]
    if private:
        raise RepositoryRefused(
            f"{host} resolves to an address that is not public ({private[0]}); "
            "the app does not connect to it."
        )
    return Target(scheme, host, port, tuple(addresses))


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise HostNotFound(f"{host} could not be found.") from None
    return list(dict.fromkeys(info[4][0] for info in infos))
