"""The client's address django-axes counts failed sign-ins by (`AXES_CLIENT_IP_CALLABLE`).

It is `REMOTE_ADDR` only, never a header the client can write: the server sets it from
`X-Forwarded-For` only for the proxies named in `FORWARDED_ALLOW_IPS` (none by default). Such a
proxy may still forward what is no address (`unknown`, RFC 7239's obfuscated names, a client's
garbage), which the server passes on as it is; axes would store it in an `inet` column, which
PostgreSQL refuses (a 500).
"""

import ipaddress

from django.http import HttpRequest


def client_ip_address(request: HttpRequest) -> str | None:
    """`REMOTE_ADDR` when it is an IP address, else None: axes then counts the request under no
    address, one count shared by every client whose address is unknown (the username's own
    limits apply as ever). An IPv6 zone (`fe80::1%eth0`) is dropped: `inet` has none."""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        address = ipaddress.IPv6Address(str(address).partition("%")[0])
    return str(address)
