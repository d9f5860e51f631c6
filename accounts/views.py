"""The accounts API: register, get a token, read or delete oneself, and the lockout answer."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework import parsers, permissions, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import (
    USERNAME_TAKEN,
    RegisteredSerializer,
    RegisterSerializer,
    UserSerializer,
)
from accounts.services import register_parent
from kernel.api_errors import errors
from kernel.parsers import JSONParser
from kernel.validation import QueryParametersChecked

__all__ = ["USERNAME_TAKEN", "MeView", "RegisterView", "TokenView", "lockout_response"]

LOCKED_OUT = "Too many failed sign-in attempts. Try again in {minutes} minutes."


class RegisterView(QueryParametersChecked, APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(
        summary="Create a parent account",
        request=RegisterSerializer,
        responses={201: RegisteredSerializer, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, token = register_parent(**serializer.validated_data)
        user.token = token.key
        return Response(RegisteredSerializer(user).data, status=status.HTTP_201_CREATED)


class MeView(QueryParametersChecked, APIView):
    @extend_schema(
        summary="The signed-in user", responses={200: UserSerializer, **errors(400, 401)}
    )
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        summary="Delete your account, children, tasks and rewards (tracking stays, anonymized)",
        responses={204: None, **errors(400, 401)},
    )
    def delete(self, request: Request) -> Response:
        request.user.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenView(QueryParametersChecked, ObtainAuthToken):
    """`{username, password}` → `{token}`: the key for `Authorization: Token <key>`.

    Repeated failures lock the (username, IP address) pair out with a 429 (django-axes).
    """

    parser_classes = (parsers.FormParser, parsers.MultiPartParser, JSONParser)
    permission_classes = [permissions.AllowAny]

    def get_serializer_context(self) -> dict:
        # django-axes marks a lockout on the request it is given; give it Django's own request so
        # that its middleware sees the mark and answers 429 (DRF's wrapper would keep it).
        return {**super().get_serializer_context(), "request": self.request._request}

    @extend_schema(responses={200: AuthTokenSerializer, **errors(400, 429)})
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=user)
        # Getting a token is signing in: it resets the failure count and records last_login.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response({"token": token.key})


def lockout_response(request, original_response, credentials) -> JsonResponse:
    """django-axes' answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = JsonResponse({"detail": LOCKED_OUT.format(minutes=minutes)}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
