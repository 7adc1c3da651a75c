from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django_scopes import scope

from .mfa import user_has_mfa
from .roles import Permission, has_permission
from .tenancy import current_entity

# Paths a staff member without MFA may still reach: the MFA set-up itself, logout, languages.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/media/", "/dev/inbox/")


class StaffMfaRequiredMiddleware:
    """Every staff role must have two-factor authentication: until they set it up, staff are sent
    to the TOTP set-up page and can reach nothing else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and has_permission(user, Permission.BACKOFFICE_ACCESS)
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and not user_has_mfa(user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class EntityScopeMiddleware:
    """Activates the entity scope for the request (see core.tenancy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and has_permission(user, Permission.BACKOFFICE_ACCESS):
            entity = current_entity(request)
            # A staff member with no entity sees no entity-owned row at all.
            value = entity.pk if entity is not None else -1
        else:
            value = None  # members and clients: filtered by ownership in selectors
        with scope(entity=value):
            return self.get_response(request)


def client_ip(request: HttpRequest) -> str:
    """The address rate limits count. Behind the TLS proxy (DJANGO_BEHIND_TLS_PROXY) it is the
    right-most X-Forwarded-For entry — the one our proxy appended; anything to its left was sent
    by the client and is not trusted. Otherwise the socket's address: a client-sent header is
    never believed when no proxy of ours stands in front."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; nothing a signed-in person or a secret link shows
    is kept by the browser or a shared cache (`Cache-Control: no-store`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        # A page reached through a signed link (payment page, quote) carries the token in its
        # URL: its content is as private as a logged-in page.
        secret_link = match is not None and "token" in match.kwargs
        if secret_link or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response


API_PREFIX = "/api/"
api_logger = logging.getLogger("smartcoop.api")


def api_error_response(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "extra": {}}, status=status)


class ApiErrorMiddleware:
    """An unhandled exception under /api/ answers the API's error shape as JSON (500), never an
    HTML page; the exception is logged with its traceback as Django would."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith(API_PREFIX):
            return None
        api_logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=(type(exception), exception, exception.__traceback__),
        )
        return api_error_response(
            500, "server_error", _("Something went wrong on our side. It has been logged.")
        )
