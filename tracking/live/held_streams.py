"""Streams that Pushpin holds (issue 16, docs/pushpin.md): this process answered the stream
request with GRIP instructions and keeps no connection and no thread for it, only a note of whose
credential it was opened with, when it must end, and a channel of its own.

The note is what ends it. One watcher thread per process re-checks every held stream every
`EVENTSTREAM_CREDENTIAL_CHECK_SECONDS` with the same queries as the streams this process serves
itself (`open_streams.ended_streams`), and when a credential has ended or the lifetime is over it
publishes a close to the stream's own channel: Pushpin ends that connection, and only that one.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection
from django_grip import publish
from gripcontrol import HttpStreamFormat

from tracking.live.open_streams import OpenStream, ended_streams

logger = logging.getLogger(__name__)


class HeldStreams:
    """This process's streams held by Pushpin, each under its close channel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: dict[str, OpenStream] = {}
        self._watcher: threading.Thread | None = None

    def hold(self, channel: str, stream: OpenStream) -> None:
        """Note `stream`, which `channel` closes (again when Pushpin follows its next link)."""
        with self._lock:
            self._streams[channel] = stream
            if self._watcher is None:
                self._watcher = threading.Thread(
                    target=self._watch, name="held-stream-watcher", daemon=True
                )
                self._watcher.start()

    def __len__(self) -> int:
        with self._lock:
            return len(self._streams)

    def _watch(self) -> None:
        """Until no stream is held: wait, then close the streams that must end."""
        try:
            while True:
                time.sleep(settings.EVENTSTREAM_CREDENTIAL_CHECK_SECONDS)
                with self._lock:
                    held = dict(self._streams)
                    if not held:
                        self._watcher = None
                        return
                try:
                    self.close(self.ending(held))
                except DatabaseError:
                    logger.exception("could not check the credentials of %d streams", len(held))
                    connection.close()  # the next turn opens a new one
                except Exception:
                    # Logged and tried again: a watcher that died would leave every held stream
                    # of this process open past its credential.
                    logger.exception("could not check the credentials of %d streams", len(held))
        finally:
            connection.close()

    @staticmethod
    def ending(held: dict[str, OpenStream]) -> list[str]:
        """The close channels of the streams whose lifetime is over or whose credential ended."""
        now = time.monotonic()
        ending = [channel for channel, stream in held.items() if stream.deadline <= now]
        ended = {id(stream) for stream in ended_streams(list(held.values()))}
        ending.extend(
            channel
            for channel, stream in held.items()
            if id(stream) in ended and stream.deadline > now
        )
        return ending

    def close(self, channels: list[str]) -> None:
        """Ask Pushpin to end these streams, and forget them."""
        for channel in channels:
            publish(channel, HttpStreamFormat(close=True), blocking=True)
            with self._lock:
                self._streams.pop(channel, None)


held_streams = HeldStreams()
