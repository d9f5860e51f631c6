"""Parent accounts: register, get a token, read or delete oneself."""

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework import parsers, permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chorehub.api import StrictFieldsMixin
from chorehub.api_errors import errors
from chorehub.parsers import JSONParser
from chorehub.permissions import KnownQueryParameters

User = get_user_model()
USERNAME_TAKEN = "A user with that username already exists."
LOCKED_OUT = "Too many failed sign-in attempts. Try again in {minutes} minutes."


class RegisterSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.RegexField(
        r"^[\w.@+-]+\Z", max_length=150, help_text="Letters, digits and @ . + - _ only."
    )
    password = serializers.CharField(
        write_only=True, max_length=128, style={"input_type": "password"}
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")

    def validate_username(self, username: str) -> str:
        if User.objects.filter(username__iexact=username).exists():
            raise serializers.ValidationError(USERNAME_TAKEN)
        return username

    def validate(self, attrs: dict) -> dict:
        candidate = User(username=attrs["username"], email=attrs["email"])
        try:
            password_validation.validate_password(attrs["password"], candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from error
        return attrs


class UserSerializer(serializers.ModelSerializer):
    # Not an EmailField: an account registered without an email has "" here, which is no email.
    email = serializers.CharField(read_only=True, help_text='The email address, or "" if none.')

    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff", "date_joined"]
        read_only_fields = fields


class RegisteredSerializer(UserSerializer):
    token = serializers.CharField(read_only=True, help_text="Send as `Authorization: Token <key>`.")

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "token"]
        read_only_fields = fields


def register_parent(*, username: str, password: str, email: str = "") -> tuple[User, Token]:
    """Create a parent account and its API token.

    Raises serializers.ValidationError when the username was taken meanwhile (a racing request).
    """
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, email=email)
            token = Token.objects.create(user=user)
    except IntegrityError as error:
        raise serializers.ValidationError({"username": [USERNAME_TAKEN]}) from error
    return user, token


class RegisterView(APIView):
    permission_classes = [permissions.AllowAny, KnownQueryParameters]
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


class MeView(APIView):
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


class TokenView(ObtainAuthToken):
    """`{username, password}` → `{token}`: the key for `Authorization: Token <key>`.

    Repeated failures lock the (username, IP address) pair out with a 429 (django-axes).
    """

    parser_classes = (parsers.FormParser, parsers.MultiPartParser, JSONParser)
    permission_classes = [permissions.AllowAny, KnownQueryParameters]

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
