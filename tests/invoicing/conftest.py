"""Fixtures of the invoicing tests: a Belgian entity, a member with an Activity, clients."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest

from activities.models import Activity, ActivityMembership
from invoicing import services
from members.models import Member
from smartcoop.core.roles import Role
from smartcoop.core.sectors import Sector
from tests.factories import LegalEntityFactory, OfficeFactory, UserFactory, staff_user

_numbers = itertools.count(70_000)


def make_member(*, office=None, user=None) -> Member:
    user = user or UserFactory()
    return Member.objects.create(
        user=user,
        status=Member.Status.ACTIVE,
        member_number=next(_numbers),
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        office=office,
    )


def make_activity(*, entity, member, name="Sound and light") -> Activity:
    activity = Activity.objects.create(
        entity=entity,
        name=name,
        sector=Sector.MUSIC,
        status=Activity.Status.ACTIVE,
        coordinator=member,
    )
    ActivityMembership.objects.create(activity=activity, member=member, can_invoice=True)
    return activity


@pytest.fixture
def be_entity(db):
    return LegalEntityFactory(
        name="Verenigde Producties",
        legal_form="vzw",
        email="facturatie@example.org",
        invoice_series_prefix="VP",
        credit_note_series_prefix="VPC",
    )


@pytest.fixture
def fr_entity(db):
    """A French entity of a (French) deployment: SIREN, FR VAT number, French bank account."""
    return LegalEntityFactory(
        name="SmartFr",
        legal_form="SCIC SA",
        country="FR",
        enterprise_number="303265045",
        vat_number="FR40303265045",
        street="10 rue de Paris",
        postcode="75010",
        city="Paris",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        default_language="fr",
        invoice_series_prefix="SF",
        credit_note_series_prefix="SFC",
    )


@pytest.fixture
def office(db):
    return OfficeFactory()


@pytest.fixture
def member(db, office):
    return make_member(office=office)


@pytest.fixture
def activity(be_entity, member):
    return make_activity(entity=be_entity, member=member)


@pytest.fixture
def adviser(db, office, be_entity):
    return staff_user(Role.ADVISER, office=office, entities=[be_entity])


@pytest.fixture
def customer_service(db, be_entity):
    return staff_user(Role.CUSTOMER_SERVICE, entities=[be_entity])


@pytest.fixture
def accountant(db, be_entity):
    return staff_user(Role.ACCOUNTANT, entities=[be_entity])


def theater_antwerpen(*, entity, member, activity, language: str = "en"):
    """The Belgian company client most tests invoice (the demo's Theater Antwerpen nv)."""
    return services.client_create(
        entity=entity,
        actor=member.user,
        activity=activity,
        kind="company",
        name="Theater Antwerpen nv",
        street="Kunstlaan 1",
        postcode="2000",
        city="Antwerpen",
        country="BE",
        vat_number="BE0403170701",
        email="ap@theater.example",
        language=language,
    )


@pytest.fixture
def be_client(be_entity, activity, member):
    return theater_antwerpen(entity=be_entity, member=member, activity=activity)


@pytest.fixture
def fr_client(be_entity, activity, member):
    return services.client_create(
        entity=be_entity,
        actor=member.user,
        activity=activity,
        kind="company",
        name="Festival de Lille SAS",
        street="1 rue de la Gare",
        postcode="59000",
        city="Lille",
        country="FR",
        vat_number="FR40303265045",
        email="compta@festival.example",
        language="en",
    )


@pytest.fixture
def ch_client(be_entity, activity, member):
    return services.client_create(
        entity=be_entity,
        actor=member.user,
        activity=activity,
        kind="company",
        name="Opernhaus Zürich AG",
        street="Falkenstrasse 1",
        postcode="8008",
        city="Zürich",
        country="CH",
        vat_number="CHE-116.281.710 MWST",
        email="kreditoren@opernhaus.example",
        language="en",
    )


@pytest.fixture
def consumer(be_entity, activity, member):
    return services.client_create(
        entity=be_entity,
        actor=member.user,
        activity=activity,
        kind="person",
        name="Jan Peeters",
        street="Veldstraat 10",
        postcode="9000",
        city="Gent",
        country="BE",
        email="jan@example.org",
        language="nl",
    )


LINES = [
    {
        "description": "Sound engineering, concert 12 March",
        "quantity": Decimal("8"),
        "unit": "HUR",
        "unit_price": Decimal("65.0000"),
        "vat_rate_code": "standard",
    },
    {
        "description": "Light design",
        "quantity": Decimal("1.5"),
        "unit": "DAY",
        "unit_price": Decimal("333.3333"),
        "vat_rate_code": "reduced",
    },
]


@pytest.fixture
def draft(activity, be_client, member):
    return services.invoice_draft_save(
        actor=member.user, activity=activity, client=be_client, lines=LINES
    )


@pytest.fixture
def issued(draft, member):
    from datetime import date

    return services.invoice_issue(invoice=draft, issued_by=member.user, on=date(2026, 3, 2))


@pytest.fixture
def tasks_inline(monkeypatch, settings, tmp_path):
    """No worker: tasks enqueued after commit run in the test's thread; files go to tmp_path."""
    from invoicing import tasks

    settings.MEDIA_ROOT = tmp_path / "media"
    # Called as the worker calls it (`__call__`): in the scope of the task's entity_id.
    monkeypatch.setattr(tasks.SmartcoopTask, "enqueue", lambda self, *a, **kw: self(*a, **kw))


def issue_overdue(member, activity, client, days_late: int, *, on: date):
    """An invoice with 30-day terms issued so that on `on` it is `days_late` days overdue."""
    draft = services.invoice_draft_save(
        actor=member.user, activity=activity, client=client, lines=LINES, payment_days=30
    )
    return services.invoice_issue(
        invoice=draft, issued_by=member.user, on=on - timedelta(days=30 + days_late)
    )


def run_reminders(on: date) -> int:
    """The daily reminder run as beat starts it (every entity, each in its own scope), with its
    after-commit sends executed."""
    from django.test import TestCase

    from invoicing.tasks import reminders_daily

    with TestCase.captureOnCommitCallbacks(execute=True):
        return reminders_daily(on=on.isoformat())


def reminder_emails() -> list:
    """Reminder e-mails, found by their PDF letter (subjects are in the client's language)."""
    from django.core import mail

    return [m for m in mail.outbox if any("-reminder-" in a[0] for a in m.attachments)]
