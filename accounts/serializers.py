"""Request and response shapes of the accounts API."""

from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from kernel.api import StrictFieldsMixin
from kernel.text import validate_single_line_text

User = get_user_model()
USERNAME_MAX = User._meta.get_field(User.USERNAME_FIELD).max_length
USERNAME_TAKEN = "A user with that username already exists."
SIGN_IN_FAILED = "Unable to log in with provided credentials."
WRONG_PASSWORD = "This is not your current password."
TOKEN_HELP = "Send as `Authorization: Token <key>`. Shown only in this answer."
EXPIRY_HELP = "When the token stops working (UTC); sign in again for a new one."


class NewUsernameField(serializers.RegexField):
    """A new account's username, in the form Django stores it (`normalize_username`, NFKC), so that
    its rules and the case-insensitive uniqueness check see what will be saved: a fullwidth
    letter is its ASCII one ("\uff2fWNER1" is "OWNER1"), and what NFKC turns into another
    character (`½` into `1`, U+2044, `2`) or makes longer meets the rules as saved."""

    def to_internal_value(self, data) -> str:
        return User.normalize_username(super().to_internal_value(data))


class RegisterSerializer(StrictFieldsMixin, serializers.Serializer):
    username = NewUsernameField(
        r"^[\w.@+-]+\Z", max_length=USERNAME_MAX, help_text="Letters, digits and @ . + - _ only."
    )
    password = serializers.CharField(
        write_only=True, max_length=128, style={"input_type": "password"}
    )
    # Django's email check lets a control character through in a quoted local part, and a bidi
    # control in the domain.
    email = serializers.EmailField(
        max_length=User._meta.get_field("email").max_length,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_single_line_text],
    )

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
    token = serializers.CharField(read_only=True, help_text=TOKEN_HELP)
    expiry = serializers.DateTimeField(read_only=True, help_text=EXPIRY_HELP)

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "token", "expiry"]
        read_only_fields = fields


class AuthTokenSerializer(serializers.Serializer):
    """`{username, password}` → the user, checked by `authenticate` (so by django-axes first).

    The request in the context must be Django's own: django-axes marks a lockout on it, and its
    middleware, which sees only that one, answers 429.
    """

    # No longer than a username can be: django-axes records a failed sign-in's username in a
    # varchar(255), which PostgreSQL refuses past it (a 500).
    username = serializers.CharField(write_only=True, max_length=USERNAME_MAX)
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )

    def validate(self, attrs: dict) -> dict:
        user = authenticate(
            self.context["http_request"], username=attrs["username"], password=attrs["password"]
        )
        if user is None:
            raise serializers.ValidationError(SIGN_IN_FAILED, code="authorization")
        return {"user": user}


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text=TOKEN_HELP)
    expiry = serializers.DateTimeField(read_only=True, help_text=EXPIRY_HELP)


class PasswordChangeSerializer(StrictFieldsMixin, serializers.Serializer):
    """`{old_password, new_password}` of the user in the context (`user`).

    The old password is checked as a sign-in is (`authenticate`), so wrong guesses count towards
    the sign-in lockout: a stolen token cannot be used to guess the password.
    """

    old_password = serializers.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    new_password = serializers.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )

    def validate_old_password(self, old_password: str) -> str:
        user = self.context["user"]
        # Django's own request: django-axes marks a lockout on it, for its middleware's 429.
        signed_in = authenticate(
            self.context["http_request"], username=user.get_username(), password=old_password
        )
        if signed_in is None or signed_in.pk != user.pk:
            raise serializers.ValidationError(WRONG_PASSWORD)
        return old_password

    def validate(self, attrs: dict) -> dict:
        try:
            password_validation.validate_password(attrs["new_password"], self.context["user"])
        except DjangoValidationError as error:
            raise serializers.ValidationError({"new_password": list(error.messages)}) from error
        return attrs
