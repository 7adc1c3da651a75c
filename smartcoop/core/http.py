"""Types of what a view may rely on."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from .models import User


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind `login_required` or `permission_required`: its user is a
    `User`, never the anonymous one. For the type checker only; Django passes an HttpRequest."""

    user: User


def user_of(request: HttpRequest) -> User:
    """The logged-in user where the type of the request cannot say it (callbacks, API views):
    an anonymous visitor arriving there anyway is refused, never treated as a user."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user
