import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django_scopes import scope

from invoicing import services
from invoicing.models import Invoice, InvoiceLine
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import AuditLogEntry
from tests.invoicing.conftest import LINES

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")


def test_draft_has_no_number_and_totals_are_the_sum_of_lines(draft):
    assert draft.number is None and draft.reference == ""
    lines = list(draft.lines.all())
    assert [line.line_total for line in lines] == [Decimal("520.00"), Decimal("500.00")]
    assert [line.vat_category for line in lines] == ["S", "S"]
    assert draft.total_excl_vat == Decimal("1020.00")
    assert draft.total_vat == Decimal("109.20") + Decimal("30.00")
    assert draft.total_incl_vat == Decimal("1159.20")
    assert draft.payment_days == 30  # be.invoice_payment_days_default


def test_issue_gives_number_due_date_ogm_and_snapshot(issued, be_entity):
    assert issued.reference == "VP2026-000001"
    assert issued.status == Invoice.Status.ISSUED
    assert issued.due_date == date(2026, 4, 1)
    assert len(issued.structured_communication) == 12
    snap = issued.snapshot
    assert snap["issuer"]["vat_number"] == be_entity.vat_number
    assert snap["client"]["vat_number"] == "BE0403170701"
    assert snap["totals"]["incl_vat"] == "1159.20"
    assert snap["mentions"]["late_interest_rate"] == "0.105"
    assert snap["mentions"]["fixed_indemnity"] == "40.00"
    assert AuditLogEntry.objects.filter(
        action="invoicing.invoice.issued", target_id=str(issued.public_id)
    ).exists()
    # Later changes to the entity or the client do not change the issued invoice.
    be_entity.name = "Renamed"
    be_entity.save()
    issued.refresh_from_db()
    assert issued.snapshot["issuer"]["name"] == "Verenigde Producties"


def test_numbers_follow_and_dates_never_go_back(activity, be_client, member):
    def new():
        return services.invoice_draft_save(
            actor=member.user, activity=activity, client=be_client, lines=LINES
        )

    first = services.invoice_issue(invoice=new(), issued_by=member.user, on=date(2026, 3, 5))
    second = services.invoice_issue(invoice=new(), issued_by=member.user, on=date(2026, 3, 5))
    assert (first.number, second.number) == (1, 2)
    late = new()
    with pytest.raises(Conflict) as error:
        services.invoice_issue(invoice=late, issued_by=member.user, on=date(2026, 3, 4))
    assert error.value.field == "issue_date"
    late.refresh_from_db()
    assert late.number is None  # the refused number is given back: no gap
    third = services.invoice_issue(invoice=late, issued_by=member.user, on=date(2026, 3, 6))
    assert third.number == 3


def test_issued_invoice_is_immutable_in_services_and_database(issued, member):
    with pytest.raises(Conflict):
        services.invoice_draft_save(
            actor=member.user,
            invoice=issued,
            activity=issued.activity,
            client=issued.client,
            lines=LINES,
        )
    with pytest.raises(Conflict):
        services.invoice_issue(invoice=issued, issued_by=member.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=issued.pk).update(total_incl_vat=Decimal("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=issued.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.filter(invoice=issued).update(description="changed")
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.create(
            invoice=issued, position=9, description="x", quantity=1, unit_price=1
        )
    # Payment state may change.
    Invoice.objects.filter(pk=issued.pk).update(amount_paid=Decimal("10.00"))


def test_unique_number_constraint_is_the_backstop(issued):
    with pytest.raises(IntegrityError), transaction.atomic():
        clone = Invoice.objects.get(pk=issued.pk)
        clone.pk = None
        clone.public_id = None
        import uuid

        clone.public_id = uuid.uuid4()
        clone.save(force_insert=True)


def test_payment_term_above_b2b_maximum_is_refused_naming_the_field(activity, be_client, member):
    with pytest.raises(ValidationFailed) as error:
        services.invoice_draft_save(
            actor=member.user, activity=activity, client=be_client, lines=LINES, payment_days=61
        )
    assert error.value.field == "payment_days"
    assert "60" in error.value.message


def test_consumer_may_get_a_longer_term(activity, consumer, member):
    invoice = services.invoice_draft_save(
        actor=member.user, activity=activity, client=consumer, lines=LINES, payment_days=90
    )
    assert invoice.payment_days == 90


def test_negative_total_is_refused(activity, be_client, member):
    with pytest.raises(ValidationFailed) as error:
        services.invoice_draft_save(
            actor=member.user,
            activity=activity,
            client=be_client,
            lines=[{"description": "Refund", "quantity": 1, "unit_price": "-10"}],
        )
    assert error.value.field == "lines" and error.value.code == "negative_total"


def test_reverse_charge_for_eu_business(activity, fr_client, member):
    invoice = services.invoice_draft_save(
        actor=member.user, activity=activity, client=fr_client, lines=LINES
    )
    assert invoice.vat_regime == "reverse_charge"
    assert invoice.total_vat == 0
    assert {line.vat_category for line in invoice.lines.all()} == {"AE"}
    issued = services.invoice_issue(invoice=invoice, issued_by=member.user, on=date(2026, 3, 2))
    assert "Reverse charge" in issued.snapshot["mentions"]["vat"]


def test_reverse_charge_without_vat_number_is_refused(be_entity, activity, member):
    from invoicing.models import Client

    client = Client.objects.create(
        entity=be_entity,
        kind="company",
        name="Sans TVA",
        street="x",
        postcode="75001",
        city="Paris",
        country="FR",
    )
    with pytest.raises(ValidationFailed) as error:
        services.invoice_draft_save(
            actor=member.user, activity=activity, client=client, lines=LINES
        )
    assert error.value.field == "vat_number"


def test_outside_eu_and_consumer_treatments(activity, ch_client, consumer, member):
    export = services.invoice_draft_save(
        actor=member.user, activity=activity, client=ch_client, lines=LINES
    )
    assert export.vat_regime == "outside_eu" and export.total_vat == 0
    private = services.invoice_draft_save(
        actor=member.user, activity=activity, client=consumer, lines=LINES
    )
    assert private.vat_regime == "domestic" and private.total_vat > 0


def test_staff_override_with_reason_is_audited(draft, customer_service):
    with pytest.raises(ValidationFailed):
        services.invoice_vat_override(
            invoice=draft, actor=customer_service, regime="exempt", reason=""
        )
    invoice = services.invoice_vat_override(
        invoice=draft, actor=customer_service, regime="exempt", reason="Art. 44 §2 8° performer"
    )
    assert invoice.vat_regime == "exempt" and invoice.total_vat == 0
    assert AuditLogEntry.objects.filter(action="invoicing.invoice.vat_overridden").exists()


def test_invalid_client_vat_number_is_refused(be_entity, activity, member):
    with pytest.raises(ValidationFailed) as error:
        services.client_create(
            entity=be_entity,
            actor=member.user,
            activity=activity,
            kind="company",
            name="Bad",
            street="x",
            postcode="1000",
            city="Brussel",
            country="BE",
            vat_number="BE0403170702",
        )
    assert error.value.field == "vat_number"


def test_belgian_company_gets_peppol_endpoint_and_duplicates_are_detected(
    be_client, be_entity, activity, member
):
    assert (be_client.peppol_scheme, be_client.peppol_id) == ("0208", "0403170701")
    again = services.client_create(
        entity=be_entity,
        actor=member.user,
        activity=activity,
        kind="company",
        name="Theater Antwerpen",
        street="x",
        postcode="2000",
        city="Antwerpen",
        country="BE",
        vat_number="BE 0403.170.701",
    )
    assert again.pk == be_client.pk and again.was_duplicate
    with pytest.raises(ValidationFailed) as error:
        services.client_create(
            entity=be_entity,
            actor=member.user,
            activity=activity,
            kind="person",
            name="Theater Antwerpen nv",
            street="y",
            postcode="2000",
            city="Antwerpen",
            country="BE",
        )
    assert error.value.code == "duplicate"


def test_credit_note_full_and_partial(issued, member):
    partial = services.credit_note_create(
        invoice=issued,
        actor=member.user,
        reason="One hour less",
        lines=[
            {
                "description": "Sound engineering, one hour less",
                "quantity": 1,
                "unit": "HUR",
                "unit_price": "65",
                "vat_rate_code": "standard",
            }
        ],
    )
    partial = services.invoice_issue(invoice=partial, issued_by=member.user, on=date(2026, 3, 3))
    assert partial.reference == "VPC2026-000001"
    assert partial.snapshot["credited_invoice"]["reference"] == issued.reference
    issued.refresh_from_db()
    assert issued.amount_credited == Decimal("78.65")
    assert issued.amount_due == Decimal("1159.20") - Decimal("78.65")
    full = services.credit_note_create(invoice=issued, actor=member.user)
    with pytest.raises(ValidationFailed) as error:
        services.invoice_issue(invoice=full, issued_by=member.user, on=date(2026, 3, 3))
    assert error.value.code == "over_credit"


def test_approval_required_by_entity(be_entity, draft, member, adviser):
    be_entity.invoice_approval_required = True
    be_entity.save()
    draft.entity.refresh_from_db()
    submitted = services.invoice_submit(invoice=draft, actor=member.user, on=date(2026, 3, 2))
    assert submitted.status == Invoice.Status.AWAITING_APPROVAL and submitted.number is None
    with pytest.raises(Conflict):
        services.invoice_issue(invoice=submitted, issued_by=member.user)
    approved = services.invoice_approve(invoice=submitted, actor=adviser, on=date(2026, 3, 2))
    assert approved.number == 1 and approved.approved_by == adviser


@pytest.mark.django_db(transaction=True)
def test_two_threads_issuing_in_one_series_get_consecutive_numbers(
    be_entity, activity, be_client, member
):
    drafts = [
        services.invoice_draft_save(
            actor=member.user, activity=activity, client=be_client, lines=LINES
        )
        for _ in range(20)
    ]
    barrier = threading.Barrier(2)
    errors = []

    def worker(chunk):
        try:
            barrier.wait()
            with scope(entity=be_entity.pk):  # a thread starts with no scope
                for invoice in chunk:
                    services.invoice_issue(
                        invoice=invoice, issued_by=member.user, on=date(2026, 3, 2)
                    )
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(drafts[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(
        Invoice.objects.filter(entity=be_entity, series="VP").values_list("number", flat=True)
    )
    assert numbers == list(range(1, 21))


def test_the_printed_texts_are_in_the_clients_language_whoever_issues(draft, member, be_client):
    """A French-speaking member issues an invoice for an English-speaking client: the frozen
    mentions are English like the rest of the document, not half French."""
    from django.utils import translation

    with translation.override("fr"):
        invoice = services.invoice_issue(invoice=draft, issued_by=member.user, on=date(2026, 3, 2))
    assert be_client.language == "en"
    assert invoice.snapshot["mentions"]["late_payment"].startswith("Any amount unpaid")
    assert "same country" in invoice.snapshot["vat"]["explanation"]
