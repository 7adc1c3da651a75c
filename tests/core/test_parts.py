"""Pages made of parts other apps contribute: a part that raises is logged and left out, the
others are still shown (smartcoop/core/parts.py, used by the dashboards and the member page)."""

import logging
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from smartcoop.core import dashboard
from smartcoop.core.parts import computed_parts
from smartcoop.core.roles import Permission, Role


@dataclass(frozen=True)
class Part:
    key: str
    order: int
    permission: Permission | None = None


def _compute(part: Part) -> str | None:
    if part.key == "broken":
        raise ValueError("boom")
    return None if part.key == "empty" else part.key.upper()


def test_a_failing_part_is_logged_and_skipped_and_the_others_are_shown_in_order(caplog):
    request = RequestFactory().get("/")
    request.user = SimpleNamespace(is_authenticated=True, is_active=True, role=Role.ADVISER)
    parts = [
        Part("late", 30),
        Part("broken", 10),
        Part("early", 5),
        Part("empty", 20),
        Part("health", 1, Permission.VIEW_HEALTH),  # not an adviser's
    ]
    with caplog.at_level(logging.ERROR, logger="smartcoop.core.parts"):
        shown = computed_parts(parts, request, _compute, kind="test part")
    assert [(part.key, result) for part, result in shown] == [("early", "EARLY"), ("late", "LATE")]
    [record] = caplog.records
    assert record.getMessage() == "test part broken failed"
    assert record.exc_info is not None and "boom" in str(record.exc_info[1])


@pytest.mark.django_db
def test_the_back_office_dashboard_still_shows_when_one_figure_fails(monkeypatch, caplog):
    from tests.factories import staff_user

    def broken(request):
        raise RuntimeError("figure is broken")

    monkeypatch.setitem(
        dashboard._WIDGETS,
        "staff:broken",
        dashboard.Widget("staff", "broken", "Broken figure", broken, order=1),
    )
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(staff_user(Role.ADMINISTRATOR))
    with caplog.at_level(logging.ERROR, logger="smartcoop.core.parts"):
        response = admin.get(reverse("core:backoffice_home"))
    assert response.status_code == 200
    assert "Broken figure" not in response.text
    assert "Failed background tasks" in response.text
    assert [r.getMessage() for r in caplog.records] == ["dashboard widget broken failed"]
