"""Types of what a view may rely on."""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind `login_required` or `permission_required`: its user is a
    `User`, never the anonymous one. For the type checker only; Django passes an HttpRequest."""

    user: User
