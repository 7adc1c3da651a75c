"""The member's own year on their dashboard: invoiced, fee, salaries and expenses."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _year_panel(request: HttpRequest) -> dict | None:
    from members.selectors import member_of_request

    from .selectors import member_year_summary

    member = member_of_request(request)
    if member is None or not member.activity_memberships.exists():
        return None
    year = timezone.localdate().year
    return {
        "now": member_year_summary(member=member, year=year),
        "before": member_year_summary(member=member, year=year - 1),
    }


def register() -> None:
    from smartcoop.core.dashboard import Panel, register_panel

    register_panel(
        Panel(
            "member",
            "year_summary",
            _("My year"),
            "keyfigures/partials/member_year.html",
            _year_panel,
            order=15,
        )
    )
