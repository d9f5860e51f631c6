"""The accounts API: register, sign in and out (tokens), change the password, read or delete
oneself, and the lockout answer."""

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import exceptions, parsers, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import (
    USERNAME_TAKEN,
    AuthTokenSerializer,
    IssuedTokenSerializer,
    PasswordChangeSerializer,
    RegisteredSerializer,
    RegisterSerializer,
    UserSerializer,
)
from accounts.services import (
    change_password,
    delete_account,
    issue_token,
    register_parent,
    revoke_token,
    revoke_tokens,
)
from accounts.throttles import PerAddressScopedRateThrottle
from kernel.api_errors import errors
from kernel.parsers import JSONParser
from kernel.validation import QueryParametersChecked

__all__ = [
    "USERNAME_TAKEN",
    "MeView",
    "PasswordView",
    "RegisterView",
    "TokenView",
    "TokensView",
    "lockout_response",
]

LOCKED_OUT = "Too many failed sign-in attempts. Try again in {minutes} minutes."
NOT_A_TOKEN = "This request was not signed in with a token: there is no token to revoke."


class RegisterView(QueryParametersChecked, APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_scope = "register"

    def get_throttles(self) -> list:
        return [*super().get_throttles(), PerAddressScopedRateThrottle()]

    @extend_schema(
        summary="Create a parent account",
        request=RegisterSerializer,
        responses={201: RegisteredSerializer, **errors(400, 429)},
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, token, key = register_parent(**serializer.validated_data)
        user.token, user.expiry = key, token.expiry
        return Response(RegisteredSerializer(user).data, status=status.HTTP_201_CREATED)


# POST `{username, password}` → a new token; DELETE revokes the token of the request. Repeated
# failures are locked out with a 429 (django-axes, accounts.lockout). (A comment, not a docstring:
# drf-spectacular would show it as the description of both operations.)
class TokenView(QueryParametersChecked, APIView):
    parser_classes = (parsers.FormParser, parsers.MultiPartParser, JSONParser)
    throttle_scope = "token"

    def get_authenticators(self) -> list:
        # Signing in is authenticated by its body: a stale token (expired, revoked) still sent in
        # the header must not refuse it with a 401, as register and pairing ignore it too. (The
        # schema generator asks before it has given the view a request.)
        request = getattr(self, "request", None)
        if request is not None and request.method == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self) -> list:
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return super().get_permissions()

    def get_throttles(self) -> list:
        throttles = super().get_throttles()
        if self.request.method == "POST":
            throttles.append(PerAddressScopedRateThrottle())
        return throttles

    @extend_schema(
        summary="Sign in: a new token (one per sign-in, so one per device)",
        description="Each sign-in issues a new token, which expires after `TOKEN_TTL_DAYS` "
        "(30 days by default). Repeated failures are locked out with a 429.",
        request=AuthTokenSerializer,
        responses={200: IssuedTokenSerializer, **errors(400, 429)},
    )
    def post(self, request: Request) -> Response:
        # django-axes marks a lockout on the request it is given; give it Django's own request so
        # that its middleware sees the mark and answers 429 (DRF's wrapper would keep it).
        serializer = AuthTokenSerializer(
            data=request.data, context={"http_request": request._request}
        )
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, key = issue_token(user=user)
        # Getting a token is signing in: it resets the failure count and records last_login.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response(IssuedTokenSerializer({"token": key, "expiry": token.expiry}).data)

    @extend_schema(
        summary="Sign out: revoke the token of this request",
        responses={204: None, **errors(400, 401)},
    )
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, AuthToken):
            raise exceptions.ValidationError({"detail": NOT_A_TOKEN})
        revoke_token(token=request.auth)
        user_logged_out.send(
            sender=request.user.__class__, request=request._request, user=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokensView(QueryParametersChecked, APIView):
    @extend_schema(
        summary="Sign out everywhere: revoke every token of the signed-in user",
        responses={204: None, **errors(400, 401)},
    )
    def delete(self, request: Request) -> Response:
        revoke_tokens(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordView(QueryParametersChecked, APIView):
    @extend_schema(
        summary="Change your password; revokes every other token and session",
        request=PasswordChangeSerializer,
        responses={204: None, **errors(400, 401, 429)},
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeSerializer(
            data=request.data, context={"user": request.user, "http_request": request._request}
        )
        serializer.is_valid(raise_exception=True)
        own_token = request.auth if isinstance(request.auth, AuthToken) else None
        change_password(
            user=request.user,
            new_password=serializer.validated_data["new_password"],
            keep_token=own_token,
        )
        if own_token is None:
            # Signed in with a session: keep it (the new password would end it).
            update_session_auth_hash(request._request, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(QueryParametersChecked, APIView):
    @extend_schema(
        summary="The signed-in user", responses={200: UserSerializer, **errors(400, 401)}
    )
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        summary="Delete your account (tracking stays, anonymized); the last member's deletion "
        "removes the household's children, tasks and rewards",
        description="An owner whose household has other members must transfer ownership first "
        "(409).",
        responses={204: None, **errors(400, 401, 409)},
    )
    def delete(self, request: Request) -> Response:
        delete_account(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def lockout_response(request, original_response, credentials) -> JsonResponse:
    """django-axes' answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = JsonResponse({"detail": LOCKED_OUT.format(minutes=minutes)}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
