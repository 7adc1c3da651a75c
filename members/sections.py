"""Sections of the member 360° page contributed by the apps above members (Activities,
contracts, expense claims, invoices…), registered from their AppConfig.ready() like the
dashboard widgets, so members imports none of them.

A section's `compute(request, member)` returns the context of its own template (a partial of
the contributing app) or None (nothing to show for this staff member). It must use the app's
staff selectors, which scope rows to the entity the staff member works in and, for an adviser,
to their office."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import Promise

from smartcoop.core.parts import computed_parts
from smartcoop.core.roles import Permission


@dataclass(frozen=True)
class MemberSection:
    key: str
    title: str | Promise
    template: str
    compute: Callable[[HttpRequest, object], dict | None]
    permission: Permission | None = None
    order: int = 100


_SECTIONS: dict[str, MemberSection] = {}


def register_member_section(section: MemberSection) -> None:
    _SECTIONS[section.key] = section


def member_sections(request: HttpRequest, member) -> list[dict]:
    """The sections this staff member may see on `member`'s page, in order."""
    return [
        {"key": section.key, "title": section.title, "template": section.template, "data": data}
        for section, data in computed_parts(
            _SECTIONS.values(),
            request,
            lambda s: s.compute(request, member),
            kind="member section",
        )
    ]
