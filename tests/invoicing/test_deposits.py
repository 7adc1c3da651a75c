"""Deposit invoices: part of the price in advance; the final invoice deducts what the deposit
invoiced (one negative line per VAT rate, pointing to the deposit), once."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from invoicing import services
from invoicing.documents.schematron import peppol_validator
from invoicing.documents.ubl import build_ubl
from invoicing.models import Invoice
from smartcoop.core.errors import ValidationFailed
from tests.invoicing.conftest import LINES

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")

DEPOSIT_LINES = [
    {
        "description": "Deposit: sound engineering",
        "quantity": Decimal("1"),
        "unit": "LS",
        "unit_price": Decimal("300"),
        "vat_rate_code": "standard",
    },
    {
        "description": "Deposit: light design",
        "quantity": Decimal("1"),
        "unit": "LS",
        "unit_price": Decimal("100"),
        "vat_rate_code": "reduced",
    },
]


def _deposit(member, activity, client, on=date(2026, 3, 2)):
    draft = services.invoice_draft_save(
        actor=member.user, activity=activity, client=client, lines=DEPOSIT_LINES, is_deposit=True
    )
    return services.invoice_issue(invoice=draft, issued_by=member.user, on=on)


def _final(member, activity, client, deposits, **kw):
    return services.invoice_draft_save(
        actor=member.user,
        activity=activity,
        client=client,
        lines=LINES,
        deposits=deposits,
        **kw,
    )


def test_the_final_invoice_deducts_the_deposit_per_vat_rate(member, activity, be_client):
    deposit = _deposit(member, activity, be_client)
    assert deposit.snapshot["is_deposit"] is True
    assert deposit.total_incl_vat == Decimal("469.00")  # 300 + 21 % and 100 + 6 %
    final = _final(member, activity, be_client, [deposit])
    final = services.invoice_issue(invoice=final, issued_by=member.user, on=date(2026, 4, 1))
    deductions = [line for line in final.lines.all() if line.deposit_invoice_id]
    assert {(line.vat_rate, line.line_total) for line in deductions} == {
        (Decimal("0.2100"), Decimal("-300.00")),
        (Decimal("0.0600"), Decimal("-100.00")),
    }
    assert all(deposit.reference in line.description for line in deductions)
    # 520 - 300 = 220 at 21 % and 500 - 100 = 400 at 6 %.
    assert (final.total_excl_vat, final.total_vat, final.total_incl_vat) == (
        Decimal("620.00"),
        Decimal("70.20"),
        Decimal("690.20"),
    )
    assert deposit.total_incl_vat + final.total_incl_vat == Decimal("1159.20")  # the full price
    assert final.snapshot["deposits_deducted"] == [
        {"reference": deposit.reference, "issue_date": "2026-03-02"}
    ]


def test_deposit_and_final_e_invoices_pass_the_peppol_rules(member, activity, be_client):
    deposit = _deposit(member, activity, be_client)
    final = services.invoice_issue(
        invoice=_final(member, activity, be_client, [deposit]),
        issued_by=member.user,
        on=date(2026, 4, 1),
    )
    validator = peppol_validator()
    deposit_xml, final_xml = build_ubl(deposit.snapshot), build_ubl(final.snapshot)
    assert b"<cbc:InvoiceTypeCode>386</cbc:InvoiceTypeCode>" in deposit_xml
    assert f"<cbc:ID>{deposit.reference}</cbc:ID>".encode() in final_xml  # BillingReference
    assert [f.rule_id for f in validator.fatal(deposit_xml)] == []
    assert [f"{f.rule_id}: {f.message}" for f in validator.fatal(final_xml)] == []


def test_a_deposit_is_deducted_once(member, activity, be_client):
    deposit = _deposit(member, activity, be_client)
    first = services.invoice_issue(
        invoice=_final(member, activity, be_client, [deposit]),
        issued_by=member.user,
        on=date(2026, 4, 1),
    )
    with pytest.raises(ValidationFailed) as refused:
        _final(member, activity, be_client, [deposit])
    assert refused.value.field == "deposits"
    assert f"already deducted on {first.reference}" in refused.value.message


def test_a_draft_deducting_a_deposit_taken_meanwhile_cannot_be_issued(member, activity, be_client):
    deposit = _deposit(member, activity, be_client)
    draft = _final(member, activity, be_client, [deposit])
    # Another invoice deducting the same deposit is refused while the draft holds it.
    with pytest.raises(ValidationFailed, match="already deducted"):
        _final(member, activity, be_client, [deposit])
    issued = services.invoice_issue(invoice=draft, issued_by=member.user, on=date(2026, 4, 1))
    assert issued.is_issued


@pytest.mark.parametrize(
    ("case", "field", "words"),
    [
        ("not_a_deposit", "deposits", "is not an issued deposit invoice"),
        ("other_client", "deposits", "was sent to another client"),
        ("deposit_of_deposit", "deposits", "cannot deduct other deposits"),
        ("discount", "discount_rate", "cannot be combined with deducted deposits"),
        ("too_much", "lines", "cannot be negative"),
    ],
)
def test_wrong_deductions_are_refused_at_the_field(
    member, activity, be_client, fr_client, issued, case, field, words
):
    deposit = _deposit(member, activity, be_client)
    kwargs: dict = {}
    client, deposits, lines = be_client, [deposit], LINES
    if case == "not_a_deposit":
        deposits = [issued]
    elif case == "other_client":
        client = fr_client
    elif case == "deposit_of_deposit":
        kwargs["is_deposit"] = True
    elif case == "discount":
        kwargs["discount_rate"] = "10"
    elif case == "too_much":
        lines = [{**LINES[0], "quantity": Decimal("1")}]  # 65 < the 300 deposited at 21 %
    with pytest.raises(ValidationFailed) as refused:
        services.invoice_draft_save(
            actor=member.user,
            activity=activity,
            client=client,
            lines=lines,
            deposits=deposits,
            **kwargs,
        )
    assert refused.value.field == field
    assert words in refused.value.message


def test_an_issued_deposit_invoice_stays_a_deposit_invoice(member, activity, be_client):
    deposit = _deposit(member, activity, be_client)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE invoicing_invoice SET is_deposit = false WHERE id = %s", [deposit.pk]
        )


def test_member_invoices_a_deposit_then_the_final_invoice_on_the_page(
    client, member, activity, be_client, be_entity
):
    client.force_login(member.user)
    url = reverse("invoicing:member_invoice_new")

    def form_data(lines, **extra):
        data = {
            "activity": str(activity.public_id),
            "client": str(be_client.public_id),
            "payment_days": "30",
            "lines-TOTAL_FORMS": str(len(lines)),
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "100",
        }
        for i, line in enumerate(lines):
            for key, value in line.items():
                data[f"lines-{i}-{key}"] = str(value)
        data.update(extra)
        return data

    assert "Deduct these deposit invoices" not in client.get(url).content.decode()
    response = client.post(url, form_data(DEPOSIT_LINES, is_deposit="on"))
    assert response.status_code == 302
    deposit = Invoice.objects.get(is_deposit=True)
    deposit = services.invoice_issue(invoice=deposit, issued_by=member.user, on=date(2026, 3, 2))
    page = client.get(reverse("invoicing:member_invoice", args=[deposit.public_id]))
    assert "Not deducted yet" in page.content.decode()

    form = client.get(url).content.decode()
    assert "Deduct these deposit invoices" in form and deposit.reference in form
    response = client.post(url, form_data(LINES, deposits=str(deposit.public_id)))
    assert response.status_code == 302
    final = Invoice.objects.exclude(pk=deposit.pk).get()
    assert final.total_incl_vat == Decimal("690.20")
    detail = client.get(response["Location"]).content.decode()
    assert f"Deposit invoice {deposit.reference} of 02/03/2026, deducted" in detail
    edit = client.get(reverse("invoicing:member_invoice_edit", args=[final.public_id]))
    assert edit.context["formset"].total_form_count() == len(LINES)  # deductions not repeated
    page = client.get(reverse("invoicing:member_invoice", args=[deposit.public_id]))
    assert "Deducted on" in page.content.decode()
    # Once deducted, the deposit is no longer offered to another invoice.
    assert deposit.reference not in client.get(url).content.decode()
