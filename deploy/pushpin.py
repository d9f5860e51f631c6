"""Run Pushpin (Debian's `pushpin` package) in front of ChoreHub's servers: a configuration of its
own in a folder of its own, so that several instances (tests, `make run-pushpin`) run side by side
with the system's, on the ports they are given.

    python -m deploy.pushpin --port 7999 --publish-port 5561 --upstream 127.0.0.1:8000

The servers behind it need `GRIP_URL=http://127.0.0.1:<publish port>?key=<sig key>`
(docs/pushpin.md). Standard library only: `make run-pushpin` runs it before Django is set up.
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from deploy.ports import free_port

SYSTEM_CONFIG = Path("/etc/pushpin/pushpin.conf")
# Where the servers answer Pushpin's own requests for the streams it holds (their next links,
# `/pushpin/held/<seal>/`). No slash ends it: a client could write a slash after it as `%2F`, which
# the servers decode and Pushpin's routing does not.
SERVERS_OWN_PATH = "/pushpin"
# Routed to the start-up probe (below), not to the servers; after start-up, a 502.
READY_PATH = "/.pushpin-ready/"
READY_BODY = b"ready\n"


@dataclass
class PushpinPorts:
    """Where clients connect (`http`), where the servers publish (`publish`, HTTP), and the ZeroMQ
    ports Pushpin opens besides (each instance needs its own)."""

    http: int = field(default_factory=free_port)
    publish: int = field(default_factory=free_port)
    push_in: int = field(default_factory=free_port)
    push_in_sub: int = field(default_factory=free_port)
    command: int = field(default_factory=free_port)


def render_config(
    system_config: str, folder: Path, run_dir: Path, ports: PushpinPorts, sig_key: str
) -> str:
    """The system's configuration with this instance's folders, ports and signing key."""
    overrides = {
        "rundir": str(run_dir),
        "ipc_prefix": f"pushpin-{ports.http}-",
        "http_port": str(ports.http),
        "logdir": str(folder / "log"),
        "routesfile": str(folder / "routes"),
        "sig_key": sig_key,
        # The servers see Pushpin's address: tell them the client's (sign-in lockouts and
        # throttles count by it), dropping whatever a client claims.
        "x_forwarded_for": "truncate:0,append",
        # A client's `Pushpin-Route` header would pick the route it is signed by (`routes_file`).
        "accept_pushpin_route": "false",
        "push_in_spec": f"tcp://127.0.0.1:{ports.push_in}",
        "push_in_sub_specs": f"tcp://127.0.0.1:{ports.push_in_sub}",
        "push_in_http_addr": "127.0.0.1",
        "push_in_http_port": str(ports.publish),
        "command_spec": f"tcp://127.0.0.1:{ports.command}",
        # Pushpin reaches the servers through zurl: the system's runs as a service of its own (not
        # in a container, not in tests), so this instance starts one in its own folder.
        "services": "condure,zurl,pushpin-proxy,pushpin-handler",
    }
    missing = set(overrides)

    def replace(match: re.Match) -> str:
        key = match.group(1)
        if key not in overrides:
            return match.group(0)
        missing.discard(key)
        return f"{key}={overrides[key]}"

    text = re.sub(r"^([a-z_]+)=.*$", replace, system_config, flags=re.MULTILINE)
    if missing:
        raise RuntimeError(f"{SYSTEM_CONFIG} has no {', '.join(sorted(missing))}")
    zurl = "ipc://{rundir}/{ipc_prefix}zurl-"
    own_zurl = (
        f"zurl_out_specs={zurl}in\nzurl_out_stream_specs={zurl}in-stream\nzurl_in_specs={zurl}out\n"
    )
    return text.replace("[proxy]\n", "[proxy]\n" + own_zurl, 1)


def routes_file(upstreams: Sequence[str], refused_key: str) -> str:
    """Every path to `upstreams`, but a client's requests under SERVERS_OWN_PATH are signed with
    `refused_key`, which no server knows: they are not taken for Pushpin's (a 401 there).

    Pushpin signs every request it forwards, a client's included, with the key of the route the
    request took. A client's request takes the route its path matches, and the longest `path_beg`
    wins; Pushpin's own request for a stream's next link takes the route the stream's request
    took (by its id, the link being on the same host), whatever its path. So only that request
    reaches `/pushpin/held/` signed with the servers' key (`sig_key`)."""
    targets = ",".join(upstreams)
    return (
        f"*,path_beg={SERVERS_OWN_PATH},sig_iss=pushpin,sig_key={refused_key} {targets}\n"
        f"*,id=chorehub {targets}\n"
    )


class Pushpin:
    """One Pushpin instance in a temporary folder, routing every path to `upstreams` (`host:port`,
    several are balanced), signing what it forwards with `sig_key`, but for a client's requests
    under SERVERS_OWN_PATH (`routes_file`)."""

    def __init__(
        self,
        upstreams: Sequence[str],
        *,
        ports: PushpinPorts | None = None,
        sig_key: str | None = None,
        folder: Path | None = None,
    ):
        self.ports = ports or PushpinPorts()
        self.sig_key = sig_key or secrets.token_urlsafe(24)
        # Signs a client's requests under SERVERS_OWN_PATH; given to no server.
        self.refused_key = secrets.token_urlsafe(24)
        self.upstreams = list(upstreams)
        self._own_folder = folder is None
        self.folder = (folder or Path(tempfile.mkdtemp(prefix="pushpin-"))).resolve()
        self.process: subprocess.Popen | None = None
        # Pushpin's services talk over Unix sockets in here, whose paths may not pass 107 bytes: a
        # short folder of its own, whatever `folder` is (a test's temporary folder is long).
        self.run_dir = Path(tempfile.mkdtemp(prefix="pushpin-run-"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports.http}"

    @property
    def grip_url(self) -> str:
        """What the servers behind this instance set as `GRIP_URL`."""
        return f"http://127.0.0.1:{self.ports.publish}?iss=pushpin&key={self.sig_key}"

    def write_config(self, probe_port: int | None = None) -> Path:
        (self.folder / "log").mkdir(parents=True, exist_ok=True)
        probe = f"*,path_beg={READY_PATH} 127.0.0.1:{probe_port}\n" if probe_port else ""
        (self.folder / "routes").write_text(probe + routes_file(self.upstreams, self.refused_key))
        config = self.folder / "pushpin.conf"
        config.write_text(
            render_config(
                SYSTEM_CONFIG.read_text(), self.folder, self.run_dir, self.ports, self.sig_key
            )
        )
        return config

    def start(self, timeout: float = 20) -> "Pushpin":
        if shutil.which("pushpin") is None:
            raise RuntimeError("pushpin is not installed (apt-get install -y pushpin)")
        with _HoldingUpstream() as probe:
            config = self.write_config(probe_port=probe.port)
            self.process = subprocess.Popen(
                ["pushpin", "--config", str(config), "--merge-output"],
                stdout=open(self.folder / "pushpin.log", "ab"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its services are its children: stopped together
            )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    code = self.process.returncode
                    raise RuntimeError(f"pushpin exited with {code}: {self.log()}")
                if (
                    all(_listening(port) for port in (self.ports.http, self.ports.publish))
                    and _passes_requests(self.ports.http)
                    and _holds_streams(self.ports.http)
                ):
                    return self
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"pushpin was not ready within {timeout}s: {self.log()}")

    def log(self) -> str:
        path = self.folder / "pushpin.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()
        shutil.rmtree(self.run_dir, ignore_errors=True)
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "Pushpin":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _passes_requests(port: int) -> bool:
    """Whether Pushpin has a request through (any answer of the servers, or its own 502 when none
    is up): its ports listen a moment before its services are connected, and the first requests
    then get a 503 "Accept service unavailable" or no answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/pushpin/", timeout=2):
            return True
    except urllib.error.HTTPError as error:
        return error.code != 503
    except OSError:
        return False


def _holds_streams(port: int) -> bool:
    """Whether a stream that Pushpin holds reaches its client: its handler, not its proxy, sends
    that answer, and just after start-up the first one could be lost (the client then waited for
    ever, though Pushpin had subscribed the stream)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", READY_PATH)
        response = connection.getresponse()
        return response.status == 200 and response.read(len(READY_BODY)) == READY_BODY
    except OSError:  # no answer within the timeout included
        return False
    finally:
        connection.close()


class _HoldingUpstream:
    """A throwaway upstream, for `_holds_streams`, that asks Pushpin to hold every request as a
    stream after a first line of body."""

    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _HoldingHandler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def __enter__(self) -> "_HoldingUpstream":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class _HoldingHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Grip-Hold", "stream")
        self.send_header("Grip-Channel", "pushpin-ready")
        self.send_header("Content-Length", str(len(READY_BODY)))
        self.end_headers()
        self.wfile.write(READY_BODY)

    def log_message(self, format: str, *args) -> None:
        pass  # a probe's requests are not worth a line on stderr


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=7999, help="where clients connect")
    parser.add_argument("--publish-port", type=int, default=5561, help="where servers publish")
    parser.add_argument("--upstream", action="append", default=[], help="host:port, repeatable")
    parser.add_argument("--sig-key", default=os.environ.get("PUSHPIN_SIG_KEY"))
    parser.add_argument("--folder", type=Path, default=Path(".pushpin"))
    args = parser.parse_args(argv)
    ports = PushpinPorts(http=args.port, publish=args.publish_port)
    pushpin = Pushpin(
        args.upstream or ["127.0.0.1:8000"], ports=ports, sig_key=args.sig_key, folder=args.folder
    )
    # Pushpin runs in a session of its own: stop it with this process, however this one is ended.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(0))
    pushpin.start()
    print(
        f"Pushpin on {pushpin.url}; servers behind it set GRIP_URL={pushpin.grip_url}", flush=True
    )
    try:
        sys.exit(pushpin.process.wait())
    except KeyboardInterrupt:
        pass
    finally:
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, signal.SIG_IGN)  # Ctrl-C then make's trap: stop all the same
        pushpin.stop()


if __name__ == "__main__":
    main()
