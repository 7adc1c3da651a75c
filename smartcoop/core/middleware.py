from __future__ import annotations

from django.shortcuts import redirect
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
