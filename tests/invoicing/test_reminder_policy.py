"""An entity's own reminder policy: levels, delays and texts within the law; the daily run uses
it (the pack's schedule otherwise), never sends a level twice, and staff edit it on a page."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from invoicing import services
from invoicing.models import Reminder, ReminderPolicy
from smartcoop.core.errors import ValidationFailed
from smartcoop.core.models import AuditLogEntry
from smartcoop.core.roles import Role
from tests.factories import LegalEntityFactory, staff_user
from tests.invoicing.conftest import (
    issue_overdue,
    make_activity,
    make_member,
    reminder_emails,
    run_reminders,
)

TODAY = date(2026, 6, 1)


pytestmark = [pytest.mark.entity_scope("be_entity"), pytest.mark.usefixtures("tasks_inline")]


def _overdue(member, activity, client, days_late: int, on: date = TODAY):
    return issue_overdue(member, activity, client, days_late, on=on)


def _values(**overrides):
    values = {
        "first_reminder_enabled": True,
        "first_reminder_days": 7,
        "first_reminder_text": "",
        "second_reminder_enabled": True,
        "second_reminder_days": 21,
        "second_reminder_text": "",
        "formal_notice_enabled": True,
        "formal_notice_days": 35,
        "formal_notice_text": "",
    }
    values.update(overrides)
    return values


def test_entity_policy_sets_delays_levels_and_texts(member, activity, be_client, be_entity):
    services.reminder_policy_save(
        entity=be_entity,
        actor=None,
        audience="business",
        values=_values(
            first_reminder_days=3,
            first_reminder_text="Questions? Call our accounts desk on 02 555 01 01.",
            second_reminder_enabled=False,
            formal_notice_days=10,
            formal_notice_text="Without payment within 8 days, the file goes to our lawyer.",
        ),
        on=TODAY,
    )
    late = _overdue(member, activity, be_client, 12)  # pack: a first reminder only
    early = _overdue(member, activity, be_client, 4)  # pack: nothing before day 7
    # Another entity without a policy keeps the pack's schedule.
    other_member = make_member()
    other_entity = LegalEntityFactory(invoice_series_prefix="OT")
    other_activity = make_activity(entity=other_entity, member=other_member)
    with scope(entity=other_entity.pk):
        other_client = services.client_create(
            entity=other_entity,
            actor=other_member.user,
            activity=other_activity,
            kind="company",
            name="Other client nv",
            street="Rue 1",
            postcode="1000",
            city="Bruxelles",
            country="BE",
            vat_number="BE0403170701",
            email="ap@other.example",
            language="en",
        )
        untouched = _overdue(other_member, other_activity, other_client, 4)

    assert run_reminders(TODAY) == 2
    assert run_reminders(TODAY) == 0  # idempotent
    first = Reminder.objects.get(invoice=early)
    notice = Reminder.objects.get(invoice=late)
    assert (first.kind, first.step) == ("reminder", 1)
    assert (notice.kind, notice.step) == ("formal_notice", 3)
    assert notice.fixed_costs == Decimal("40.00")
    assert not Reminder.objects.filter(invoice=untouched).exists()
    bodies = {m.subject.split(":")[0]: m.body for m in reminder_emails()}
    assert "Call our accounts desk on 02 555 01 01." in bodies["Reminder"]
    assert "the file goes to our lawyer." in bodies["Formal notice"]
    assert "accounts desk" not in bodies["Formal notice"]


def test_a_changed_policy_never_sends_a_level_twice(member, activity, be_client, be_entity):
    invoice = _overdue(member, activity, be_client, 8)
    assert run_reminders(TODAY) == 1  # pack: first reminder at +7
    services.reminder_policy_save(
        entity=be_entity,
        actor=None,
        audience="business",
        values=_values(first_reminder_days=9, second_reminder_days=30, formal_notice_days=60),
        on=TODAY,
    )
    assert run_reminders(TODAY + timedelta(days=2)) == 0
    assert run_reminders(TODAY + timedelta(days=23)) == 1  # second reminder at +30 (8 + 23 = 31)
    assert run_reminders(TODAY + timedelta(days=23)) == 0
    assert list(Reminder.objects.filter(invoice=invoice).values_list("step", flat=True)) == [1, 2]


def test_a_consumer_long_overdue_first_gets_the_free_reminder(member, activity, consumer):
    invoice = _overdue(member, activity, consumer, 40)  # past every step of the schedule
    assert run_reminders(TODAY) == 1
    first = Reminder.objects.get(invoice=invoice)
    assert (first.step, first.kind, first.fixed_costs, first.interest) == (1, "reminder", 0, 0)
    assert [m.to for m in reminder_emails()] == [["jan@example.org"]]  # one letter, free
    assert run_reminders(TODAY + timedelta(days=14)) == 0  # Book XIX: 14 days from the day after
    assert run_reminders(TODAY + timedelta(days=15)) == 1
    notice = Reminder.objects.get(invoice=invoice, kind="formal_notice")
    assert notice.fixed_costs == Decimal("65.00") + (Decimal("1159.20") - 500) * Decimal("0.05")


@pytest.mark.parametrize(
    ("audience", "overrides", "field", "words"),
    [
        (
            "business",
            {"formal_notice_days": 0},
            "formal_notice_days",
            "Law of 2 August 2002",
        ),
        ("business", {"first_reminder_days": 0}, "first_reminder_days", "after the due date"),
        (
            "business",
            {"second_reminder_days": 7},
            "second_reminder_days",
            "must come after the first reminder",
        ),
        (
            "consumer",
            {"first_reminder_enabled": False},
            "first_reminder_enabled",
            "Book XIX Code of Economic Law",
        ),
        (
            "consumer",
            {"second_reminder_enabled": False, "formal_notice_days": 20},
            "formal_notice_days",
            "day 22 after the due date or later (Book XIX",
        ),
    ],
)
def test_a_policy_outside_the_law_is_refused_at_the_field(
    be_entity, audience, overrides, field, words
):
    with pytest.raises(ValidationFailed) as refused:
        services.reminder_policy_save(
            entity=be_entity, actor=None, audience=audience, values=_values(**overrides), on=TODAY
        )
    assert refused.value.field == field
    assert words in refused.value.message
    assert not ReminderPolicy.objects.exists()


@pytest.fixture
def french_entity(db):
    return LegalEntityFactory(country="FR")


@pytest.mark.entity_scope("french_entity")
def test_french_consumers_may_get_a_formal_notice_claiming_no_costs(french_entity):
    entity = french_entity
    policy = services.reminder_policy_save(
        entity=entity, actor=None, audience="consumer", values=_values(), on=TODAY
    )
    assert policy.formal_notice_enabled and policy.formal_notice_days == 35


def _post(client, audience, **overrides):
    data = {"audience": audience}
    for name, value in _values(**overrides).items():
        if value is False:
            continue
        data[f"{audience}-{name}"] = "on" if value is True else value
    return client.post(reverse("invoicing:staff_reminder_policy"), data)


def test_customer_service_edits_the_policy_on_a_page(client, customer_service, be_entity):
    client.force_login(customer_service)
    url = reverse("invoicing:staff_reminder_policy")
    page = client.get(url).content.decode()
    assert "Country defaults" in page and 'value="35"' in page and 'value="22"' in page

    refused = _post(client, "consumer", second_reminder_enabled=False, formal_notice_days=20)
    assert refused.status_code == 200
    assert "day 22 after the due date or later" in refused.content.decode()
    assert not ReminderPolicy.objects.exists()

    saved = _post(client, "business", formal_notice_days=45, formal_notice_text="Last call.")
    assert saved.status_code == 302
    policy = ReminderPolicy.objects.get(entity=be_entity, audience="business")
    assert (policy.formal_notice_days, policy.formal_notice_text) == (45, "Last call.")
    page = client.get(url).content.decode()
    assert "Own policy" in page and "Last call." in page
    entry = AuditLogEntry.objects.get(action="invoicing.reminder_policy.created")
    assert entry.actor == customer_service and entry.entity_id == be_entity.pk

    _post(client, "business", formal_notice_days=50, formal_notice_text="Last call.")
    changed = AuditLogEntry.objects.get(action="invoicing.reminder_policy.changed")
    assert changed.data["changes"] == {"formal_notice_days": [45, 50]}

    reset = client.post(url, {"audience": "business", "action": "reset"})
    assert reset.status_code == 302 and not ReminderPolicy.objects.exists()
    assert AuditLogEntry.objects.filter(action="invoicing.reminder_policy.deleted").exists()


def test_only_collection_staff_and_administrators_reach_the_policy_page(
    client, be_entity, accountant, adviser, member
):
    url = reverse("invoicing:staff_reminder_policy")
    admin = staff_user(Role.ADMINISTRATOR, entities=[be_entity])
    client.force_login(admin)
    assert client.get(url).status_code == 200
    for user in (accountant, adviser, member.user):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert _post(client, "business").status_code == 404
    assert not ReminderPolicy.objects.exists()


def test_staff_of_another_entity_never_see_or_change_this_policy(
    client, be_entity, customer_service
):
    services.reminder_policy_save(
        entity=be_entity,
        actor=None,
        audience="business",
        values=_values(formal_notice_text="Secret wording of entity one."),
        on=TODAY,
    )
    other = staff_user(Role.CUSTOMER_SERVICE, entities=[LegalEntityFactory()])
    client.force_login(other)
    page = client.get(reverse("invoicing:staff_reminder_policy")).content.decode()
    assert "Secret wording" not in page and "Country defaults" in page
    _post(client, "business", formal_notice_days=60)
    mine = ReminderPolicy.objects.get(entity=be_entity)
    assert mine.formal_notice_days == 35
