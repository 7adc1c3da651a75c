"""Which legal entity a request or task works in.

Staff work in one entity at a time (kept in the session, switchable); entity-owned rows are
filtered by it, explicitly in selectors and by django-scopes as a safety net. Members and clients
are not bound to one entity: their queries are filtered by ownership (their Activities, one
invoice's token), and the scope is opened to every entity."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

from .models import LegalEntity, User
from .roles import Permission, Role, has_permission

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

SESSION_KEY = "smartcoop_entity_id"


def entities_for_user(user: User | AnonymousUser) -> list[LegalEntity]:
    if not isinstance(user, User) or not has_permission(user, Permission.BACKOFFICE_ACCESS):
        return []
    active = LegalEntity.objects.filter(is_active=True)
    if user.role == Role.ADMINISTRATOR:
        return list(active)
    return list(active.filter(pk__in=user.entities.values("pk")))


def entities_for_request(request: HttpRequest) -> list[LegalEntity]:
    """entities_for_user for the person of this request, read once per request (the entity
    scope middleware and the entity switcher of every back-office page both need them)."""
    if not hasattr(request, "_smartcoop_entities"):
        request._smartcoop_entities = entities_for_user(request.user)  # type: ignore[attr-defined]
    return request._smartcoop_entities  # type: ignore[attr-defined]


def current_entity(request: HttpRequest) -> LegalEntity | None:
    """The entity a staff member works in now (None for members, clients and the public)."""
    if hasattr(request, "_smartcoop_entity"):
        cached: LegalEntity | None = getattr(request, "_smartcoop_entity")  # noqa: B009
        return cached
    entity = None
    user = getattr(request, "user", None)
    if user is not None and has_permission(user, Permission.BACKOFFICE_ACCESS):
        allowed = entities_for_request(request)
        chosen = request.session.get(SESSION_KEY)
        entity = next((e for e in allowed if e.pk == chosen), None)
        if entity is None and allowed:
            # Default: the oldest employing entity (the main one: most work happens there).
            employers = [e for e in allowed if e.is_employer] or allowed
            entity = min(employers, key=lambda e: e.pk)
    request._smartcoop_entity = entity  # type: ignore[attr-defined]
    return entity


def entity_switch(request: HttpRequest, *, entity_public_id) -> LegalEntity | None:
    for entity in entities_for_user(request.user):
        if str(entity.public_id) == str(entity_public_id):
            request.session[SESSION_KEY] = entity.pk
            request._smartcoop_entity = entity  # type: ignore[attr-defined]
            return entity
    return None
