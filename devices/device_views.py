"""The device routes (kid mode): only a paired device calls them (an account is a 403, an
anonymous caller a 401). A device reads its children, claims a chore, asks for a reward and
cancels its own pending request; a child it was not paired for is a 404."""

import math

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from devices import kid_actions, selectors
from devices.authentication import KEYWORD
from devices.kid_serializers import (
    AskForRewardSerializer,
    ClaimChoreSerializer,
    KidClaimedSerializer,
    KidHomeSerializer,
    KidRequestSerializer,
    PinOnlySerializer,
    PinRefusalSerializer,
)
from devices.models import Device
from devices.permissions import PairedDevicesOnly
from devices.pins import PinRefused
from kernel.api_errors import errors
from kernel.errors import NotFound
from kernel.events import iso_z
from kernel.validation import QueryParametersChecked

NOT_YOUR_CHILD = "No such child on this device."
NOT_YOUR_REQUEST = "No such reward request made from this device."

PIN_REFUSALS = {
    403: OpenApiResponse(
        PinRefusalSerializer,
        description="Not a paired device (an account: `detail` only), or the child's PIN is "
        "missing (`pin_required`) or wrong (`wrong_pin`). Nothing changed.",
    ),
    429: OpenApiResponse(
        PinRefusalSerializer,
        description="Too many wrong PINs (`pin_locked`): the child is locked on this device "
        "until `locked_until` (`Retry-After` says how many seconds). Nothing changed.",
    ),
}


class PinRefusedError(exceptions.APIException):
    """A PIN refusal as an answer: 403 (`pin_required`, `wrong_pin`) or 429 (`pin_locked`, with
    `locked_until` and `Retry-After`), its body `{detail, code[, locked_until]}`."""

    def __init__(self, refusal: PinRefused) -> None:
        body = {"detail": refusal.message, "code": refusal.code}
        self.status_code = status.HTTP_403_FORBIDDEN
        if refusal.locked_until is not None:
            body["locked_until"] = iso_z(refusal.locked_until)
            self.status_code = status.HTTP_429_TOO_MANY_REQUESTS
            remaining = (refusal.locked_until - timezone.now()).total_seconds()
            self.wait = max(1, math.ceil(remaining))
        super().__init__(body, refusal.code)


class DeviceRoute(QueryParametersChecked, APIView):
    permission_classes = [PairedDevicesOnly]

    def get_authenticate_header(self, request: Request) -> str:
        return KEYWORD  # a 401 here asks for a device's credential

    def device(self) -> Device:
        return self.request.user.device

    def child(self, child_id: str):
        child = selectors.child_of_device(self.device(), int(child_id))
        if child is None:
            raise NotFound(NOT_YOUR_CHILD)
        return child


class KidHomeView(DeviceRoute):
    @extend_schema(
        summary="Kid mode: this device, its household and its children (paired device only)",
        description="Each child with its points and available points, whether it has a PIN "
        "here (and a lockout), its chores and rewards at its own values, its pending reward "
        "requests, and its pending claims followed by the last 10 decided.",
        responses={200: KidHomeSerializer, **errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        device = self.device()
        body = {
            "id": device.pk,
            "name": device.name,
            "household": device.household,
            "children": list(selectors.kid_view_children(device)),
        }
        context = {"pins": selectors.pins_of(device), "now": timezone.now(), "device_id": device.pk}
        return Response(KidHomeSerializer(body, context=context).data)


class KidClaimsView(DeviceRoute):
    @extend_schema(
        summary="Kid mode: claim a chore for one of this device's children",
        description="A pending claim that a guardian approves (points move then) or rejects; "
        "approved at once when the household approves claims automatically. `pin` is needed "
        "when the child has a PIN on this device.",
        request=ClaimChoreSerializer,
        responses={201: KidClaimedSerializer, **errors(400, 401, 404, 409), **PIN_REFUSALS},
    )
    def post(self, request: Request, child_id: str) -> Response:
        child = self.child(child_id)
        serializer = ClaimChoreSerializer(data=request.data, context={"device": self.device()})
        serializer.is_valid(raise_exception=True)
        try:
            result = kid_actions.claim_chore(
                device=self.device(),
                child=child,
                task=serializer.validated_data["task_id"],
                pin=serializer.validated_data.get("pin"),
            )
        except PinRefused as refusal:
            raise PinRefusedError(refusal) from None
        body = result.response(claim=result.claim, child=result.child)
        return Response(KidClaimedSerializer(body).data, status=status.HTTP_201_CREATED)


class KidRewardRequestsView(DeviceRoute):
    @extend_schema(
        summary="Kid mode: ask for a reward for one of this device's children",
        description="A pending request that holds the reward's cost until a guardian redeems "
        "or cancels it. `pin` is needed when the child has a PIN on this device.",
        request=AskForRewardSerializer,
        responses={201: KidRequestSerializer, **errors(400, 401, 404, 409), **PIN_REFUSALS},
    )
    def post(self, request: Request, child_id: str) -> Response:
        child = self.child(child_id)
        serializer = AskForRewardSerializer(data=request.data, context={"device": self.device()})
        serializer.is_valid(raise_exception=True)
        try:
            result = kid_actions.ask_for_reward(
                device=self.device(),
                child=child,
                reward=serializer.validated_data["reward_id"],
                pin=serializer.validated_data.get("pin"),
            )
        except PinRefused as refusal:
            raise PinRefusedError(refusal) from None
        body = result.response(request=result.request, child=result.child)
        return Response(KidRequestSerializer(body).data, status=status.HTTP_201_CREATED)


class KidCancelRequestView(DeviceRoute):
    @extend_schema(
        summary="Kid mode: cancel a pending reward request this device made",
        description="Only this device's own requests (another device's or a guardian's is a "
        "404). A request no longer pending is a 409. `pin` is needed when the child has a PIN "
        "on this device.",
        request=PinOnlySerializer,
        responses={200: KidRequestSerializer, **errors(400, 401, 404, 409), **PIN_REFUSALS},
    )
    def post(self, request: Request, request_id: str) -> Response:
        reward_request = selectors.device_request(self.device(), int(request_id))
        if reward_request is None:
            raise NotFound(NOT_YOUR_REQUEST)
        serializer = PinOnlySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = kid_actions.withdraw_request(
                device=self.device(),
                request=reward_request,
                pin=serializer.validated_data.get("pin"),
            )
        except PinRefused as refusal:
            raise PinRefusedError(refusal) from None
        body = result.response(request=result.request, child=result.child)
        return Response(KidRequestSerializer(body).data)
