"""Loans to an Activity: application, decision, disbursement, monthly instalments, early repayment."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import User
from smartcoop.core.money import quantize_money
from smartcoop.core.validators import check_money_fits, check_texts

from .. import calculations
from ..models import Activity, Loan, LoanRepayment
from ._shared import K, _lock_activity, _money, _source_of, _today
from .contracts import _membership_or_refuse
from .ledger import _entry, _require_available


def loan_apply(
    *, activity: Activity, member, purpose: str, amount: Decimal, months: int, actor: User | None
) -> Loan:
    _membership_or_refuse(activity=activity, member=member, right="can_spend")
    check_texts(purpose=purpose, multi_line=("purpose",))
    check_money_fits("amount", amount)
    amount = quantize_money(amount)
    if amount <= 0:
        raise ValidationFailed(_("The amount must be positive."), field="amount")
    if not 1 <= months <= 60:
        raise ValidationFailed(_("Repay over 1 to 60 months."), field="months")
    if amount < months:
        raise ValidationFailed(
            _("A loan repaid over %(months)s months must be at least %(minimum)s.")
            % {"months": months, "minimum": _money(Decimal(months))},
            field="amount",
        )
    with transaction.atomic():
        loan = Loan.objects.create(
            entity_id=activity.entity_id,
            activity=activity,
            requested_by=member,
            purpose=purpose,
            amount=amount,
            months=months,
        )
        audit_log(
            actor=actor,
            action="activities.loan.requested",
            target=loan,
            data={"amount": str(amount), "months": months},
        )
    return loan


def loan_decide(*, loan: Loan, approve: bool, reason: str, actor: User | None) -> Loan:
    check_texts(reason=reason, multi_line=("reason",))
    if not approve and not reason.strip():
        raise ValidationFailed(_("Give the reason of the refusal."), field="reason")
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if not loan.can("decide"):
            raise Conflict(_("This loan was already decided."))
        loan.status = Loan.Status.APPROVED if approve else Loan.Status.REFUSED
        loan.decision_reason = reason[:300]
        loan.decided_by = actor
        loan.decided_at = timezone.now()
        loan.save(
            update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"]
        )
        audit_log(
            actor=actor,
            action="activities.loan.approved" if approve else "activities.loan.refused",
            target=loan,
            data={"reason": reason},
        )
    return loan


def _first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def loan_disburse(*, loan: Loan, actor: User | None, on: dt.date | None = None) -> Loan:
    """Pay an approved loan into the Activity's budget; instalments start the next month."""
    on = on or _today()
    with transaction.atomic():
        activity = _lock_activity(loan.activity)
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if not loan.can("disburse"):
            raise Conflict(_("Only an approved loan can be disbursed."))
        loan.status = Loan.Status.DISBURSED
        loan.disbursed_on = on
        loan.next_due_on = _first_of_next_month(on)
        loan.save(update_fields=["status", "disbursed_on", "next_due_on", "updated_at"])
        source_type, source_id = _source_of(loan)
        _entry(
            activity=activity,
            kind=K.LOAN_DISBURSEMENT,
            amount=loan.amount,
            on=on,
            source_type=source_type,
            source_id=source_id,
            actor=actor,
            description=f"{loan.amount} / {loan.months}",
        )
    return loan


def _repay(
    *, loan: Loan, activity: Activity, amount: Decimal, kind: str, due_month, on, actor: User | None
):
    entry = _entry(
        activity=activity,
        kind=K.LOAN_REPAYMENT,
        amount=-amount,
        on=on,
        source_type="activities.loanrepayment",
        source_id=f"{loan.public_id}:{due_month.isoformat() if due_month else uuid.uuid4().hex[:12]}",
        actor=actor,
        description=due_month.strftime("%Y-%m") if due_month else "",
    )
    LoanRepayment.objects.create(
        loan=loan, kind=kind, due_month=due_month, amount=amount, ledger_entry=entry
    )
    loan.repaid += amount
    fields = ["repaid", "updated_at"]
    if loan.repaid >= loan.amount:
        loan.status = Loan.Status.REPAID
        loan.next_due_on = None
        fields += ["status", "next_due_on"]
    return fields


def loan_collect_instalment(*, loan: Loan, today: dt.date) -> LoanRepayment | None:
    """Debit the instalment due for `loan.next_due_on` if it is due. The caller holds the loan's
    row lock (the task takes it with skip_locked). Idempotent: the month is stored on the
    repayment under a unique constraint, and the cursor moves in the same transaction."""
    if loan.status != Loan.Status.DISBURSED or loan.next_due_on is None:
        return None
    if loan.next_due_on > today:
        return None
    activity = _lock_activity(loan.activity)
    monthly_done = loan.repayments.filter(kind=LoanRepayment.Kind.MONTHLY).count()
    schedule = calculations.loan_instalments(amount=loan.amount, months=loan.months)
    amount = (
        loan.outstanding
        if monthly_done >= loan.months - 1
        else min(schedule[monthly_done], loan.outstanding)
    )
    due = loan.next_due_on
    fields = _repay(
        loan=loan,
        activity=activity,
        amount=amount,
        kind=LoanRepayment.Kind.MONTHLY,
        due_month=due,
        on=due,
        actor=None,
    )
    if loan.status == Loan.Status.DISBURSED:
        loan.next_due_on = _first_of_next_month(due)
        fields.append("next_due_on")
    loan.save(update_fields=sorted(set(fields)))
    audit_log(
        actor=None,
        action="activities.loan.instalment_collected",
        target=loan,
        data={"amount": str(amount), "month": due.isoformat()},
    )
    return loan.repayments.get(kind=LoanRepayment.Kind.MONTHLY, due_month=due)


def loan_repay_early(
    *, loan: Loan, amount: Decimal, actor: User | None, on: dt.date | None = None
) -> Loan:
    """Repay (part of) a loan before the schedule, from the available budget."""
    amount = quantize_money(amount)
    on = on or _today()
    with transaction.atomic():
        activity = _lock_activity(loan.activity)
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if not loan.can("repay"):
            raise Conflict(_("This loan is not being repaid."))
        if amount <= 0 or amount > loan.outstanding:
            raise ValidationFailed(
                _("Repay between %(min)s and the outstanding %(max)s.")
                % {"min": _money(Decimal("0.01")), "max": _money(loan.outstanding)},
                field="amount",
            )
        _require_available(activity=activity, amount=amount, what=_("This repayment"))
        fields = _repay(
            loan=loan,
            activity=activity,
            amount=amount,
            kind=LoanRepayment.Kind.EARLY,
            due_month=None,
            on=on,
            actor=actor,
        )
        loan.save(update_fields=sorted(set(fields)))
        audit_log(
            actor=actor,
            action="activities.loan.repaid_early",
            target=loan,
            data={"amount": str(amount)},
        )
    return loan
