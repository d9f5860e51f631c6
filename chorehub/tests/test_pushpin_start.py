"""`deploy.pushpin.Pushpin.start()` (issue 16, docs/pushpin.md): ready only once a stream that
Pushpin holds has reached its client, through a probe route that is gone afterwards. A real Pushpin,
with no server behind it. Its ports are below the ephemeral range."""

import http.client

from deploy.ports import LOWEST, ephemeral_range, free_port
from deploy.pushpin import READY_PATH, Pushpin


def get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def test_start_returns_after_a_held_stream_got_through_and_the_probe_is_gone(tmp_path):
    with Pushpin([f"127.0.0.1:{free_port()}"], folder=tmp_path) as pushpin:
        held = [line for line in pushpin.log().splitlines() if f"{READY_PATH} ->" in line]

        assert held and held[-1].endswith("accept")  # the last probe was held, and answered
        assert get(pushpin.ports.http, READY_PATH) == 502  # its upstream stopped with start()
        assert get(pushpin.ports.http, "/api/") == 502  # no server: every other path too


def test_free_ports_are_below_the_kernels_ephemeral_range():
    first_ephemeral, _ = ephemeral_range()

    ports = [free_port() for _ in range(50)]

    assert all(LOWEST <= port < first_ephemeral for port in ports)
