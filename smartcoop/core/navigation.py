"""Menus of the three areas, assembled from what each app registers in its AppConfig.ready(),
so that an app brings its own entries and the core knows no app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .roles import Permission, has_permission

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User


@dataclass(frozen=True)
class NavItem:
    area: str  # "member" or "staff"
    label: str | Promise
    url_name: str
    icon: str = "dot"
    permission: Permission | None = None
    order: int = 100


_REGISTRY: list[NavItem] = []


def register(item: NavItem) -> None:
    if item not in _REGISTRY:
        _REGISTRY.append(item)


def items_for(
    area: str, user: User | AnonymousUser, current_path: str = ""
) -> list[dict[str, Any]]:
    """The entries of an area that the user may see, in order; the one whose URL is the longest
    prefix of the current path is marked active."""
    entries: list[dict[str, Any]] = []
    for item in sorted(
        (i for i in _REGISTRY if i.area == area), key=lambda i: (i.order, str(i.label))
    ):
        if item.permission is not None and not has_permission(user, item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entries.append(
            {
                "label": item.label,
                "url": url,
                "icon": item.icon,
                "active": False,
                "group": _group_of(item),
            }
        )
    matches = [
        e
        for e in entries
        if current_path == e["url"]
        or (e["url"] not in ("/", "/app/", "/backoffice/") and current_path.startswith(e["url"]))
    ]
    if matches:
        max(matches, key=lambda e: len(e["url"]))["active"] = True
    return entries


def _group_of(item: NavItem) -> str:
    namespace = item.url_name.split(":", 1)[0]
    if namespace == "core":
        return "" if item.order < 800 else str(_("Administration"))
    try:
        return str(apps.get_app_config(namespace).verbose_name)
    except LookupError:
        return ""


def groups_for(area: str, user: User | AnonymousUser, current_path: str = "") -> list[dict]:
    """The same entries, grouped by the app that registered them (for the back-office menu)."""
    groups: list[dict] = []
    for entry in items_for(area, user, current_path):
        if not groups or groups[-1]["label"] != entry["group"]:
            groups.append({"label": entry["group"], "items": []})
        groups[-1]["items"].append(entry)
    return groups


register(NavItem("member", _("Overview"), "core:member_home", "home", order=0))
register(NavItem("staff", _("Dashboard"), "core:backoffice_home", "home", order=0))
register(
    NavItem(
        "staff",
        _("Entity settings"),
        "core:entity_settings",
        "briefcase",
        Permission.MANAGE_ENTITIES,
        order=880,
    )
)
register(
    NavItem(
        "staff",
        _("Number series"),
        "core:number_series",
        "list",
        Permission.VIEW_NUMBER_SERIES,
        order=890,
    )
)
register(
    NavItem("staff", _("Audit log"), "core:audit_log", "list", Permission.VIEW_AUDIT_LOG, order=900)
)
register(
    NavItem("staff", _("System health"), "core:health", "pulse", Permission.VIEW_HEALTH, order=910)
)
