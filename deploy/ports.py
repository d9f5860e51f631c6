"""Free ports for the servers a test or `make run-pushpin` starts. Standard library only."""

import random
import socket
from pathlib import Path

EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 20000  # above the usual services' ports (PostgreSQL, Redis, `make run`'s 8000 and 7999)


def free_port() -> int:
    """A loopback port nothing is bound to, below the kernel's ephemeral range. The server binds
    it a moment after this check; a port from that range could meanwhile become the local port of
    some outgoing connection (CI once saw Pushpin's handler exit with "unable to bind")."""
    first_ephemeral = ephemeral_range()[0]
    for _ in range(200):
        port = random.randrange(LOWEST, first_ephemeral)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {LOWEST} and {first_ephemeral}")


def ephemeral_range() -> tuple[int, int]:
    try:
        low, high = EPHEMERAL_RANGE.read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default
