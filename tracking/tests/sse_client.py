"""A real server-sent-events client for tests: reads a stream in a thread and queues its events."""

import contextlib
import json
import queue
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_sse import connect_sse

IGNORED = {"keep-alive"}


@dataclass
class StreamMessage:
    event: str
    id: str
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


class SseClient:
    """Connects, waits for `stream-open` (an event sent before it may be dropped by the library),
    then collects messages until closed. `ended` is set once the stream is over, whoever ended it;
    `ended_by_server()` tells whether the server did."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        last_event_id: str | None = None,
        cookies: httpx.Cookies | None = None,
    ):
        headers = {"Accept": "text/event-stream"}
        if token:
            headers["Authorization"] = f"Token {token}"
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        self.url = url
        self.headers = headers
        self.messages: queue.Queue[StreamMessage] = queue.Queue()
        self.opened = threading.Event()
        self.ended = threading.Event()
        self.status_code: int | None = None
        self._closing = threading.Event()
        self._socket: socket.socket | None = None
        self._client = httpx.Client(timeout=httpx.Timeout(5, read=None), cookies=cookies)
        self._thread = threading.Thread(target=self._read, daemon=True)

    def __enter__(self) -> "SseClient":
        self._thread.start()
        if not self.opened.wait(10):
            raise TimeoutError(f"stream did not open (status {self.status_code})")
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._closing.set()
        if self._socket is not None:
            # A blocked read only returns when the server sends; shutting the socket down ends it.
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
        self._thread.join(5)
        self._client.close()

    def _read(self) -> None:
        try:
            with connect_sse(self._client, "GET", self.url, headers=self.headers) as source:
                self.status_code = source.response.status_code
                stream = source.response.extensions["network_stream"]
                self._socket = stream.get_extra_info("socket")
                for sse in source.iter_sse():
                    if sse.event == "stream-open":
                        self.opened.set()
                    elif sse.event not in IGNORED:
                        self.messages.put(StreamMessage(sse.event, sse.id, sse.data))
        except (httpx.HTTPError, RuntimeError):
            if not self._closing.is_set():
                raise
        finally:
            self.ended.set()

    def ended_by_server(self, timeout: float) -> bool:
        """Whether the server ended the stream (its body finished) within `timeout` seconds."""
        return self.ended.wait(timeout) and not self._closing.is_set()

    def next(self, event: str, timeout: float = 2.0) -> StreamMessage:
        """The next message named `event` within `timeout` seconds (others are skipped)."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                break
            if message.event == event:
                return message
        raise TimeoutError(f"no {event!r} within {timeout}s")

    def drain(self, wait: float = 0.0) -> list[StreamMessage]:
        """Everything received so far, after waiting `wait` seconds for stragglers."""
        time.sleep(wait)
        drained = []
        while True:
            try:
                drained.append(self.messages.get_nowait())
            except queue.Empty:
                return drained
