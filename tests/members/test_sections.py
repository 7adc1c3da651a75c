"""The member 360° page is made of sections the apps contribute: one that fails is logged and
left out, the page and the other sections still show."""

import logging

import pytest
from django.urls import reverse

from members import sections

pytestmark = pytest.mark.django_db


def test_a_failing_section_leaves_the_member_page_and_the_other_sections_standing(
    client, applicant, adviser_a, monkeypatch, caplog
):
    def broken(request, member):
        raise RuntimeError("section is broken")

    monkeypatch.setitem(
        sections._SECTIONS,
        "broken",
        sections.MemberSection("broken", "Broken section", "missing.html", broken, order=1),
    )
    monkeypatch.setitem(
        sections._SECTIONS,
        "working",
        sections.MemberSection(
            "working",
            "Working section",
            "invoicing/partials/member_file_invoices.html",
            lambda request, member: {"rows": []},
            order=2,
        ),
    )
    client.force_login(adviser_a)
    with caplog.at_level(logging.ERROR, logger="smartcoop.core.parts"):
        response = client.get(reverse("members:staff_member", args=[applicant.public_id]))
    assert response.status_code == 200
    assert [s["key"] for s in response.context["sections"]] == ["working"]
    assert "Broken section" not in response.text
    assert "Working section" in response.text and "Ann Applicant" in response.text
    assert [r.getMessage() for r in caplog.records] == ["member section broken failed"]
