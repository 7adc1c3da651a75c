"""Writes of Activities: one transaction each, one audit row per change, ApplicationErrors that
say why with the figures involved.

Lock order (whenever several are taken): Activity rows (by id) → Member row → Loan row. The
Activity row is the budget's lock: every service that checks "available" and then spends holds
it, so two requests cannot both spend the same euro.

Services invoicing and payroll call (documented in README "Activities and contracts"):
`activity_credit_client_payment`, `activity_reverse_source`, `contract_create_for_performance`,
`contract_cancel`, `contract_mark_performed`, `contract_mark_paid`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from members.services import member_mark_active
from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, PermissionDenied, ValidationFailed
from smartcoop.core.money import format_money, quantize_money
from smartcoop.countries import current_pack

from . import calculations, selectors
from .models import (
    Activity,
    ActivityMembership,
    EmploymentContract,
    ExpenseClaim,
    ExpenseLine,
    LedgerEntry,
    Loan,
    LoanRepayment,
    PostingDocument,
    SolidarityRequest,
    WorkInterruption,
)
from .uploads import validate_upload

K = LedgerEntry.Kind
ZERO = Decimal("0.00")


def _today() -> dt.date:
    return timezone.localdate()


def _money(amount: Decimal) -> str:
    return format_money(amount)


def _lock_activity(activity: Activity) -> Activity:
    return (
        Activity.objects.with_scopes_disabled().select_for_update(of=("self",)).get(pk=activity.pk)
    )


def _source_of(obj) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.public_id)


# --- Activities ---------------------------------------------------------------------------------


def activity_create(
    *, entity, coordinator, name: str, sector: str, description: str = "", actor
) -> Activity:
    """A member's new Activity (draft until an adviser validates it); the coordinator joins it
    with every right."""
    if not entity.is_employer or not entity.is_active:
        raise ValidationFailed(_("This entity does not host Activities."), field="entity")
    with transaction.atomic():
        activity = Activity.objects.create(
            entity=entity,
            coordinator=coordinator,
            name=name.strip(),
            sector=sector,
            description=description,
        )
        ActivityMembership.objects.create(
            activity=activity,
            member=coordinator,
            can_invoice=True,
            can_request_salary=True,
            can_spend=True,
        )
        audit_log(actor=actor, action="activities.activity.created", target=activity)
    return activity


def _activity_transition(
    *, activity: Activity, allowed_from, to: str, actor, reason: str, action: str
) -> Activity:
    with transaction.atomic():
        locked = _lock_activity(activity)
        if locked.status not in allowed_from:
            raise Conflict(
                _("This Activity is %(status)s: it cannot become %(to)s.")
                % {"status": locked.get_status_display(), "to": Activity.Status(to).label},
                extra={"status": locked.status},
            )
        locked.status = to
        locked.status_reason = reason
        fields = ["status", "status_reason", "updated_at"]
        if to == Activity.Status.ACTIVE and locked.validated_at is None:
            locked.validated_by = actor
            locked.validated_at = timezone.now()
            fields += ["validated_by", "validated_at"]
        locked.save(update_fields=fields)
        audit_log(actor=actor, action=action, target=locked, data={"reason": reason})
    activity.refresh_from_db()
    return activity


def activity_validate(*, activity: Activity, actor) -> Activity:
    """An adviser validates a draft Activity: it may now invoice and pay salaries."""
    with transaction.atomic():
        activity = _activity_transition(
            activity=activity,
            allowed_from=[Activity.Status.DRAFT],
            to=Activity.Status.ACTIVE,
            actor=actor,
            reason="",
            action="activities.activity.validated",
        )
        _mark_member_active(activity.coordinator, actor)
    return activity


def activity_suspend(*, activity: Activity, reason: str, actor) -> Activity:
    if not reason.strip():
        raise ValidationFailed(_("Say why the Activity is suspended."), field="reason")
    return _activity_transition(
        activity=activity,
        allowed_from=[Activity.Status.ACTIVE],
        to=Activity.Status.SUSPENDED,
        actor=actor,
        reason=reason,
        action="activities.activity.suspended",
    )


def activity_reactivate(*, activity: Activity, actor) -> Activity:
    return _activity_transition(
        activity=activity,
        allowed_from=[Activity.Status.SUSPENDED],
        to=Activity.Status.ACTIVE,
        actor=actor,
        reason="",
        action="activities.activity.reactivated",
    )


def activity_close(*, activity: Activity, reason: str, actor) -> Activity:
    """Close an Activity whose budget is settled: balance zero and nothing planned."""
    budget = selectors.activity_budget(activity=activity)
    if budget.balance != 0 or budget.planned_salaries or budget.pending_expenses:
        raise Conflict(
            _(
                "An Activity can be closed once its budget is settled: balance %(balance)s, "
                "planned salaries %(planned)s, pending expenses %(pending)s."
            )
            % {
                "balance": _money(budget.balance),
                "planned": _money(budget.planned_salaries),
                "pending": _money(budget.pending_expenses),
            },
            extra={"balance": str(budget.balance)},
        )
    return _activity_transition(
        activity=activity,
        allowed_from=[Activity.Status.DRAFT, Activity.Status.ACTIVE, Activity.Status.SUSPENDED],
        to=Activity.Status.CLOSED,
        actor=actor,
        reason=reason,
        action="activities.activity.closed",
    )


def activity_member_set(
    *,
    activity: Activity,
    member,
    can_invoice: bool,
    can_request_salary: bool,
    can_spend: bool,
    actor,
) -> ActivityMembership:
    """Add a member to the team or change their rights."""
    with transaction.atomic():
        membership, created = ActivityMembership.objects.update_or_create(
            activity=activity,
            member=member,
            defaults={
                "can_invoice": can_invoice,
                "can_request_salary": can_request_salary,
                "can_spend": can_spend,
            },
        )
        audit_log(
            actor=actor,
            action="activities.team.added" if created else "activities.team.changed",
            target=activity,
            data={
                "member": str(member.public_id),
                "can_invoice": can_invoice,
                "can_request_salary": can_request_salary,
                "can_spend": can_spend,
            },
        )
    return membership


def activity_member_remove(*, activity: Activity, member, actor) -> None:
    if member.pk == activity.coordinator_id:
        raise Conflict(_("The coordinator stays in the team; name another coordinator first."))
    with transaction.atomic():
        ActivityMembership.objects.filter(activity=activity, member=member).delete()
        audit_log(
            actor=actor,
            action="activities.team.removed",
            target=activity,
            data={"member": str(member.public_id)},
        )


def activity_set_reserve(*, activity: Activity, amount: Decimal, actor) -> Activity:
    amount = quantize_money(amount)
    if amount < 0:
        raise ValidationFailed(_("A reserve cannot be negative."), field="reserve_amount")
    with transaction.atomic():
        locked = _lock_activity(activity)
        old = locked.reserve_amount
        locked.reserve_amount = amount
        locked.save(update_fields=["reserve_amount", "updated_at"])
        audit_log(
            actor=actor,
            action="activities.activity.reserve_set",
            target=locked,
            data={"from": str(old), "to": str(amount)},
        )
    activity.reserve_amount = amount
    return activity


# --- The ledger ---------------------------------------------------------------------------------


def _entry(
    *,
    activity: Activity,
    kind: str,
    amount: Decimal,
    on: dt.date,
    source_type: str,
    source_id: str,
    actor,
    description: str = "",
    counterpart: Activity | None = None,
    reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    entry = LedgerEntry.objects.create(
        entity_id=activity.entity_id,
        activity=activity,
        kind=kind,
        amount=quantize_money(amount),
        booked_on=on,
        source_type=source_type,
        source_id=str(source_id),
        description=description[:300],
        counterpart=counterpart,
        reverses=reverses,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_log(
        actor=actor,
        action=f"activities.ledger.{kind}",
        target=entry,
        data={
            "activity": str(activity.public_id),
            "amount": str(entry.amount),
            "source": f"{source_type}:{source_id}",
        },
    )
    return entry


def ledger_entry_reverse(
    *, entry: LedgerEntry, reason: str, actor, on: dt.date | None = None
) -> LedgerEntry:
    """Correct an entry by a new one of the opposite amount (entries are never changed)."""
    if not reason.strip():
        raise ValidationFailed(_("Say why the entry is reversed."), field="reason")
    if entry.reverses_id is not None:
        raise Conflict(_("A reversing entry cannot itself be reversed; record a new entry."))
    with transaction.atomic():
        activity = _lock_activity(entry.activity)
        if LedgerEntry.objects.with_scopes_disabled().filter(reverses=entry).exists():
            raise Conflict(_("This entry has already been reversed."))
        return _entry(
            activity=activity,
            kind=entry.kind,
            amount=-entry.amount,
            on=on or _today(),
            source_type=entry.source_type,
            source_id=entry.source_id,
            actor=actor,
            description=reason,
            counterpart=entry.counterpart,
            reverses=entry,
        )


@dataclass(frozen=True)
class ClientPaymentBooking:
    payment: LedgerEntry
    fee: LedgerEntry | None
    solidarity: LedgerEntry | None
    created: bool


def activity_credit_client_payment(
    *,
    activity: Activity,
    amount_excl_vat: Decimal,
    on: dt.date,
    source_type: str,
    source_id: str,
    actor,
) -> ClientPaymentBooking:
    """Credit a client's payment (excl. VAT) to the Activity and debit the management fee at the
    pack's rate on `on` (and the solidarity contribution when the pack levies one).

    Idempotent per source: calling it again with the same (source_type, source_id) returns the
    entries booked the first time (created=False); a different amount for the same source is a
    Conflict. Locks: the Activity row. Runs in the caller's transaction when there is one."""
    amount = quantize_money(amount_excl_vat)
    if amount <= 0:
        raise ValidationFailed(_("A payment must be positive."), field="amount_excl_vat")
    pack = current_pack()
    source_id = str(source_id)
    with transaction.atomic():
        locked = _lock_activity(activity)
        existing = {
            e.kind: e
            for e in LedgerEntry.objects.with_scopes_disabled().filter(
                activity=locked,
                source_type=source_type,
                source_id=source_id,
                reverses__isnull=True,
                kind__in=[K.CLIENT_PAYMENT, K.MANAGEMENT_FEE, K.SOLIDARITY_CONTRIBUTION],
            )
        }
        if K.CLIENT_PAYMENT in existing:
            payment = existing[K.CLIENT_PAYMENT]
            if payment.amount != amount:
                raise Conflict(
                    _("This payment was already credited with %(booked)s, not %(asked)s.")
                    % {"booked": _money(payment.amount), "asked": _money(amount)},
                    extra={"booked": str(payment.amount), "asked": str(amount)},
                )
            return ClientPaymentBooking(
                payment,
                existing.get(K.MANAGEMENT_FEE),
                existing.get(K.SOLIDARITY_CONTRIBUTION),
                False,
            )
        fee_rate = pack.fee_rate(on)
        fee, _budget = calculations.budget_from_invoice(amount_excl_vat=amount, fee_rate=fee_rate)
        common = {
            "activity": locked,
            "on": on,
            "source_type": source_type,
            "source_id": source_id,
            "actor": actor,
        }
        payment = _entry(kind=K.CLIENT_PAYMENT, amount=amount, **common)
        fee_entry = None
        if fee > 0:  # a payment of a few cents may carry no fee once rounded
            fee_entry = _entry(
                kind=K.MANAGEMENT_FEE,
                amount=-fee,
                # Facts only (numbers, dates): entries are read in every language.
                description=f"{(fee_rate * 100).normalize()} % x {amount}",
                **common,
            )
        solidarity = None
        rate = pack.param("solidarity_contribution_rate", on=on)
        contribution = quantize_money(amount * rate)
        if contribution > 0:
            solidarity = _entry(kind=K.SOLIDARITY_CONTRIBUTION, amount=-contribution, **common)
    return ClientPaymentBooking(payment, fee_entry, solidarity, True)


def activity_reverse_source(
    *, activity: Activity, source_type: str, source_id: str, reason: str, actor, on: dt.date
) -> list[LedgerEntry]:
    """Reverse every not-yet-reversed entry a document caused (e.g. a bounced payment)."""
    with transaction.atomic():
        _lock_activity(activity)
        entries = list(
            LedgerEntry.objects.with_scopes_disabled().filter(
                activity=activity,
                source_type=source_type,
                source_id=str(source_id),
                reverses__isnull=True,
                reversed_by__isnull=True,
            )
        )
        return [ledger_entry_reverse(entry=e, reason=reason, actor=actor, on=on) for e in entries]


def ledger_adjust(
    *, activity: Activity, amount: Decimal, reason: str, actor, on: dt.date | None = None
) -> LedgerEntry:
    """A staff adjustment, with its reason (either sign)."""
    amount = quantize_money(amount)
    if not reason.strip():
        raise ValidationFailed(_("An adjustment needs a reason."), field="reason")
    if amount == 0:
        raise ValidationFailed(_("An adjustment cannot be zero."), field="amount")
    with transaction.atomic():
        locked = _lock_activity(activity)
        return _entry(
            activity=locked,
            kind=K.ADJUSTMENT,
            amount=amount,
            on=on or _today(),
            source_type="activities.adjustment",
            source_id=uuid.uuid4().hex,
            actor=actor,
            description=reason,
        )


def ledger_record_purchase(
    *,
    activity: Activity,
    amount: Decimal,
    description: str,
    source_type: str,
    source_id: str,
    actor,
    on: dt.date | None = None,
) -> LedgerEntry:
    """A purchase paid by the cooperative for the Activity (a supplier invoice), idempotent per
    source; refused above the available budget."""
    amount = quantize_money(amount)
    if amount <= 0:
        raise ValidationFailed(_("A purchase must be positive."), field="amount")
    with transaction.atomic():
        locked = _lock_activity(activity)
        existing = (
            LedgerEntry.objects.with_scopes_disabled()
            .filter(
                activity=locked,
                kind=K.PURCHASE,
                source_type=source_type,
                source_id=str(source_id),
                reverses__isnull=True,
            )
            .first()
        )
        if existing:
            return existing
        _require_available(activity=locked, amount=amount, what=_("This purchase"))
        return _entry(
            activity=locked,
            kind=K.PURCHASE,
            amount=-amount,
            on=on or _today(),
            source_type=source_type,
            source_id=source_id,
            actor=actor,
            description=description,
        )


def _require_available(
    *, activity: Activity, amount: Decimal, what: str, field: str = "amount"
) -> None:
    budget = selectors.activity_budget(activity=activity)
    if amount > budget.available:
        raise ValidationFailed(
            _(
                "%(what)s needs %(amount)s but %(available)s is available now (balance "
                "%(balance)s - planned salaries %(planned)s - pending expenses %(pending)s - "
                "reserve %(reserve)s)."
            )
            % {
                "what": what,
                "amount": _money(amount),
                "available": _money(budget.available),
                "balance": _money(budget.balance),
                "planned": _money(budget.planned_salaries),
                "pending": _money(budget.pending_expenses),
                "reserve": _money(budget.reserve),
            },
            code="insufficient_budget",
            field=field,
            extra={
                "needed": str(amount),
                "available": str(budget.available),
                "balance": str(budget.balance),
                "planned_salaries": str(budget.planned_salaries),
                "pending_expenses": str(budget.pending_expenses),
                "reserve": str(budget.reserve),
            },
        )


def activity_transfer(
    *,
    from_activity: Activity,
    to_activity: Activity,
    amount: Decimal,
    reason: str,
    actor,
    on: dt.date | None = None,
) -> tuple[LedgerEntry, LedgerEntry]:
    """Move budget between two Activities of the same entity (two entries, one source)."""
    amount = quantize_money(amount)
    if amount <= 0:
        raise ValidationFailed(_("A transfer must be positive."), field="amount")
    if from_activity.pk == to_activity.pk:
        raise ValidationFailed(_("Choose another Activity."), field="to_activity")
    if from_activity.entity_id != to_activity.entity_id:
        raise ValidationFailed(
            _("Budgets move only between Activities of the same entity."), field="to_activity"
        )
    with transaction.atomic():
        first, second = sorted([from_activity, to_activity], key=lambda a: a.pk)
        _lock_activity(first)
        _lock_activity(second)
        _require_available(activity=from_activity, amount=amount, what=_("This transfer"))
        source = uuid.uuid4().hex
        out = _entry(
            activity=from_activity,
            kind=K.TRANSFER,
            amount=-amount,
            on=on or _today(),
            source_type="activities.transfer",
            source_id=source,
            actor=actor,
            description=reason,
            counterpart=to_activity,
        )
        into = _entry(
            activity=to_activity,
            kind=K.TRANSFER,
            amount=amount,
            on=on or _today(),
            source_type="activities.transfer",
            source_id=source,
            actor=actor,
            description=reason,
            counterpart=from_activity,
        )
    return out, into


# --- Employment contracts -----------------------------------------------------------------------


def _contract_type(code: str):
    try:
        return current_pack().contract_type(code)
    except KeyError:
        raise ValidationFailed(
            _("Unknown contract type %(code)s.") % {"code": code}, field="contract_type"
        ) from None


def _check_contract_dates(
    *, start_date: dt.date, end_date: dt.date, hours: Decimal, today: dt.date
) -> None:
    if end_date < start_date:
        raise ValidationFailed(_("The end date comes before the start date."), field="end_date")
    if hours <= 0:
        raise ValidationFailed(_("Give the number of hours worked."), field="hours")
    max_past = int(current_pack().param("contract_start_past_days_max", on=today))
    earliest = today - dt.timedelta(days=max_past)
    if start_date < earliest:
        raise ValidationFailed(
            _(
                "A contract cannot start before %(earliest)s: the employment must be declared "
                "before work starts (the start asked is %(start)s)."
            )
            % {"earliest": earliest.isoformat(), "start": start_date.isoformat()},
            field="start_date",
            code="start_in_past",
        )


def _lock_member_and_check_overlap(*, member, start_date: dt.date, end_date: dt.date) -> None:
    """Lock the member's row (so two requests for one person are checked one after the other),
    then refuse overlapping live contracts. The exclusion constraint is the backstop."""
    from members.models import Member

    Member.objects.select_for_update().filter(pk=member.pk).first()
    clash = (
        EmploymentContract.objects.with_scopes_disabled()
        .filter(member=member, start_date__lte=end_date, end_date__gte=start_date)
        .exclude(status=EmploymentContract.Status.CANCELLED)
        .order_by("start_date")
        .first()
    )
    if clash:
        raise ValidationFailed(
            _(
                "%(name)s already has a contract from %(start)s to %(end)s: contracts of one "
                "person cannot overlap."
            )
            % {
                "name": member.display_name,
                "start": clash.start_date.isoformat(),
                "end": clash.end_date.isoformat(),
            },
            field="start_date",
            code="contract_overlap",
            extra={"contract": str(clash.public_id)},
        )


def _student_warnings(*, member, contract_type: str, start_date: dt.date, hours: Decimal) -> list:
    if contract_type != "student" or current_pack().code != "BE":
        return []
    quota = current_pack().param("student_hours_quota", on=start_date)
    used = selectors.student_hours_in_year(member=member, year=start_date.year)
    if used + hours <= quota:
        return []
    return [
        {
            "code": "student_quota",
            "message": _(
                "With this contract %(total)s student hours are planned in %(year)s, above the "
                "quota of %(quota)s hours: the hours beyond the quota pay ordinary social "
                "security contributions (13.07 %% for the student, about 25 %% for the employer) "
                "instead of the solidarity contribution, and can affect child benefit."
            )
            % {"total": used + hours, "year": start_date.year, "quota": quota},
            "used": str(used),
            "quota": str(quota),
        }
    ]


def _membership_or_refuse(*, activity: Activity, member, right: str):
    membership = selectors.membership_of(activity=activity, member=member)
    if membership is None or not getattr(membership, right):
        raise PermissionDenied(
            _("%(name)s may not do this in the Activity %(activity)s.")
            % {"name": member.display_name, "activity": activity.name}
        )
    if activity.status != Activity.Status.ACTIVE:
        raise Conflict(
            _("The Activity %(activity)s is %(status)s: it must be active.")
            % {"activity": activity.name, "status": activity.get_status_display()}
        )
    return membership


def _new_contract(
    *,
    activity: Activity,
    member,
    contract_type: str,
    tool: str,
    start_date: dt.date,
    end_date: dt.date,
    hours: Decimal,
    days: int,
    gross_wage: Decimal,
    function: str,
    workplace_country: str,
    workplace_address: str,
    description: str,
    joint_committee: str,
    start_time,
    end_time,
    source_type: str,
    source_id: str,
    actor,
    today: dt.date,
) -> EmploymentContract:
    pack = current_pack()
    kind = _contract_type(contract_type)
    coefficient = kind.coefficient(start_date)
    gross = quantize_money(gross_wage)
    if gross <= 0:
        raise ValidationFailed(_("The gross wage must be positive."), field="gross_wage")
    workplace_country = (workplace_country or pack.code).upper()
    posting = workplace_country != pack.code
    contract = EmploymentContract(
        entity_id=activity.entity_id,
        member=member,
        activity=activity,
        contract_type=kind.code,
        tool=tool,
        start_date=start_date,
        end_date=end_date,
        start_time=start_time,
        end_time=end_time,
        hours=hours,
        days=days or (end_date - start_date).days + 1,
        workplace_country=workplace_country,
        workplace_address=workplace_address,
        joint_committee=joint_committee,
        function=function,
        sector=activity.sector,
        description=description,
        gross_wage=gross,
        coefficient=coefficient,
        employer_cost=calculations.employer_cost(gross=gross, coefficient=coefficient),
        wage_due_on=calculations.wage_due_date(
            rule=pack.wage_payment_rule(end_date), performance_end=end_date
        ),
        source_type=source_type,
        source_id=source_id,
        posting_required=posting,
        a1_status="missing" if posting else "not_needed",
        host_declaration_status="missing" if posting else "not_needed",
        warnings=_student_warnings(
            member=member, contract_type=kind.code, start_date=start_date, hours=hours
        ),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as exc:
        if "contract_no_overlap_per_member" in str(exc):
            raise ValidationFailed(
                _("Contracts of one person cannot overlap."),
                field="start_date",
                code="contract_overlap",
            ) from exc
        raise
    audit_log(
        actor=actor,
        action="activities.contract.created",
        target=contract,
        data={
            "tool": tool,
            "type": kind.code,
            "gross": str(gross),
            "employer_cost": str(contract.employer_cost),
            "start": start_date.isoformat(),
            "end": end_date.isoformat(),
        },
    )
    return contract


def contract_create_for_performance(
    *,
    activity: Activity,
    member,
    contract_type: str,
    start_date: dt.date,
    end_date: dt.date,
    hours: Decimal,
    price_excl_vat: Decimal,
    function: str,
    source_type: str,
    source_id: str,
    actor,
    days: int = 0,
    workplace_country: str = "",
    workplace_address: str = "",
    description: str = "",
    joint_committee: str = "",
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    today: dt.date | None = None,
) -> EmploymentContract:
    """Contract tool: the employment contract of one declared performance. Invoicing calls it in
    the transaction that issues the invoice, so both exist or neither does.

    gross = (price - fee) / coefficient of the type (the pack's rates on the start date).
    Idempotent per (source_type, source_id). Locks: the Member row (overlap check)."""
    today = today or _today()
    pack = current_pack()
    if "contract" not in pack.tools:
        raise ValidationFailed(_("The Contract tool is not available in this country."))
    existing = (
        EmploymentContract.objects.with_scopes_disabled()
        .filter(source_type=source_type, source_id=str(source_id))
        .first()
    )
    if existing:
        return existing
    _membership_or_refuse(activity=activity, member=member, right="can_invoice")
    _check_contract_dates(start_date=start_date, end_date=end_date, hours=hours, today=today)
    kind = _contract_type(contract_type)
    _fee, budget = calculations.budget_from_invoice(
        amount_excl_vat=price_excl_vat, fee_rate=pack.fee_rate(start_date)
    )
    gross = calculations.gross_from_budget(budget=budget, coefficient=kind.coefficient(start_date))
    with transaction.atomic():
        _lock_member_and_check_overlap(member=member, start_date=start_date, end_date=end_date)
        contract = _new_contract(
            activity=activity,
            member=member,
            contract_type=contract_type,
            tool=EmploymentContract.Tool.CONTRACT,
            start_date=start_date,
            end_date=end_date,
            hours=hours,
            days=days,
            gross_wage=gross,
            function=function,
            workplace_country=workplace_country,
            workplace_address=workplace_address,
            description=description,
            joint_committee=joint_committee,
            start_time=start_time,
            end_time=end_time,
            source_type=source_type,
            source_id=str(source_id),
            actor=actor,
            today=today,
        )
        _mark_member_active(member, actor)
    return contract


def contract_request_salary(
    *,
    activity: Activity,
    member,
    contract_type: str,
    start_date: dt.date,
    end_date: dt.date,
    hours: Decimal,
    gross_wage: Decimal,
    function: str,
    actor,
    days: int = 0,
    workplace_country: str = "",
    workplace_address: str = "",
    description: str = "",
    today: dt.date | None = None,
) -> EmploymentContract:
    """Activity tool: a salary paid from the Activity's available budget. Refused, with the
    figures, when its salary cost is above what is available now.

    Locks: the Activity row (budget), then the Member row (overlap)."""
    today = today or _today()
    if "activity" not in current_pack().tools:
        raise ValidationFailed(_("The Activity tool is not available in this country."))
    _check_contract_dates(start_date=start_date, end_date=end_date, hours=hours, today=today)
    kind = _contract_type(contract_type)
    gross = quantize_money(gross_wage)
    cost = calculations.employer_cost(gross=gross, coefficient=kind.coefficient(start_date))
    with transaction.atomic():
        locked = _lock_activity(activity)
        _membership_or_refuse(activity=locked, member=member, right="can_request_salary")
        _require_available(
            activity=locked,
            amount=cost,
            what=_("A gross wage of %(gross)s (salary cost %(cost)s)")
            % {"gross": _money(gross), "cost": _money(cost)},
            field="gross_wage",
        )
        _lock_member_and_check_overlap(member=member, start_date=start_date, end_date=end_date)
        contract = _new_contract(
            activity=locked,
            member=member,
            contract_type=contract_type,
            tool=EmploymentContract.Tool.ACTIVITY,
            start_date=start_date,
            end_date=end_date,
            hours=hours,
            days=days,
            gross_wage=gross,
            function=function,
            workplace_country=workplace_country,
            workplace_address=workplace_address,
            description=description,
            joint_committee="",
            start_time=None,
            end_time=None,
            source_type="",
            source_id="",
            actor=actor,
            today=today,
        )
        _mark_member_active(member, actor)
    return contract


def _mark_member_active(member, actor) -> None:
    """A member who gets an Activity or a contract becomes active (members' service; it refuses
    someone whose shares are not paid, which refuses the Activity or contract with them)."""
    member_mark_active(member=member, actor=actor)


def _contract_transition(
    *, contract: EmploymentContract, allowed_from, to: str, actor, action: str, **fields
) -> EmploymentContract:
    with transaction.atomic():
        locked = (
            EmploymentContract.objects.with_scopes_disabled()
            .select_for_update(of=("self",))
            .get(pk=contract.pk)
        )
        if locked.status not in allowed_from:
            raise Conflict(
                _("This contract is %(status)s: it cannot become %(to)s.")
                % {
                    "status": locked.get_status_display(),
                    "to": EmploymentContract.Status(to).label,
                },
                extra={"status": locked.status},
            )
        locked.status = to
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=["status", "updated_at", *fields])
        audit_log(actor=actor, action=action, target=locked, data={"to": to})
    contract.refresh_from_db()
    return contract


def contract_validate(*, contract: EmploymentContract, actor) -> EmploymentContract:
    """An adviser (or payroll) checks the contract."""
    return _contract_transition(
        contract=contract,
        allowed_from=[EmploymentContract.Status.DRAFT],
        to=EmploymentContract.Status.VALIDATED,
        actor=actor,
        action="activities.contract.validated",
        validated_by=actor,
        validated_at=timezone.now(),
    )


def contract_declare(*, contract: EmploymentContract, actor) -> EmploymentContract:
    """The employment is declared (Dimona/DPAE, by payroll): blocked while the posting
    documents of a contract abroad are not in place, unless staff lifted the block."""
    if (
        contract.posting_required
        and contract.posting_blocks_start
        and not contract.posting_in_place
    ):
        raise Conflict(
            _(
                "This contract is performed in %(country)s: the A1 certificate (%(a1)s) and the "
                "host-country declaration (%(host)s) must be in place before work starts."
            )
            % {
                "country": contract.workplace_country,
                "a1": contract.get_a1_status_display(),
                "host": contract.get_host_declaration_status_display(),
            },
            code="posting_documents_missing",
        )
    return _contract_transition(
        contract=contract,
        allowed_from=[EmploymentContract.Status.VALIDATED],
        to=EmploymentContract.Status.DECLARED,
        actor=actor,
        action="activities.contract.declared",
    )


def contract_mark_performed(*, contract: EmploymentContract, actor) -> EmploymentContract:
    return _contract_transition(
        contract=contract,
        allowed_from=[EmploymentContract.Status.DECLARED],
        to=EmploymentContract.Status.PERFORMED,
        actor=actor,
        action="activities.contract.performed",
    )


def contract_mark_paid(
    *, contract: EmploymentContract, paid_on: dt.date, actor
) -> EmploymentContract:
    """The wage was paid (payroll calls this): the salary cost leaves the planned figure and
    enters the ledger in the same transaction, so it is never counted twice. Whether the client
    paid or not (the guarantee fund advances it: see `BudgetFigures.exposure`)."""
    with transaction.atomic():
        _lock_activity(contract.activity)
        contract = _contract_transition(
            contract=contract,
            allowed_from=[EmploymentContract.Status.DECLARED, EmploymentContract.Status.PERFORMED],
            to=EmploymentContract.Status.PAID,
            actor=actor,
            action="activities.contract.paid",
            paid_on=paid_on,
        )
        source_type, source_id = _source_of(contract)
        _entry(
            activity=contract.activity,
            kind=K.SALARY_COST,
            amount=-contract.employer_cost,
            on=paid_on,
            source_type=source_type,
            source_id=source_id,
            actor=actor,
            description=(
                f"{contract.start_date.isoformat()}/{contract.end_date.isoformat()}: "
                f"{contract.gross_wage} x {contract.coefficient.normalize()}"
            ),
        )
    return contract


def contract_close(*, contract: EmploymentContract, actor) -> EmploymentContract:
    return _contract_transition(
        contract=contract,
        allowed_from=[EmploymentContract.Status.PAID],
        to=EmploymentContract.Status.CLOSED,
        actor=actor,
        action="activities.contract.closed",
    )


def contract_cancel(
    *, contract: EmploymentContract, reason: str, actor, today: dt.date | None = None
) -> EmploymentContract:
    """Cancel a contract before it starts (the Contract tool cancels the performance's contract
    this way; invoicing issues the credit note). Idempotent: cancelling a cancelled contract
    returns it. Once work has started, record cancelled work instead."""
    today = today or _today()
    if contract.status == EmploymentContract.Status.CANCELLED:
        return contract
    if not reason.strip():
        raise ValidationFailed(_("Say why the contract is cancelled."), field="reason")
    if contract.start_date <= today:
        raise Conflict(
            _(
                "The contract started on %(start)s: it can no longer be cancelled. Staff can "
                "record the cancelled work instead."
            )
            % {"start": contract.start_date.isoformat()},
            code="contract_started",
        )
    return _contract_transition(
        contract=contract,
        allowed_from=[
            EmploymentContract.Status.DRAFT,
            EmploymentContract.Status.VALIDATED,
            EmploymentContract.Status.DECLARED,
        ],
        to=EmploymentContract.Status.CANCELLED,
        actor=actor,
        action="activities.contract.cancelled",
        cancel_reason=reason[:300],
        cancelled_at=timezone.now(),
    )


def contract_update_posting(
    *,
    contract: EmploymentContract,
    actor,
    a1_status: str | None = None,
    a1_reference: str | None = None,
    host_declaration_status: str | None = None,
    host_declaration_reference: str | None = None,
    host_representative: str | None = None,
    blocks_start: bool | None = None,
) -> EmploymentContract:
    """Record the A1 and host-declaration data and status (blocks_start: staff only, checked by
    the view)."""
    if not contract.posting_required:
        raise Conflict(_("This contract is performed in the country of the entity."))
    changes = {
        key: value
        for key, value in {
            "a1_status": a1_status,
            "a1_reference": a1_reference,
            "host_declaration_status": host_declaration_status,
            "host_declaration_reference": host_declaration_reference,
            "host_representative": host_representative,
            "posting_blocks_start": blocks_start,
        }.items()
        if value is not None
    }
    valid = {c for c, _label in EmploymentContract.PostingStatus.choices} - {"not_needed"}
    for key in ("a1_status", "host_declaration_status"):
        if key in changes and changes[key] not in valid:
            raise ValidationFailed(_("Unknown status."), field=key)
    with transaction.atomic():
        for key, value in changes.items():
            setattr(contract, key, value)
        contract.save(update_fields=[*changes, "updated_at"])
        audit_log(
            actor=actor,
            action="activities.contract.posting_updated",
            target=contract,
            data={k: str(v) for k, v in changes.items()},
        )
    return contract


def contract_posting_document_add(
    *, contract: EmploymentContract, kind: str, file, actor
) -> PostingDocument:
    if not contract.posting_required:
        raise Conflict(_("This contract is performed in the country of the entity."))
    validate_upload(file, field="file")
    with transaction.atomic():
        document = PostingDocument.objects.create(
            contract=contract, kind=kind, file=file, uploaded_by=actor
        )
        audit_log(
            actor=actor,
            action="activities.contract.posting_document_added",
            target=contract,
            data={"kind": kind},
        )
    return document


def contract_record_interruption(
    *,
    contract: EmploymentContract,
    kind: str,
    start_date: dt.date,
    end_date: dt.date,
    reason: str,
    actor,
    hours: Decimal = Decimal("0"),
) -> WorkInterruption:
    """Staff record temporary unemployment (a period paid without wage) or cancelled work."""
    if not reason.strip():
        raise ValidationFailed(_("Give the reason."), field="reason")
    if end_date < start_date:
        raise ValidationFailed(_("The end date comes before the start date."), field="end_date")
    if start_date < contract.start_date or end_date > contract.end_date:
        raise ValidationFailed(
            _("The period must lie within the contract (%(start)s to %(end)s).")
            % {"start": contract.start_date.isoformat(), "end": contract.end_date.isoformat()},
            field="start_date",
        )
    with transaction.atomic():
        interruption = WorkInterruption.objects.create(
            contract=contract,
            kind=kind,
            start_date=start_date,
            end_date=end_date,
            hours=hours,
            reason=reason,
            recorded_by=actor,
        )
        audit_log(
            actor=actor,
            action=f"activities.contract.{kind}",
            target=contract,
            data={"from": start_date.isoformat(), "to": end_date.isoformat(), "reason": reason},
        )
    return interruption


# --- Expense claims -----------------------------------------------------------------------------


def expense_claim_create(*, activity: Activity, member, title: str, actor) -> ExpenseClaim:
    _membership_or_refuse(activity=activity, member=member, right="can_spend")
    with transaction.atomic():
        claim = ExpenseClaim.objects.create(
            entity_id=activity.entity_id, activity=activity, member=member, title=title
        )
        audit_log(actor=actor, action="activities.expense.created", target=claim)
    return claim


def _recompute_totals(claim: ExpenseClaim) -> None:
    totals = claim.lines.aggregate(t=Sum("amount_incl_vat"), v=Sum("vat_amount"))
    claim.total = totals["t"] or ZERO
    claim.total_vat = totals["v"] or ZERO
    claim.save(update_fields=["total", "total_vat", "updated_at"])


def expense_line_add(
    *,
    claim: ExpenseClaim,
    spent_on: dt.date,
    category: str,
    description: str,
    actor,
    amount_incl_vat: Decimal | None = None,
    vat_amount: Decimal = ZERO,
    km: Decimal | None = None,
    receipt=None,
) -> ExpenseLine:
    """A line of a draft claim. Kilometres are paid at the pack's rate on the day of the trip
    (no receipt); any other line needs its receipt (PDF, PNG or JPEG, checked by content)."""
    if claim.status != ExpenseClaim.Status.DRAFT:
        raise Conflict(_("Only a draft claim can be changed."))
    km_rate = None
    if category == ExpenseLine.Category.KILOMETRES:
        if not km or km <= 0:
            raise ValidationFailed(_("Give the distance in kilometres."), field="km")
        km_rate = current_pack().param("km_allowance_rate", on=spent_on)
        amount_incl_vat = calculations.km_allowance(km=km, rate=km_rate)
        vat_amount = ZERO
    else:
        km = None
        if amount_incl_vat is None or amount_incl_vat <= 0:
            raise ValidationFailed(
                _("Give the amount paid, VAT included."), field="amount_incl_vat"
            )
        if receipt is None:
            raise ValidationFailed(_("Attach the receipt."), field="receipt")
        validate_upload(receipt, field="receipt")
    amount_incl_vat = quantize_money(amount_incl_vat)
    vat_amount = quantize_money(vat_amount or ZERO)
    if vat_amount < 0 or vat_amount > amount_incl_vat:
        raise ValidationFailed(
            _("The VAT (%(vat)s) must lie between zero and the amount (%(amount)s).")
            % {"vat": _money(vat_amount), "amount": _money(amount_incl_vat)},
            field="vat_amount",
        )
    if spent_on > _today():
        raise ValidationFailed(_("An expense cannot be in the future."), field="spent_on")
    with transaction.atomic():
        line = ExpenseLine.objects.create(
            claim=claim,
            spent_on=spent_on,
            category=category,
            description=description,
            amount_incl_vat=amount_incl_vat,
            vat_amount=vat_amount,
            km=km,
            km_rate=km_rate,
            receipt=receipt or "",
        )
        _recompute_totals(claim)
        audit_log(
            actor=actor,
            action="activities.expense.line_added",
            target=claim,
            data={"amount": str(amount_incl_vat), "category": category},
        )
    return line


def expense_line_remove(*, line: ExpenseLine, actor) -> None:
    claim = line.claim
    if claim.status != ExpenseClaim.Status.DRAFT:
        raise Conflict(_("Only a draft claim can be changed."))
    with transaction.atomic():
        line.delete()
        _recompute_totals(claim)
        audit_log(actor=actor, action="activities.expense.line_removed", target=claim)


def expense_claim_submit(*, claim: ExpenseClaim, actor) -> ExpenseClaim:
    """Send a draft claim to the adviser; refused above the available budget (with figures)."""
    with transaction.atomic():
        activity = _lock_activity(claim.activity)
        claim = ExpenseClaim.objects.with_scopes_disabled().select_for_update().get(pk=claim.pk)
        if claim.status != ExpenseClaim.Status.DRAFT:
            raise Conflict(_("This claim was already submitted."))
        if claim.total <= 0:
            raise ValidationFailed(_("Add at least one line."))
        _require_available(activity=activity, amount=claim.total, what=_("This claim"))
        claim.status = ExpenseClaim.Status.SUBMITTED
        claim.submitted_at = timezone.now()
        claim.save(update_fields=["status", "submitted_at", "updated_at"])
        audit_log(
            actor=actor,
            action="activities.expense.submitted",
            target=claim,
            data={"total": str(claim.total)},
        )
    return claim


def expense_claim_approve(*, claim: ExpenseClaim, actor, on: dt.date | None = None) -> ExpenseClaim:
    """Approve a submitted claim: the reimbursement is debited from the Activity's budget in the
    same transaction."""
    with transaction.atomic():
        activity = _lock_activity(claim.activity)
        claim = ExpenseClaim.objects.with_scopes_disabled().select_for_update().get(pk=claim.pk)
        if claim.status != ExpenseClaim.Status.SUBMITTED:
            raise Conflict(_("This claim is %(status)s.") % {"status": claim.get_status_display()})
        claim.status = ExpenseClaim.Status.APPROVED
        claim.decided_by = actor
        claim.decided_at = timezone.now()
        claim.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        source_type, source_id = _source_of(claim)
        _entry(
            activity=activity,
            kind=K.EXPENSE_REIMBURSEMENT,
            amount=-claim.total,
            on=on or _today(),
            source_type=source_type,
            source_id=source_id,
            actor=actor,
            description=claim.title,
        )
        audit_log(
            actor=actor,
            action="activities.expense.approved",
            target=claim,
            data={"total": str(claim.total)},
        )
    return claim


def expense_claim_reject(*, claim: ExpenseClaim, reason: str, actor) -> ExpenseClaim:
    if not reason.strip():
        raise ValidationFailed(_("Tell the member why the claim is rejected."), field="reason")
    with transaction.atomic():
        claim = ExpenseClaim.objects.with_scopes_disabled().select_for_update().get(pk=claim.pk)
        if claim.status != ExpenseClaim.Status.SUBMITTED:
            raise Conflict(_("This claim is %(status)s.") % {"status": claim.get_status_display()})
        claim.status = ExpenseClaim.Status.REJECTED
        claim.decision_reason = reason[:300]
        claim.decided_by = actor
        claim.decided_at = timezone.now()
        claim.save(
            update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"]
        )
        audit_log(
            actor=actor, action="activities.expense.rejected", target=claim, data={"reason": reason}
        )
    return claim


# --- Loans --------------------------------------------------------------------------------------


def loan_apply(
    *, activity: Activity, member, purpose: str, amount: Decimal, months: int, actor
) -> Loan:
    _membership_or_refuse(activity=activity, member=member, right="can_spend")
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


def loan_decide(*, loan: Loan, approve: bool, reason: str, actor) -> Loan:
    if not approve and not reason.strip():
        raise ValidationFailed(_("Give the reason of the refusal."), field="reason")
    with transaction.atomic():
        loan = Loan.objects.with_scopes_disabled().select_for_update().get(pk=loan.pk)
        if loan.status != Loan.Status.REQUESTED:
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


def loan_disburse(*, loan: Loan, actor, on: dt.date | None = None) -> Loan:
    """Pay an approved loan into the Activity's budget; instalments start the next month."""
    on = on or _today()
    with transaction.atomic():
        activity = _lock_activity(loan.activity)
        loan = Loan.objects.with_scopes_disabled().select_for_update().get(pk=loan.pk)
        if loan.status != Loan.Status.APPROVED:
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


def _repay(*, loan: Loan, activity: Activity, amount: Decimal, kind: str, due_month, on, actor):
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


def loan_repay_early(*, loan: Loan, amount: Decimal, actor, on: dt.date | None = None) -> Loan:
    """Repay (part of) a loan before the schedule, from the available budget."""
    amount = quantize_money(amount)
    on = on or _today()
    with transaction.atomic():
        activity = _lock_activity(loan.activity)
        loan = Loan.objects.with_scopes_disabled().select_for_update().get(pk=loan.pk)
        if loan.status != Loan.Status.DISBURSED:
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


# --- Solidarity fund ----------------------------------------------------------------------------


def solidarity_request_submit(
    *, member, reason: str, explanation: str, amount_requested: Decimal, actor
) -> SolidarityRequest:
    amount = quantize_money(amount_requested)
    if amount <= 0:
        raise ValidationFailed(_("Give the amount you need."), field="amount_requested")
    with transaction.atomic():
        request = SolidarityRequest.objects.create(
            member=member, reason=reason, explanation=explanation, amount_requested=amount
        )
        # Confidential: the log records that a request exists, never its content.
        audit_log(actor=actor, action="activities.solidarity.submitted", target=request)
    return request


def solidarity_request_decide(
    *,
    request: SolidarityRequest,
    accept: bool,
    actor,
    amount_granted: Decimal | None = None,
    note: str = "",
) -> SolidarityRequest:
    with transaction.atomic():
        request = SolidarityRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != SolidarityRequest.Status.SUBMITTED:
            raise Conflict(_("This request was already decided."))
        if accept:
            granted = quantize_money(amount_granted or request.amount_requested)
            if granted <= 0:
                raise ValidationFailed(_("Grant a positive amount."), field="amount_granted")
            request.amount_granted = granted
        request.status = (
            SolidarityRequest.Status.ACCEPTED if accept else SolidarityRequest.Status.REFUSED
        )
        request.committee_note = note
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.save()
        audit_log(
            actor=actor,
            action="activities.solidarity.accepted" if accept else "activities.solidarity.refused",
            target=request,
            data={"amount_granted": str(request.amount_granted or "")},
        )
    return request


def solidarity_request_mark_paid(
    *, request: SolidarityRequest, paid_on: dt.date, actor
) -> SolidarityRequest:
    """The fund paid the member (a transfer from the fund's account, not an Activity budget)."""
    with transaction.atomic():
        request = SolidarityRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != SolidarityRequest.Status.ACCEPTED:
            raise Conflict(_("Only an accepted request can be paid."))
        request.status = SolidarityRequest.Status.PAID
        request.paid_on = paid_on
        request.save(update_fields=["status", "paid_on", "updated_at"])
        audit_log(
            actor=actor,
            action="activities.solidarity.paid",
            target=request,
            data={"amount": str(request.amount_granted)},
        )
    return request
