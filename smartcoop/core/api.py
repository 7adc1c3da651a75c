"""API plumbing shared by every app: the error shape and the permission class."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, permissions
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
        fields = {
            key: [str(m) for m in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
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


def permission_required(permission: Permission) -> type[permissions.BasePermission]:
    """A DRF permission class for one of our permissions (the same check as the pages use)."""

    class _HasPermission(permissions.BasePermission):
        def has_permission(self, request, view) -> bool:
            return has_permission(request.user, permission)

    _HasPermission.__name__ = f"Has_{permission.name}"
    return _HasPermission
