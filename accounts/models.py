"""The accounts app owns no table: users are Django's, API tokens django-rest-knox's."""

from knox.models import AuthToken


class ApiToken(AuthToken):
    """knox's token as staff see it: by the first characters of its key (`token_key`), never by
    its digest, which knox's own `__str__` (and so the admin's log and delete pages) would show."""

    class Meta:
        proxy = True
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.token_key}… ({self.user})"
