import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from activities import selectors, services
from activities.models import ExpenseClaim, LedgerEntry, Loan, LoanRepayment
from activities.tasks import collect_loan_instalments
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import AuditLogEntry
from tests.activities.factories import ActivityFactory, credit

# Code under test runs in the scope of the Activities tests' entity (see factories).
pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]
TODAY = dt.date.today()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def receipt(content=PDF, name="receipt.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def claim_with_line(activity, amount="121.00", vat="21.00"):
    claim = services.expense_claim_create(
        activity=activity, member=activity.coordinator, title="Cables", actor=None
    )
    services.expense_line_add(
        claim=claim,
        spent_on=TODAY,
        category="equipment",
        description="XLR cables",
        amount_incl_vat=Decimal(amount),
        vat_amount=Decimal(vat),
        receipt=receipt(),
        actor=None,
    )
    return claim


def test_receipt_type_is_checked_by_content_not_name():
    activity = ActivityFactory()
    claim = services.expense_claim_create(
        activity=activity, member=activity.coordinator, title="x", actor=None
    )
    with pytest.raises(ValidationFailed) as error:
        services.expense_line_add(
            claim=claim,
            spent_on=TODAY,
            category="supplies",
            description="paper",
            amount_incl_vat=Decimal("10"),
            receipt=receipt(b"MZ\x90\0 not a pdf", "r.pdf"),
            actor=None,
        )
    assert error.value.code == "file_type"
    line = services.expense_line_add(
        claim=claim,
        spent_on=TODAY,
        category="supplies",
        description="paper",
        amount_incl_vat=Decimal("10"),
        receipt=receipt(PNG, "photo.jpg"),
        actor=None,
    )
    assert line.pk


def test_receipt_size_is_limited(settings):
    from activities import uploads

    activity = ActivityFactory()
    claim = services.expense_claim_create(
        activity=activity, member=activity.coordinator, title="x", actor=None
    )
    big = receipt(PDF + b"0" * (uploads.MAX_UPLOAD_BYTES + 1))
    with pytest.raises(ValidationFailed) as error:
        services.expense_line_add(
            claim=claim,
            spent_on=TODAY,
            category="supplies",
            description="paper",
            amount_incl_vat=Decimal("10"),
            receipt=big,
            actor=None,
        )
    assert error.value.code == "file_too_large"


def test_km_line_is_paid_at_the_dated_rate_without_receipt():
    activity = ActivityFactory()
    claim = services.expense_claim_create(
        activity=activity, member=activity.coordinator, title="Tour", actor=None
    )
    line = services.expense_line_add(
        claim=claim,
        spent_on=TODAY,
        category="km",
        description="Gent - Liège",
        km=Decimal("200"),
        actor=None,
    )
    assert line.km_rate == Decimal("0.4326")
    assert line.amount_incl_vat == Decimal("86.52")
    claim.refresh_from_db()
    assert claim.total == Decimal("86.52")


def test_vat_cannot_exceed_the_amount():
    activity = ActivityFactory()
    with pytest.raises(ValidationFailed):
        claim_with_line(activity, amount="10.00", vat="11.00")


def test_submitted_claim_is_pending_then_approved_into_the_ledger(admin_user):
    activity = ActivityFactory()
    credit(activity, "1000.00")
    claim = claim_with_line(activity)
    services.expense_claim_submit(claim=claim, actor=None)
    assert selectors.activity_budget(activity=activity).pending_expenses == Decimal("121.00")
    services.expense_claim_approve(claim=claim, actor=admin_user)
    budget = selectors.activity_budget(activity=activity)
    assert budget.pending_expenses == 0
    assert budget.balance == Decimal("814.00")
    assert LedgerEntry.objects.filter(kind="expense_reimbursement").get().amount == Decimal(
        "-121.00"
    )
    with pytest.raises(Conflict):
        services.expense_claim_approve(claim=claim, actor=admin_user)


def test_claim_above_available_is_refused_at_submission():
    activity = ActivityFactory()
    credit(activity, "100.00")  # 93.50
    claim = claim_with_line(activity)
    with pytest.raises(ValidationFailed) as error:
        services.expense_claim_submit(claim=claim, actor=None)
    assert error.value.extra["available"] == "93.50"


def test_rejection_needs_a_reason_and_books_nothing(admin_user):
    activity = ActivityFactory()
    credit(activity, "1000.00")
    claim = services.expense_claim_submit(claim=claim_with_line(activity), actor=None)
    with pytest.raises(ValidationFailed):
        services.expense_claim_reject(claim=claim, reason="", actor=admin_user)
    claim = services.expense_claim_reject(claim=claim, reason="private expense", actor=admin_user)
    assert claim.status == ExpenseClaim.Status.REJECTED
    assert not LedgerEntry.objects.filter(kind="expense_reimbursement").exists()


def _disbursed_loan(activity, admin_user, amount="1000.00", months=3, on=dt.date(2026, 1, 15)):
    loan = services.loan_apply(
        activity=activity,
        member=activity.coordinator,
        purpose="Camera",
        amount=Decimal(amount),
        months=months,
        actor=None,
    )
    services.loan_decide(loan=loan, approve=True, reason="", actor=admin_user)
    return services.loan_disburse(loan=loan, actor=admin_user, on=on)


def test_loan_disbursement_credits_and_monthly_task_repays_once(admin_user):
    activity = ActivityFactory()
    loan = _disbursed_loan(activity, admin_user)
    assert selectors.activity_budget(activity=activity).balance == Decimal("1000.00")
    assert loan.next_due_on == dt.date(2026, 2, 1)
    assert collect_loan_instalments(today="2026-02-10") == 1
    assert collect_loan_instalments(today="2026-02-10") == 0  # twice never collects twice
    loan.refresh_from_db()
    assert loan.repaid == Decimal("333.33")
    # Two months late: caught up month by month, the last instalment carries the cent.
    assert collect_loan_instalments(today="2026-04-01") == 2
    loan.refresh_from_db()
    assert loan.status == Loan.Status.REPAID
    assert loan.repaid == Decimal("1000.00")
    assert [r.amount for r in LoanRepayment.objects.order_by("due_month")] == [
        Decimal("333.33"),
        Decimal("333.33"),
        Decimal("333.34"),
    ]
    assert selectors.activity_budget(activity=activity).balance == 0
    assert AuditLogEntry.objects.filter(action="activities.loan.instalment_collected").count() == 3


def test_early_repayment_shortens_the_loan(admin_user):
    activity = ActivityFactory()
    loan = _disbursed_loan(activity, admin_user, amount="600.00", months=6)
    loan = services.loan_repay_early(loan=loan, amount=Decimal("500.00"), actor=None)
    assert loan.outstanding == Decimal("100.00")
    with pytest.raises(ValidationFailed):
        services.loan_repay_early(loan=loan, amount=Decimal("200.00"), actor=None)
    assert collect_loan_instalments(today="2026-02-02") == 1
    loan.refresh_from_db()
    assert loan.status == Loan.Status.REPAID


def test_refused_loan_needs_a_reason_and_cannot_be_disbursed(admin_user):
    activity = ActivityFactory()
    loan = services.loan_apply(
        activity=activity,
        member=activity.coordinator,
        purpose="x",
        amount=Decimal("100"),
        months=2,
        actor=None,
    )
    with pytest.raises(ValidationFailed):
        services.loan_decide(loan=loan, approve=False, reason="", actor=admin_user)
    services.loan_decide(loan=loan, approve=False, reason="no plan", actor=admin_user)
    with pytest.raises(Conflict):
        services.loan_disburse(loan=loan, actor=admin_user)


def test_solidarity_request_is_decided_paid_and_counted_anonymously(admin_user):
    activity = ActivityFactory()
    member = activity.coordinator
    request = services.solidarity_request_submit(
        member=member,
        reason="health",
        explanation="long illness, no income",
        amount_requested=Decimal("800"),
        actor=None,
    )
    services.solidarity_request_decide(
        request=request, accept=True, amount_granted=Decimal("600"), actor=admin_user
    )
    services.solidarity_request_mark_paid(request=request, paid_on=TODAY, actor=admin_user)
    refused = services.solidarity_request_submit(
        member=member, reason="other", explanation="x", amount_requested=Decimal("50"), actor=None
    )
    services.solidarity_request_decide(request=refused, accept=False, actor=admin_user)
    stats = selectors.solidarity_statistics(year=TODAY.year)
    assert (stats.received, stats.accepted, stats.refused) == (2, 1, 1)
    assert stats.paid_total == Decimal("600.00")
    log = AuditLogEntry.objects.filter(action__startswith="activities.solidarity")
    assert "illness" not in str(list(log.values_list("data", flat=True)))
