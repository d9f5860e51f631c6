"""Request and response shapes of the accounts API."""

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from kernel.api import StrictFieldsMixin

User = get_user_model()
USERNAME_TAKEN = "A user with that username already exists."


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
