"""Figures on the dashboards (member overview, back-office dashboard), contributed by each app
from its AppConfig.ready() like the menus, so the core knows no app.

A widget's `compute(request)` returns a `Figure` or None (nothing to show for this user); it must
use the app's selectors, which scope to what the user may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import Promise

from .parts import computed_parts
from .roles import Permission


@dataclass(frozen=True)
class Figure:
    value: object  # an int, a Decimal amount (shown as money when `money` is set) or a short text
    url: str = ""
    money: bool = False
    # "ok", "warn" or "bad": how the figure is coloured (e.g. failed tasks > 0 is "bad").
    tone: str = ""
    note: str | Promise = ""


@dataclass(frozen=True)
class Widget:
    area: str  # "member" or "staff"
    key: str
    label: str | Promise
    compute: Callable[[HttpRequest], Figure | None]
    permission: Permission | None = None
    order: int = 100


_WIDGETS: dict[str, Widget] = {}


def register_widget(widget: Widget) -> None:
    _WIDGETS[f"{widget.area}:{widget.key}"] = widget


def widgets_for(area: str, request: HttpRequest) -> list[dict]:
    widgets = (w for w in _WIDGETS.values() if w.area == area)
    return [
        {"label": widget.label, "figure": figure, "key": widget.key}
        for widget, figure in computed_parts(
            widgets, request, lambda w: w.compute(request), kind="dashboard widget"
        )
    ]


@dataclass(frozen=True)
class Panel:
    """A larger block of a dashboard (a chart, a short list), rendered with the app's own
    template; `compute(request)` returns its context or None (nothing to show)."""

    area: str
    key: str
    title: str | Promise
    template: str
    compute: Callable[[HttpRequest], dict | None]
    order: int = 100
    permission: Permission | None = None


_PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _PANELS[f"{panel.area}:{panel.key}"] = panel


def panels_for(area: str, request: HttpRequest) -> list[dict]:
    panels = (p for p in _PANELS.values() if p.area == area)
    return [
        {"key": panel.key, "title": panel.title, "template": panel.template, "data": context}
        for panel, context in computed_parts(
            panels, request, lambda p: p.compute(request), kind="dashboard panel"
        )
    ]


def _failed_tasks(request: HttpRequest) -> Figure:
    from django.urls import reverse

    from .selectors import open_task_failures

    count = open_task_failures().count()
    return Figure(count, url=reverse("core:health"), tone="bad" if count else "ok")


def _numbered_this_year(request: HttpRequest) -> Figure | None:
    from django.db.models import Sum
    from django.urls import reverse
    from django.utils import timezone

    from .selectors import number_sequence_list
    from .tenancy import current_entity

    entity = current_entity(request)
    if entity is None:
        return None
    total = (
        number_sequence_list(entity=entity)
        .filter(year=timezone.localdate().year)
        .aggregate(total=Sum("last_number"))["total"]
        or 0
    )
    return Figure(total, url=reverse("core:number_series"))


def _register_core_widgets() -> None:
    from django.utils.translation import gettext_lazy as _

    register_widget(
        Widget(
            "staff",
            "failed_tasks",
            _("Failed background tasks"),
            _failed_tasks,
            Permission.VIEW_HEALTH,
            order=900,
        )
    )
    register_widget(
        Widget(
            "staff",
            "numbered",
            _("Documents numbered this year"),
            _numbered_this_year,
            Permission.VIEW_NUMBER_SERIES,
            order=890,
        )
    )


_register_core_widgets()
