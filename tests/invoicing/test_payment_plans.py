from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from invoicing import services
from invoicing.models import Invoice, PaymentPlan, Reminder
from smartcoop.core.errors import ValidationFailed

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")


@time_machine.travel(date(2026, 4, 10))
def test_payment_plan_pauses_reminders_until_an_instalment_is_missed(issued, customer_service):
    today = date(2026, 4, 10)  # issued on 2 March, due 1 April
    with pytest.raises(ValidationFailed) as error:
        services.payment_plan_create(
            invoice=issued,
            actor=customer_service,
            instalments=[(today, Decimal("100")), (today + timedelta(days=30), Decimal("100"))],
        )
    assert error.value.field == "instalments" and "1159.20" in error.value.message
    plan = services.payment_plan_create(
        invoice=issued,
        actor=customer_service,
        instalments=[
            (today + timedelta(days=5), Decimal("600")),
            (today + timedelta(days=35), Decimal("559.20")),
        ],
    )
    issued.refresh_from_db()
    assert issued.collection == Invoice.Collection.PAYMENT_PLAN
    assert services.reminders_run(on=today) == 0
    # The first instalment is paid in time: the plan holds.
    services.payment_record(
        invoice=issued, amount=Decimal("600"), on=today, source="manual", actor=customer_service
    )
    assert services.reminders_run(on=today + timedelta(days=20)) == 0
    # The second is missed: the plan breaks and the reminders resume.
    assert services.reminders_run(on=today + timedelta(days=50)) == 1
    plan.refresh_from_db()
    assert plan.status == PaymentPlan.Status.BROKEN
    assert Reminder.objects.filter(invoice=issued).count() == 1


@time_machine.travel(date(2026, 4, 10))
def test_staff_agree_a_plan_on_the_invoice_page(client, issued, customer_service):
    client.force_login(customer_service)
    url = reverse("invoicing:staff_invoice_collection", args=[issued.public_id])
    client.post(url, {"action": "payment_plan", "instalments": "2026-04-20 600\n2026-05-20 559.20"})
    assert PaymentPlan.objects.filter(invoice=issued, status="active").exists()
    response = client.post(
        url, {"action": "payment_plan", "instalments": "tomorrow 5"}, follow=True
    )
    assert "Line 1" in response.content.decode()


@pytest.mark.parametrize("amount", ["Infinity", "NaN", "600.001"])
def test_a_payment_plan_refuses_an_amount_that_is_not_cents(issued, customer_service, amount):
    # Infinity and NaN used to escape as TypeError / InvalidOperation instead of this refusal.
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as error:
        services.payment_plan_create(
            invoice=issued,
            actor=customer_service,
            instalments=[
                (today + timedelta(days=5), Decimal(amount)),
                (today + timedelta(days=35), Decimal("559.20")),
            ],
        )
    assert error.value.field == "instalments"
    assert not PaymentPlan.objects.filter(invoice=issued).exists()
