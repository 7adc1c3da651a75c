"""API authentication (kept apart from core.api, which imports DRF's views)."""

from __future__ import annotations

from django_scopes.state import state as scope_state
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .roles import Permission, has_permission


class ScopedTokenAuthentication(TokenAuthentication):
    """Token authentication that applies the same rules as a browser session: staff need their
    second factor set up, and a staff request works in one entity (the `X-Smartcoop-Entity`
    header with the entity's public id, or their default), with the entity scope opened for it.
    The scope set here is undone by EntityScopeMiddleware when the request ends."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        if has_permission(user, Permission.BACKOFFICE_ACCESS):
            from .mfa import user_has_mfa
            from .tenancy import current_entity, entity_switch

            if not user_has_mfa(user):
                raise exceptions.AuthenticationFailed(
                    "Staff accounts must set up two-factor authentication before using the API."
                )
            django_request = request._request
            django_request.user = user
            wanted = request.headers.get("X-Smartcoop-Entity")
            if wanted and entity_switch(django_request, entity_public_id=wanted) is None:
                raise exceptions.NotFound("No such entity for this account.")
            entity = current_entity(django_request)
            state = dict(scope_state.get() or {})
            state.update({"_enabled": True, "entity": entity.pk if entity else -1})
            scope_state.set(state)
        return user, token
