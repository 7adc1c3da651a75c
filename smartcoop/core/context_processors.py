from __future__ import annotations

from django.conf import settings

from .navigation import groups_for, items_for
from .roles import Permission, has_permission
from .tenancy import current_entity, entities_for_request


def platform(request) -> dict:
    user = getattr(request, "user", None)
    is_staff = bool(user and has_permission(user, Permission.BACKOFFICE_ACCESS))
    context = {
        "country_pack": settings.COUNTRY_PACK,
        "is_staff_user": is_staff,
        "member_nav": [],
        "staff_nav_groups": [],
        "current_entity": None,
        "switchable_entities": [],
        "dev_inbox_enabled": bool(settings.DEV_INBOX_DIR) and settings.DEBUG,
        "unread_notifications": 0,
    }
    if user is not None and user.is_authenticated:
        context["member_nav"] = items_for("member", user, request.path)
        from .notifications import unread_count

        context["unread_notifications"] = unread_count(user=user)
        if is_staff:
            context["staff_nav_groups"] = groups_for("staff", user, request.path)
            context["current_entity"] = current_entity(request)
            context["switchable_entities"] = entities_for_request(request)
    return context
