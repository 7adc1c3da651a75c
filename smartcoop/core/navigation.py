"""Menus of the three areas, assembled from what each app registers in its AppConfig.ready(),
so that an app brings its own entries and the core knows no app."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .roles import Permission, has_permission


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


def items_for(area: str, user, current_path: str = "") -> list[dict]:
    entries = []
    for item in sorted(
        (i for i in _REGISTRY if i.area == area), key=lambda i: (i.order, str(i.label))
    ):
        if item.permission is not None and not has_permission(user, item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = current_path == url or (
            url not in ("/", "/app/", "/backoffice/") and current_path.startswith(url)
        )
        entries.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    return entries


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
