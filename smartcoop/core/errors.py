"""One family of application errors. Services raise them; the API renders them as
`{"code", "message", "extra"}` and HTML views put them at the right form field."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    code = "error"
    http_status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.field = field
        self.extra = dict(extra or {})
        if field:
            self.extra.setdefault("field", field)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "extra": self.extra}


class ValidationFailed(ApplicationError):
    code = "invalid"


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    http_status = 403


class Conflict(ApplicationError):
    """The request is valid but the current state forbids it (e.g. editing an issued invoice)."""

    code = "conflict"
    http_status = 409


def add_error_to_form(form, error: ApplicationError) -> None:
    """Show an application error on a Django form: at its field when the form has it."""
    field = error.field if error.field in getattr(form, "fields", {}) else None
    form.add_error(field, error.message)
