"""Domain errors raised by services; `kernel.api.exception_handler` maps them to HTTP statuses."""


class DomainError(Exception):
    """A business rule refused the action. Nothing was changed."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidAction(DomainError):
    """The request is well formed but the rule forbids it (e.g. acting on an unassigned task): 400."""


class Forbidden(DomainError):
    """The caller's role does not allow the action, as it stands once the service has locked what
    it changes (e.g. an owner whose ownership another request transferred meanwhile): 403."""


class StateConflict(DomainError):
    """The action conflicts with the current state (e.g. redeeming a cancelled request): 409."""


class HistoryUnavailable(DomainError):
    """The history could not be written, and the action needs it written (a reversal is itself a
    history record): refused, nothing changed, worth retrying: 503."""


class NotFound(DomainError):
    """The object of the action is gone: deleted after the view found it, by a request that
    committed first (e.g. `DELETE /api/children/{id}/` racing an activation). Nothing was
    changed: 404, as for an object that never existed."""
