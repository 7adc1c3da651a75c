"""API plumbing shared by every app: the error shape and the permission class."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ApplicationError
from .roles import Permission, has_permission


def exception_handler(exc, context):
    """Every API error as {"code", "message", "extra"}."""
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = flatten_errors(detail)
        first = next(iter(fields.values()), [""])
        response.data = {
            "code": "invalid",
            "message": first[0] if first else "Invalid input.",
            "extra": {"fields": fields},
        }
    else:
        message = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = {
            "code": getattr(message, "code", None) or getattr(exc, "default_code", "error"),
            "message": str(message),
            "extra": {},
        }
    return response


def flatten_errors(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as one level: `{"lines.0.quantity": ["…"], "client": ["…"]}`. A list
    of messages stays at its field; a list of nested objects (`many=True`) is numbered."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            fields.update(flatten_errors(value, f"{path}.{key}" if path else str(key)))
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for index, item in enumerate(detail):
            if item:
                fields.update(flatten_errors(item, f"{path}.{index}" if path else str(index)))
    elif isinstance(detail, list):
        fields[path or "non_field_errors"] = [str(message) for message in detail]
    else:
        fields[path or "non_field_errors"] = [str(detail)]
    return fields


# --- The schema documents the error shape of every operation ------------------------------------


class ErrorOutput(serializers.Serializer):
    code = serializers.CharField(help_text="machine-readable: invalid, not_found, conflict, …")
    message = serializers.CharField(help_text="the first message, in the caller's language")
    extra = serializers.DictField(
        help_text='details; for "invalid": `fields`, each nested field by its dotted path '
        "(`lines.0.quantity`) with its messages"
    )


class SmartcoopAutoSchema(AutoSchema):
    """Adds the error responses every operation can give, in the one error shape: 400 for input
    (writes and filters), 401/403 without the right account, 404 for an object in the path or one
    the caller may not see, 500 for the rest."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = {
            "400": "Invalid input: `extra.fields` names each field.",
            "401": "Not authenticated.",
            "403": "Not allowed.",
            "404": "Not found, or not yours to see.",
            "409": "The object's state forbids this (e.g. an issued invoice).",
            "500": "Server error (logged).",
        }
        if self.method == "GET":
            errors.pop("409")
        if all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()):
            errors.pop("401")  # a public operation (the simulator) asks for no account
            errors.pop("403")
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorOutput, description=description), code
                )
        return responses


def permission_required(permission: Permission) -> type[permissions.BasePermission]:
    """A DRF permission class for one of our permissions (the same check as the pages use)."""

    class _HasPermission(permissions.BasePermission):
        def has_permission(self, request, view) -> bool:
            return has_permission(request.user, permission)

    _HasPermission.__name__ = f"Has_{permission.name}"
    return _HasPermission
