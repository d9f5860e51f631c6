"""How a stream held by Pushpin is recognised when Pushpin comes back for it.

Pushpin asks the server again, on its own, when it sees a gap in a channel's ids (it fetches what
it missed) or when the library pages a long replay: it requests the stream's "next link", with
none of the client's headers. So the link carries the stream: who opened it, with which credential,
until when, and its close channel, sealed (encrypted and authenticated with a key derived from
SECRET_KEY: the link passes through access logs, and a session key must not be readable there).
The seal is in the link's path, not its query: Pushpin shares one answer among simultaneous
next-link requests with the same path. Every such request checks the credential again, as the
watcher does; an ended one gets an empty final body, which ends the stream.
"""

import base64
import hashlib
import json
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from rest_framework import authentication, exceptions

from devices.authentication import DevicePrincipal
from devices.models import Device
from tracking.live.open_streams import OpenStream, ended_streams

STREAM_ENDED = "This stream's credential ended: open a new stream."


class HeldStreamEnded(exceptions.AuthenticationFailed):
    """The credential of a stream Pushpin holds has ended. Pushpin is answered with an empty,
    final body (`ended_by_proxy_answer`), which ends the client's stream as this process ends its
    own; an error status would only make it try again, and keep the stream open meanwhile."""

    default_detail = STREAM_ENDED


def ended_by_proxy_answer() -> HttpResponse:
    """What ends a stream Pushpin holds: a body with no hold instruction, so nothing follows."""
    return HttpResponse(b"", content_type="text/event-stream")


@dataclass(frozen=True)
class HeldStream:
    """A stream Pushpin holds: what it was opened with and the channel that closes it."""

    stream: OpenStream
    close_channel: str


@cache
def _fernet() -> Fernet:
    digest = hashlib.sha256(f"chorehub.held-stream:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(held: HeldStream) -> str:
    stream = held.stream
    token = None
    if stream.token is not None:
        model, pk = stream.token
        token = [model._meta.label, pk]
    fields = {
        "user": stream.user_id,
        "device": stream.device_id,
        "household": stream.household_id,
        "hash": stream.auth_hash,
        "token": token,
        "session": stream.session_key,
        "until": time.time() + (stream.deadline - time.monotonic()),
        "close": held.close_channel,
    }
    return _fernet().encrypt(json.dumps(fields).encode()).decode()


def unseal(text: str) -> HeldStream | None:
    """The stream a link names, or None if the link was not sealed here (or too long ago)."""
    try:
        fields = json.loads(_fernet().decrypt(text.encode(), ttl=_max_age()))
    except (InvalidToken, ValueError):
        return None
    token = None
    if fields["token"] is not None:
        label, pk = fields["token"]
        token = (apps.get_model(label), pk)
    stream = OpenStream(
        user_id=fields["user"],
        household_id=fields["household"],
        auth_hash=fields["hash"],
        token=token,
        session_key=fields["session"],
        deadline=time.monotonic() + (fields["until"] - time.time()),
        device_id=fields["device"],
    )
    return HeldStream(stream, fields["close"])


def _max_age() -> int:
    return settings.EVENTSTREAM_MAX_LIFETIME_SECONDS + 60


class HeldStreamAuthentication(authentication.BaseAuthentication):
    """Pushpin's own request for a stream it holds (a next link signed with the servers' key,
    `link=next`, the seal in the path): the principal is the stream's, if its credential still
    holds; `request.auth` is the HeldStream. Any other request is not authenticated (a 401).

    The signature alone would not do: Pushpin signs a client's requests too. Pushpin's routes
    (`deploy.pushpin.routes_file`) sign a client's requests under /pushpin with a key no server
    knows, so that only Pushpin's own next-link request gets here signed (docs/pushpin.md)."""

    def authenticate(self, request) -> tuple[Any, HeldStream] | None:
        grip = getattr(request._request, "grip", None)
        if grip is None or not grip.proxied or request.query_params.get("link") != "next":
            return None
        held = unseal(request.parser_context["kwargs"].get("grant", ""))
        if held is None:
            raise exceptions.AuthenticationFailed(STREAM_ENDED)
        stream = held.stream
        if stream.deadline <= time.monotonic() or ended_streams([stream]):
            raise HeldStreamEnded()
        if stream.device_id is not None:
            device = Device.objects.filter(pk=stream.device_id).first()
            principal = DevicePrincipal(device) if device is not None else None
        else:
            principal = get_user_model()._default_manager.filter(pk=stream.user_id).first()
        if principal is None:  # deleted since the check above
            raise HeldStreamEnded()
        return principal, held

    def authenticate_header(self, request) -> str:
        return "Token"
