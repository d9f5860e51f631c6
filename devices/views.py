"""The guardians' device routes: pairing codes, the exchange a device makes with one, the list of
devices, revocation and PINs. Thin views over `devices.services` and `devices.selectors`."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.throttles import PerAddressScopedRateThrottle
from children.selectors import children_for
from devices import selectors, services
from devices.models import Device
from devices.permissions import GuardiansOnly
from devices.serializers import (
    DeviceSerializer,
    PairedSerializer,
    PairingCodeRequestSerializer,
    PairingCodeSerializer,
    PairSerializer,
    PinSerializer,
    PinSetSerializer,
)
from households.services import household_for_writing
from kernel.api import refuse_any_body
from kernel.api_errors import errors
from kernel.errors import NotFound
from kernel.validation import QueryParametersChecked

NO_SUCH_CHILD = "No such child in your household."
# Ids in paths: up to 18 digits, so that any id in a path fits the database's 64-bit column
# (a longer one is an unknown route: 404).
ID_PATTERN = "[0-9]{1,18}"


class PairingCodesView(QueryParametersChecked, APIView):
    permission_classes = [GuardiansOnly]

    @extend_schema(
        summary="Get a code to pair a device for one or several children (owner, guardian)",
        description="The code is shown only here, is valid 10 minutes and pairs one device "
        "(`POST /api/devices/pair/`).",
        request=PairingCodeRequestSerializer,
        responses={201: PairingCodeSerializer, **errors(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        serializer = PairingCodeRequestSerializer(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        children = serializer.validated_data["child_ids"]
        pairing, code = services.create_pairing_code(
            household=household_for_writing(user=request.user),
            name=serializer.validated_data["name"],
            children=children,
            by=request.user,
        )
        body = {
            "code": code,
            "expires_at": pairing.expires_at,
            "name": pairing.name,
            "child_ids": sorted(child.pk for child in children),
        }
        return Response(PairingCodeSerializer(body).data, status=status.HTTP_201_CREATED)


# Exchanging a pairing code needs no sign-in (the device has no account): throttled per address
# with the sign-ins (scope `token`), since both are guesses at a secret. (A comment, not a
# docstring: drf-spectacular would show it as the operation's description.)
class PairView(QueryParametersChecked, APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_scope = "token"

    def get_throttles(self) -> list:
        return [*super().get_throttles(), PerAddressScopedRateThrottle()]

    @extend_schema(
        summary="Pair this device: exchange a pairing code for a device credential (no sign-in)",
        description="The credential is shown only here. An unknown, used or expired code is a "
        "400 on `code`.",
        request=PairSerializer,
        responses={201: PairedSerializer, **errors(400, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = PairSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, credential = services.pair_device(code=serializer.validated_data["code"])
        body = {"device": device, "credential": credential}
        return Response(PairedSerializer(body).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List your household's devices (owner, guardian), revoked ones too",
        responses={200: DeviceSerializer(many=True), **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Read a device (owner, guardian)",
        responses={200: DeviceSerializer, **errors(400, 401, 403, 404)},
    ),
)
class DeviceViewSet(
    QueryParametersChecked,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = DeviceSerializer
    queryset = Device.objects.none()  # for the schema; requests use get_queryset
    permission_classes = [GuardiansOnly]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return selectors.devices_for(self.request.user)

    @extend_schema(
        summary="Revoke a device (owner, guardian): its access and open streams end at once",
        description="Revoking a revoked device changes nothing.",
        request=None,
        responses={200: DeviceSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        device = self.get_object()
        refuse_any_body(request)
        services.revoke_device(device=device)
        return Response(DeviceSerializer(self.get_object()).data)

    @extend_schema(
        summary="Set a child's PIN on a device (owner, guardian)",
        description="The device's claims and requests for that child then need it (`pin`). "
        "Setting it again replaces it and lifts a lockout.",
        parameters=[OpenApiParameter("child_id", int, OpenApiParameter.PATH)],
        request=PinSerializer,
        responses={200: PinSetSerializer, **errors(400, 401, 403, 404, 409)},
        methods=["PUT"],
    )
    @extend_schema(
        summary="Remove a child's PIN from a device (owner, guardian)",
        parameters=[OpenApiParameter("child_id", int, OpenApiParameter.PATH)],
        request=None,
        responses={204: None, **errors(400, 401, 403, 404)},
        methods=["DELETE"],
    )
    @action(
        detail=True, methods=["put", "delete"], url_path=rf"children/(?P<child_id>{ID_PATTERN})/pin"
    )
    def pin(self, request: Request, pk: str | None = None, child_id: str = "") -> Response:
        device = self.get_object()
        child = children_for(request.user).filter(pk=int(child_id)).first()
        if child is None:
            raise NotFound(NO_SUCH_CHILD)
        if request.method == "DELETE":
            services.clear_pin(device=device, child=child)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = PinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.set_pin(device=device, child=child, pin=serializer.validated_data["pin"])
        body = {"device_id": device.pk, "child_id": child.pk, "has_pin": True}
        return Response(PinSetSerializer(body).data)
