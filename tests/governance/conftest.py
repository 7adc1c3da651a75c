"""Fixtures of the governance tests: a cooperative with statutes and members holding shares."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from governance import services
from members.models import Member, RegisterEntry
from smartcoop.core.roles import Role
from tests.factories import LegalEntityFactory, UserFactory, staff_user
from tests.members.factories import MemberFactory

_numbers = itertools.count(1)
RECORD = date(2026, 11, 1)


@pytest.fixture
def coop(db):
    return LegalEntityFactory(is_cooperative=True, legal_form="SC", default_language="fr")


@pytest.fixture
def statutes(coop):
    return services.statutes_create(actor=None, entity=coop, valid_from=date(2020, 1, 1))


@pytest.fixture
def clerk(db, coop):
    return staff_user(Role.ADMINISTRATOR, entities=[coop])


def holder(coop, *, shares: dict[str, int] | None = None, on: date = date(2025, 1, 10), **fields):
    """A member with a login holding `shares` (category → count) since `on`."""
    member = MemberFactory(
        user=UserFactory(),
        status=Member.Status.MEMBER,
        member_number=next(_numbers) + 1000 * 0,
        joined_on=on,
        **fields,
    )
    for category, count in (shares or {"A": 1}).items():
        buy(coop, member, category, count, on)
    return member


def buy(coop, member, category: str, count: int, on: date) -> None:
    RegisterEntry.objects.create(
        entity=coop,
        member=member,
        entry_date=on,
        kind=RegisterEntry.Kind.ADDITIONAL,
        category=category,
        shares=count,
        unit_price=Decimal("25.00"),
        amount=Decimal("25.00") * count,
    )


def open_assembly(
    coop,
    *,
    clerk=None,
    resolutions=("Approve the accounts",),
    majority="simple",
    convene=True,
    second_convocation=False,
    now=None,
) -> object:
    """An assembly in 30 days whose vote opens in 10 days (or is open now if now is given)."""
    now = now or timezone.now()
    starts = now + timedelta(days=30)
    assembly = services.assembly_create(
        actor=clerk,
        entity=coop,
        kind="ordinary",
        title="Ordinary general assembly 2027",
        starts_at=starts,
        record_date=RECORD,
        vote_opens_at=now + timedelta(days=10),
        vote_closes_at=starts + timedelta(hours=3),
        place="Brussels",
        online_url="https://stream.example.org/ag",
        second_convocation=second_convocation,
    )
    for title in resolutions:
        services.resolution_add(actor=clerk, assembly=assembly, title=title, majority=majority)
    if convene:
        services.assembly_convene(actor=clerk, assembly=assembly, today=RECORD + timedelta(days=1))
        assembly.refresh_from_db()
    return assembly


def during_vote(assembly) -> datetime:
    return assembly.vote_opens_at + timedelta(hours=1)


@pytest.fixture
def make_holder(coop):
    return lambda **kw: holder(coop, **kw)
