"""Contract tool: declaring a performance issues the invoice and creates the employment contract
in one transaction."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import EmploymentContract
from invoicing import services
from invoicing.models import Invoice
from smartcoop.core.errors import ApplicationError

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")


def declare(member, activity, client, start, **kw):
    return services.performance_declare(
        actor=member.user,
        activity=activity,
        client=client,
        member=member,
        contract_type="artistic",
        start_date=start,
        end_date=start,
        hours=Decimal("8"),
        price_excl_vat=Decimal("800.00"),
        function="Sound engineer",
        **kw,
    )


def test_declaring_a_performance_issues_the_invoice_and_creates_the_contract(
    member, activity, be_client
):
    start = timezone.localdate() + timedelta(days=3)
    invoice = declare(member, activity, be_client, start)
    assert invoice.is_issued and invoice.total_excl_vat == Decimal("800.00")
    contract = EmploymentContract.objects.get(source_type="invoicing.invoice")
    assert contract.source_id == str(invoice.public_id)
    assert contract.member == member and contract.start_date == start


def test_a_refused_contract_leaves_no_invoice_and_no_number(member, activity, be_client):
    start = timezone.localdate() + timedelta(days=3)
    first = declare(member, activity, be_client, start)
    with pytest.raises(ApplicationError):
        declare(member, activity, be_client, start)  # overlapping contract for the same person
    assert Invoice.objects.filter(number__isnull=False).count() == 1
    assert Invoice.objects.count() == 1
    after = declare(member, activity, be_client, start + timedelta(days=1))
    assert after.number == first.number + 1  # no gap


def test_with_approval_the_contract_comes_at_approval(
    be_entity, member, activity, be_client, adviser
):
    be_entity.invoice_approval_required = True
    be_entity.save()
    start = timezone.localdate() + timedelta(days=5)
    invoice = declare(member, activity, be_client, start)
    assert invoice.status == Invoice.Status.AWAITING_APPROVAL
    assert not EmploymentContract.objects.exists()
    services.invoice_approve(invoice=invoice, actor=adviser)
    assert EmploymentContract.objects.filter(source_id=str(invoice.public_id)).exists()


def test_member_declares_a_performance_from_the_page(client, member, activity, be_client):
    from django.urls import reverse

    client.force_login(member.user)
    assert client.get(reverse("invoicing:member_performance_new")).status_code == 200
    start = timezone.localdate() + timedelta(days=4)
    response = client.post(
        reverse("invoicing:member_performance_new"),
        {
            "activity": str(activity.public_id),
            "client": str(be_client.public_id),
            "contract_type": "artistic",
            "function": "Musician",
            "start_date": start,
            "end_date": start,
            "hours": "6",
            "price_excl_vat": "600",
            "vat_rate_code": "reduced",
            "workplace_country": "BE",
            "description": "",
        },
    )
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert invoice.is_issued and invoice.total_incl_vat == Decimal("636.00")
    assert EmploymentContract.objects.filter(source_id=str(invoice.public_id)).exists()
