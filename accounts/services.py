"""Writes of the accounts app."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from rest_framework import serializers
from rest_framework.authtoken.models import Token

from accounts.serializers import USERNAME_TAKEN

User = get_user_model()


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
