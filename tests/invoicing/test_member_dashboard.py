"""The member dashboard says what to do next (a newcomer: join first) and draws the budget as
a small server-rendered SVG chart (no script)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from activities import services as activity_services
from members.models import Member
from tests.factories import UserFactory

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("be_entity")]


def steps(client):
    return client.get(reverse("core:member_home")).context["steps"]


def test_a_newcomer_is_told_to_finish_joining_first(client):
    user = UserFactory()
    client.force_login(user)
    first = steps(client)[0]
    assert str(first.label) == "Finish joining the cooperative"
    assert first.url == reverse("members:onboarding", args=[Member.OnboardingStep.IDENTITY])
    page = client.get(reverse("core:member_home")).content.decode()
    assert "step-first" in page and "What to do next" in page


def test_a_member_without_activity_creates_one_then_adds_a_client(client, member, be_entity):
    member.onboarding_step = Member.OnboardingStep.DONE
    member.save(update_fields=["onboarding_step"])
    client.force_login(member.user)
    assert [s.url for s in steps(client)] == [reverse("activities:create")]

    from .conftest import make_activity

    make_activity(entity=be_entity, member=member)
    labels = [str(s.label) for s in steps(client)]
    assert labels[0] == "Add your first client"


def test_the_budget_chart_is_inline_svg_with_amounts_written_as_money(
    client, member, activity, be_client
):
    member.onboarding_step = Member.OnboardingStep.DONE
    member.save(update_fields=["onboarding_step"])
    activity_services.activity_credit_client_payment(
        activity=activity,
        amount_excl_vat=Decimal("1230.00"),
        on=date.today(),
        source_type="tests.payment",
        source_id="dash-1",
        actor=None,
    )
    client.force_login(member.user)
    response = client.get(reverse("core:member_home"))
    page = response.content.decode()
    panel = page[page.index('id="panel-budget"') : page.index("</main>")]
    assert "<svg" in panel and "<script" not in panel
    assert "<title>€1,230.00</title>" in panel  # the income bar, as money (not "1230.00")
    assert "<title>\u2212€79.95</title>" in panel  # the fee, with the one minus sign
    # Next step: pay yourself from what is available (1,230 - 6.5 %).
    assert any(str(s.note) == "€1,150.05 available now." for s in response.context["steps"])
