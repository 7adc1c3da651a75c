from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from members.models import InfoSession
from smartcoop.core.roles import Role
from tests.factories import LegalEntityFactory, OfficeFactory, UserFactory, staff_user
from tests.members.factories import MemberFactory


@pytest.fixture
def coop(db):
    return LegalEntityFactory(
        slug="coop",
        name="SmartCoop",
        is_cooperative=True,
        is_employer=False,
        iban="BE71096123456769",
        bic="GKCCBEBB",
    )


@pytest.fixture
def eager_tasks():
    """Run tasks in-process when they are enqueued (after commit) instead of sending them."""
    from smartcoop.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def office_a(db):
    return OfficeFactory(name="Brussel", postcode_ranges="1000-1299")


@pytest.fixture
def office_b(db):
    return OfficeFactory(name="Liège", city="Liège", postcode_ranges="4000-4999")


@pytest.fixture
def adviser_a(office_a):
    return staff_user(Role.ADVISER, office=office_a, first_name="Ada", last_name="Adviser")


@pytest.fixture
def adviser_b(office_b):
    return staff_user(Role.ADVISER, office=office_b, first_name="Bo", last_name="Other")


@pytest.fixture
def accountant(coop):
    return staff_user(Role.ACCOUNTANT)


@pytest.fixture
def payroll_officer(db):
    return staff_user(Role.PAYROLL_OFFICER)


@pytest.fixture
def applicant(office_a, adviser_a):
    """An onboarded applicant of office A, followed by adviser A, with a login."""
    user = UserFactory(email="applicant@example.org", first_name="Ann", last_name="Applicant")
    return MemberFactory(
        user=user,
        email=user.email,
        first_name="Ann",
        last_name="Applicant",
        office=office_a,
        adviser=adviser_a,
    )


@pytest.fixture
def other_member(office_b, adviser_b):
    """Someone else: another member, of another office."""
    user = UserFactory(email="other@example.org")
    return MemberFactory(
        user=user,
        email=user.email,
        first_name="Otto",
        last_name="Other",
        office=office_b,
        adviser=adviser_b,
    )


@pytest.fixture
def session_tomorrow(db):
    starts = timezone.localtime() + timedelta(days=1)
    return InfoSession.objects.create(
        starts_at=starts.replace(hour=18, minute=0, second=0, microsecond=0),
        language="en",
        mode=InfoSession.Mode.ONLINE,
        online_url="https://meet.example.org/x",
        capacity=2,
    )


@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted in English (the deployment's default language is Dutch)."""
    from django.utils import translation

    with translation.override("en"):
        yield
