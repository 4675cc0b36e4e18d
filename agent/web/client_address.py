"""Which address a request comes from, for the rate limits, behind a reverse proxy or not.

Behind a proxy every request arrives from the proxy's address, so a limit
keyed on the peer puts every candidate in one bucket. The proxy's
``X-Forwarded-For`` header names the real client, but anyone can send that
header, so it is read only when the peer is a proxy the operator listed in
``INTERVIEWER_TRUSTED_PROXIES``, and then only up to the first hop that is not
one of them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(raw: str, *, name: str = "INTERVIEWER_TRUSTED_PROXIES") -> tuple[Network, ...]:
    """Comma-separated addresses or networks ("10.0.0.5, 172.16.0.0/12"); ValueError names the bad entry."""
    out: list[Network] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{name}: not an address or network: {part!r}") from None
    return tuple(out)


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(peer: str | None, forwarded_for: str | None, proxies: Sequence[Network]) -> str:
    """The peer, or, when the peer is a trusted proxy, the last hop of ``X-Forwarded-For`` it did not add."""
    peer = peer or "unknown"
    if not proxies or not forwarded_for or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer
