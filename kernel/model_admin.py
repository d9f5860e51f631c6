"""The base of every ModelAdmin in the project: Django's, with `?_to_field=` naming a reverse
relation refused as Django refuses any field it will not let be referenced.

Django 5.2's `ModelAdmin.to_field_allowed` reads `primary_key` of whatever `get_field` returns,
and a reverse relation (`?_to_field=claims` on the child list) has none: an AttributeError, a 500
on the changelist, change, add and delete pages. No relation can reference a model through a
reverse relation, so the answer Django means to give is its 400, "The field claims cannot be
referenced."
"""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db.models import ForeignObjectRel


class RefuseReverseToField:
    """Mixed in before any ModelAdmin class (Django's own `UserAdmin`, a library's)."""

    def to_field_allowed(self, request, to_field: str) -> bool:
        try:
            field = self.opts.get_field(to_field)
        except FieldDoesNotExist:
            return False
        if isinstance(field, ForeignObjectRel):
            return False
        return super().to_field_allowed(request, to_field)


class ModelAdmin(RefuseReverseToField, admin.ModelAdmin):
    """What the project's admins subclass instead of `django.contrib.admin.ModelAdmin`."""
