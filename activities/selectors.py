"""Reads of Activities, always scoped to what the user may see, and the budget figures computed in
the database (aggregates and subqueries, never by loading entries into Python).

Who sees what:
- a member: the Activities they belong to, their own contracts, claims and loans (else 404);
- an adviser (members.view_office): the Activities of their office's members, in the entity
  they work in;
- other staff with members.view_all: every Activity of the entity they work in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, TruncMonth
from django.http import Http404

from smartcoop.core.models import User
from smartcoop.core.roles import Permission, has_permission

if TYPE_CHECKING:
    from members.models import Member
    from smartcoop.core.models import LegalEntity

from .models import (
    Activity,
    ActivityMembership,
    EmploymentContract,
    ExpenseClaim,
    LedgerEntry,
    Loan,
    SolidarityRequest,
)

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
K = LedgerEntry.Kind


def _sum_subquery(queryset: QuerySet, field: str) -> Coalesce:
    """SUM(field) of `queryset` (already filtered on OuterRef) as a scalar subquery."""
    summed = queryset.order_by().values("activity").annotate(total=Sum(field)).values("total")[:1]
    return Coalesce(
        Subquery(summed, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD
    )


# The sum of an Activity's entries, kept by the database beside the ledger (ActivityBalance):
# one join, not a sum.
BALANCE = Coalesce(F("ledger_balance__balance"), Value(ZERO), output_field=MONEY_FIELD)


def with_budget(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    """Annotate Activities with balance, planned salary cost, pending expenses and available.

    available = balance - salary cost of contracts planned but not yet paid - pending expenses
    - reserve. A contract is counted either as planned (until paid) or in the balance (its
    salary-cost entry is written when it is paid, in the same transaction): never twice."""
    planned = EmploymentContract.objects.filter(
        activity=OuterRef("pk"), status__in=EmploymentContract.PLANNED_STATUSES
    )
    pending = ExpenseClaim.objects.filter(
        activity=OuterRef("pk"), status=ExpenseClaim.Status.SUBMITTED
    )
    return queryset.annotate(
        balance=BALANCE,
        planned_salaries=_sum_subquery(planned, "employer_cost"),
        pending_expenses=_sum_subquery(pending, "total"),
    ).annotate(
        available=F("balance") - F("planned_salaries") - F("pending_expenses") - F("reserve_amount")
    )


@dataclass(frozen=True)
class BudgetFigures:
    balance: Decimal
    planned_salaries: Decimal
    pending_expenses: Decimal
    reserve: Decimal
    available: Decimal

    @property
    def exposure(self) -> Decimal:
        """What the guarantee fund has advanced: wages paid before the clients paid."""
        return max(ZERO, -self.balance)


def activity_budget(*, activity: Activity) -> BudgetFigures:
    """The figures of one Activity in one query."""
    row = (
        with_budget(Activity.objects.filter(pk=activity.pk))  # type: ignore[misc]  # annotation of with_budget()
        .values("balance", "planned_salaries", "pending_expenses", "reserve_amount", "available")
        .get()
    )
    return BudgetFigures(
        balance=row["balance"],
        planned_salaries=row["planned_salaries"],
        pending_expenses=row["pending_expenses"],
        reserve=row["reserve_amount"],
        available=row["available"],
    )


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    income: Decimal
    fee: Decimal
    salaries: Decimal
    expenses: Decimal
    other: Decimal
    closing_balance: Decimal

    @property
    def net(self) -> Decimal:
        return self.income + self.fee + self.salaries + self.expenses + self.other


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    year, month = day.year, day.month - back
    while month <= 0:
        month += 12
        year -= 1
    return dt.date(year, month, 1)


def activity_months(*, activity: Activity, today: dt.date, months: int = 12) -> list[MonthRow]:
    """The budget month by month over the last `months` months (two queries: the opening
    balance and one GROUP BY month with a conditional sum per group of kinds)."""
    first = _month_start(today, months - 1)
    entries = LedgerEntry.objects.filter(activity=activity)
    opening = entries.filter(booked_on__lt=first).aggregate(s=Sum("amount"))["s"] or ZERO

    def group(kinds) -> Coalesce:
        return Coalesce(
            Sum("amount", filter=Q(kind__in=kinds)), Value(ZERO), output_field=MONEY_FIELD
        )

    rows: dict[dt.date, Any] = {
        row["month"]: row
        for row in entries.filter(booked_on__gte=first, booked_on__lte=today)
        .annotate(month=TruncMonth("booked_on"))
        .order_by()
        .values("month")
        .annotate(
            income=group([K.CLIENT_PAYMENT]),
            fee=group([K.MANAGEMENT_FEE]),
            salaries=group([K.SALARY_COST]),
            expenses=group([K.EXPENSE_REIMBURSEMENT, K.PURCHASE]),
            other=group(
                [
                    K.LOAN_DISBURSEMENT,
                    K.LOAN_REPAYMENT,
                    K.TRANSFER,
                    K.SOLIDARITY_CONTRIBUTION,
                    K.ADJUSTMENT,
                ]
            ),
        )
    }
    result = []
    balance = opening
    for back in range(months - 1, -1, -1):
        month = _month_start(today, back)
        row = rows.get(month) or {}
        figures = {key: row.get(key, ZERO) for key in ("income", "fee", "salaries", "expenses")}
        other = row.get("other", ZERO)
        balance += sum(figures.values(), ZERO) + other
        result.append(MonthRow(month=month, other=other, closing_balance=balance, **figures))
    return result


def member_months(*, activities: list[Activity], today: dt.date, months: int = 6) -> list[MonthRow]:
    """The month rows of several Activities (a member's), added up month by month."""
    total: list[MonthRow] = []
    for activity in activities:
        rows = activity_months(activity=activity, today=today, months=months)
        if not total:
            total = rows
            continue
        total = [
            MonthRow(
                month=a.month,
                income=a.income + b.income,
                fee=a.fee + b.fee,
                salaries=a.salaries + b.salaries,
                expenses=a.expenses + b.expenses,
                other=a.other + b.other,
                closing_balance=a.closing_balance + b.closing_balance,
            )
            for a, b in zip(total, rows, strict=True)
        ]
    return total


@dataclass(frozen=True)
class PlannedMonth:
    month: dt.date
    planned: Decimal
    available_after: Decimal


def ledger_entries_recent(*, activity: Activity, limit: int) -> list[LedgerEntry]:
    """The latest entries of an Activity the caller may see, newest first, with the entry that
    reversed each."""
    return list(
        LedgerEntry.objects.filter(activity=activity)
        .select_related("reversed_by")
        .order_by("-booked_on", "-id")[:limit]
    )


def transfer_targets(*, activity: Activity, member: Member) -> list[Activity]:
    """Other active Activities of the same entity that `member` coordinates: where budget from
    `activity` may be moved."""
    return list(
        Activity.objects.filter(
            coordinator=member, entity_id=activity.entity_id, status=Activity.Status.ACTIVE
        ).exclude(pk=activity.pk)
    )


def activity_planned_by_month(*, activity: Activity, budget: BudgetFigures) -> list[PlannedMonth]:
    """Salary cost still to pay, by month of the contract's start, and what stays available
    once each month's salaries are paid (one query)."""
    rows = (
        EmploymentContract.objects.filter(
            activity=activity, status__in=EmploymentContract.PLANNED_STATUSES
        )
        .annotate(month=TruncMonth("start_date"))
        .order_by("month")
        .values("month")
        .annotate(planned=Sum("employer_cost"))
    )
    free = budget.balance - budget.pending_expenses - budget.reserve
    result = []
    for row in rows:
        free -= row["planned"]
        result.append(PlannedMonth(row["month"], row["planned"], free))
    return result


# --- Members' views -----------------------------------------------------------------------------


def member_of_user(user: User):
    """The Member of a logged-in user, or None."""
    from members.models import Member

    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(user=user).first()


def activity_list_for_member(*, member) -> QuerySet[Activity]:
    return with_budget(
        Activity.objects.filter(memberships__member=member).select_related("coordinator")
    ).order_by("name")


def activity_get_for_member(*, member, public_id) -> Activity:
    activity = (
        Activity.objects.filter(memberships__member=member, public_id=public_id)
        .select_related("coordinator", "entity")
        .first()
    )
    if activity is None:
        raise Http404
    return activity


def membership_of(*, activity: Activity, member) -> ActivityMembership | None:
    return ActivityMembership.objects.filter(activity=activity, member=member).first()


def contract_list_for_member(*, member) -> QuerySet[EmploymentContract]:
    return EmploymentContract.objects.filter(member=member).select_related("activity")


def contract_get_for_member(*, member, public_id) -> EmploymentContract:
    contract = (
        EmploymentContract.objects.filter(member=member, public_id=public_id)
        .select_related("activity", "member")
        .first()
    )
    if contract is None:
        raise Http404
    return contract


def expense_claim_get_for_member(*, member, public_id) -> ExpenseClaim:
    claim = (
        ExpenseClaim.objects.filter(public_id=public_id, activity__memberships__member=member)
        .select_related("activity", "member")
        .first()
    )
    if claim is None:
        raise Http404
    return claim


def solidarity_requests_for_member(*, member) -> QuerySet[SolidarityRequest]:
    return SolidarityRequest.objects.filter(member=member)


# --- Staff views --------------------------------------------------------------------------------


def _office_filter(user: User, prefix: str) -> Q:
    """Advisers see their office's members only; staff who may see all members see all."""
    if has_permission(user, Permission.VIEW_ALL_MEMBERS):
        return Q()
    if has_permission(user, Permission.VIEW_MEMBERS_OF_OFFICE) and user.office_id:
        return Q(**{f"{prefix}__office_id": user.office_id})
    return Q(pk__in=[])


def _activities_of_staff(*, user: User, entity) -> QuerySet[Activity]:
    """The Activities a staff member sees, without their budget figures."""
    if entity is None:
        return Activity.objects.none()
    return (
        Activity.objects.filter(entity=entity)
        .filter(_office_filter(user, "coordinator"))
        .select_related("coordinator")
    )


def activity_list_for_staff(*, user: User, entity) -> QuerySet[Activity]:
    return with_budget(_activities_of_staff(user=user, entity=entity)).order_by("name")


def activity_get_for_staff(*, user: User, entity, public_id) -> Activity:
    activity = activity_list_for_staff(user=user, entity=entity).filter(public_id=public_id).first()
    if activity is None:
        raise Http404
    return activity


def contract_list_for_staff(*, user: User, entity) -> QuerySet[EmploymentContract]:
    if entity is None:
        return EmploymentContract.objects.none()
    return (
        EmploymentContract.objects.filter(entity=entity)
        .filter(_office_filter(user, "member"))
        .select_related("member", "activity")
    )


def contracts_to_validate(*, user: User, entity) -> QuerySet[EmploymentContract]:
    """The adviser's validation queue: the draft contracts they may validate, the soonest start
    first (its Dimona or DPAE is due by then)."""
    return (
        contract_list_for_staff(user=user, entity=entity)
        .filter(status=EmploymentContract.Status.DRAFT)
        .order_by("start_date", "pk")
    )


def contract_get_for_staff(*, user: User, entity, public_id) -> EmploymentContract:
    contract = contract_list_for_staff(user=user, entity=entity).filter(public_id=public_id).first()
    if contract is None:
        raise Http404
    return contract


def expense_claim_list_for_staff(*, user: User, entity) -> QuerySet[ExpenseClaim]:
    if entity is None:
        return ExpenseClaim.objects.none()
    return (
        ExpenseClaim.objects.filter(entity=entity)
        .filter(_office_filter(user, "member"))
        .select_related("member", "activity")
    )


def expense_claim_get_for_staff(*, user: User, entity, public_id) -> ExpenseClaim:
    claim = (
        expense_claim_list_for_staff(user=user, entity=entity).filter(public_id=public_id).first()
    )
    if claim is None:
        raise Http404
    return claim


def contract_list_due_for_payment(*, entity, on: dt.date) -> QuerySet[EmploymentContract]:
    """For payroll: declared or performed contracts whose wage falls due by `on` (the guarantee:
    whether or not the client has paid)."""
    return (
        EmploymentContract.objects.filter(
            entity=entity,
            status__in=[EmploymentContract.Status.DECLARED, EmploymentContract.Status.PERFORMED],
            wage_due_on__lte=on,
        )
        .select_related("member", "activity")
        .order_by("wage_due_on", "pk")
    )


def loan_register(*, entity) -> QuerySet[Loan]:
    if entity is None:
        return Loan.objects.none()
    return (
        Loan.objects.filter(entity=entity)
        .select_related("activity", "requested_by")
        .annotate(outstanding_amount=F("amount") - F("repaid"))
        .order_by("status", "-created_at")
    )


def loan_get_for_staff(*, entity, public_id) -> Loan:
    loan = loan_register(entity=entity).filter(public_id=public_id).first()
    if loan is None:
        raise Http404
    return loan


def student_hours_in_year(*, member, year: int, exclude_pk: int | None = None) -> Decimal:
    queryset = (
        # Across entities on purpose: the student quota is the person's, whichever entity of
        # the cooperative employs them.
        EmploymentContract.objects.with_scopes_disabled()
        .filter(member=member, contract_type="student", start_date__year=year)
        .exclude(status=EmploymentContract.Status.CANCELLED)
    )
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.aggregate(h=Sum("hours"))["h"] or Decimal("0")


@dataclass(frozen=True)
class StaffQueues:
    activities: list
    contracts: list
    expenses: list
    loans: list
    negative_available: list
    posting_missing: list
    quota_warnings: list
    exposed: list
    exposure_total: Decimal


def _negative_available(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """Those of `activities` (from with_budget) whose available budget is below zero.

    available = balance - reserve - (planned salaries + pending expenses), and a sum over no row
    is zero: so an Activity whose balance covers its reserve can only be below zero if it has a
    planned contract or a pending claim. Saying so first lets PostgreSQL look up those two sets
    once (hashed) instead of summing both for every Activity of the office."""
    planned = EmploymentContract.objects.filter(
        activity=OuterRef("pk"), status__in=EmploymentContract.PLANNED_STATUSES
    )
    pending = ExpenseClaim.objects.filter(
        activity=OuterRef("pk"), status=ExpenseClaim.Status.SUBMITTED
    )
    return activities.filter(
        Q(balance__lt=F("reserve_amount")) | Exists(planned) | Exists(pending)
    ).filter(available__lt=0)  # type: ignore[misc]  # annotation of with_budget()


def staff_queues(*, user: User, entity, today: dt.date) -> StaffQueues:
    """Validation queues and alerts of the back-office home of Activities (one query each)."""
    activities = _activities_of_staff(user=user, entity=entity)
    contracts = contract_list_for_staff(user=user, entity=entity)
    # The negative balances, the largest first, each row with the total of them all (a window
    # over every negative balance, taken before the first 20 are kept): one query for both.
    # Filtered on the stored balance itself (an Activity without one has none below zero): an
    # inner join that starts from the few negative balances, not from every Activity.
    exposed = list(
        activities.filter(ledger_balance__balance__lt=0)
        .annotate(balance=BALANCE)
        .annotate(exposure_total=Window(Sum(-F("balance")), output_field=MONEY_FIELD))
        .order_by("balance")[:20]
    )
    return StaffQueues(
        activities=list(activities.filter(status=Activity.Status.DRAFT).order_by("name")[:50]),
        contracts=list(contracts.filter(status=EmploymentContract.Status.DRAFT)[:50]),
        expenses=list(
            expense_claim_list_for_staff(user=user, entity=entity).filter(
                status=ExpenseClaim.Status.SUBMITTED
            )[:50]
        ),
        loans=list(loan_register(entity=entity).filter(status=Loan.Status.REQUESTED)[:50]),
        negative_available=list(_negative_available(with_budget(activities).order_by("name"))[:50]),
        posting_missing=list(
            contracts.filter(
                posting_required=True,
                posting_blocks_start=True,
                start_date__gte=today,
                status__in=EmploymentContract.PLANNED_STATUSES,
            )
            .exclude(a1_status="in_place", host_declaration_status="in_place")
            .order_by("start_date")[:50]
        ),
        quota_warnings=list(
            contracts.filter(contract_type="student", start_date__year=today.year)
            .exclude(warnings=[])
            .exclude(status=EmploymentContract.Status.CANCELLED)[:50]
        ),
        exposed=exposed,
        exposure_total=exposed[0].exposure_total if exposed else ZERO,
    )


@dataclass(frozen=True)
class ReconciliationCheck:
    label: str
    ledger: Decimal
    documents: Decimal

    @property
    def ok(self) -> bool:
        return self.ledger == self.documents


@dataclass(frozen=True)
class ExternalCheck:
    """A check another app contributes to the reconciliation, without activities importing it
    (e.g. invoicing: "client payments in the ledger = payments matched to invoices, excl. VAT").
    `total(entity)` returns what that app's documents say; it is compared with the sum of the
    entries of `kinds` (sign reversed when `debit`)."""

    label: str
    kinds: tuple[str, ...]
    total: Callable[[LegalEntity], Decimal]
    debit: bool = False


EXTERNAL_CHECKS: list[ExternalCheck] = []


def register_reconciliation_check(check: ExternalCheck) -> None:
    """Called from another app's AppConfig.ready()."""
    if check not in EXTERNAL_CHECKS:
        EXTERNAL_CHECKS.append(check)


@dataclass(frozen=True)
class Reconciliation:
    by_kind: list
    total: Decimal
    balances_total: Decimal
    activities_count: int
    checks: list

    @property
    def ok(self) -> bool:
        return self.total == self.balances_total and all(c.ok for c in self.checks)


def reconciliation(*, entity) -> Reconciliation:
    """Proof that the entries of every Activity add up to the documents behind them:
    - the sum of all entries equals the sum of all Activities' balances;
    - transfers net to zero;
    - salary costs equal the employer cost of paid contracts; expense reimbursements equal
      approved claims; loans disbursed minus repaid equal what the loan register says is
      outstanding; client payments and fees follow the fee rule.
    Six aggregate queries, whatever the number of entries."""
    entries = LedgerEntry.objects.filter(entity=entity)
    rows = list(
        entries.order_by("kind").values("kind").annotate(total=Sum("amount"), count=Count("id"))
    )
    labels = dict(LedgerEntry.Kind.choices)
    by_kind = [{**row, "label": labels.get(row["kind"], row["kind"])} for row in rows]
    totals = {row["kind"]: row["total"] for row in rows}
    total = sum(totals.values(), ZERO)
    balances = with_budget(Activity.objects.filter(entity=entity)).aggregate(
        b=Coalesce(Sum("balance"), Value(ZERO), output_field=MONEY_FIELD), n=Count("id")
    )
    paid_contracts = (
        EmploymentContract.objects.filter(
            entity=entity,
            status__in=[EmploymentContract.Status.PAID, EmploymentContract.Status.CLOSED],
        ).aggregate(s=Sum("employer_cost"))["s"]
        or ZERO
    )
    approved_claims = (
        ExpenseClaim.objects.filter(entity=entity, status=ExpenseClaim.Status.APPROVED).aggregate(
            s=Sum("total")
        )["s"]
        or ZERO
    )
    loans = Loan.objects.filter(
        entity=entity, status__in=[Loan.Status.DISBURSED, Loan.Status.REPAID]
    ).aggregate(
        outstanding=Coalesce(Sum(F("amount") - F("repaid")), Value(ZERO), output_field=MONEY_FIELD)
    )
    checks = [
        ReconciliationCheck("transfers net to zero", totals.get(K.TRANSFER, ZERO), ZERO),
        ReconciliationCheck(
            "salary costs = employer cost of paid contracts",
            -totals.get(K.SALARY_COST, ZERO),
            paid_contracts,
        ),
        ReconciliationCheck(
            "expense reimbursements = approved claims",
            -totals.get(K.EXPENSE_REIMBURSEMENT, ZERO),
            approved_claims,
        ),
        ReconciliationCheck(
            "loans disbursed - repaid = outstanding in the loan register",
            totals.get(K.LOAN_DISBURSEMENT, ZERO) + totals.get(K.LOAN_REPAYMENT, ZERO),
            loans["outstanding"],
        ),
    ]
    for external in EXTERNAL_CHECKS:
        ledger = sum((totals.get(kind, ZERO) for kind in external.kinds), ZERO)
        checks.append(
            ReconciliationCheck(
                external.label, -ledger if external.debit else ledger, external.total(entity)
            )
        )
    return Reconciliation(
        by_kind=by_kind,
        total=total,
        balances_total=balances["b"],
        activities_count=balances["n"],
        checks=checks,
    )


def exposure_for_entity(*, entity) -> Decimal:
    return with_budget(Activity.objects.filter(entity=entity)).aggregate(
        e=Coalesce(
            Sum(Greatest(-F("balance"), Value(ZERO), output_field=MONEY_FIELD)),
            Value(ZERO),
            output_field=MONEY_FIELD,
        )
    )["e"]


def solidarity_requests_for_committee() -> QuerySet[SolidarityRequest]:
    return SolidarityRequest.objects.select_related("member").order_by("status", "-created_at")


@dataclass(frozen=True)
class SolidarityStatistics:
    year: int
    received: int
    accepted: int
    refused: int
    pending: int
    granted_total: Decimal
    paid_total: Decimal
    contributions_total: Decimal


def solidarity_statistics(*, year: int) -> SolidarityStatistics:
    """Counts and amounts for the annual report: nobody is named (two aggregate queries)."""
    requests = SolidarityRequest.objects.filter(created_at__year=year).aggregate(
        received=Count("id"),
        accepted=Count("id", filter=Q(status__in=["accepted", "paid"])),
        refused=Count("id", filter=Q(status="refused")),
        pending=Count("id", filter=Q(status="submitted")),
        granted=Coalesce(
            Sum("amount_granted", filter=Q(status__in=["accepted", "paid"])),
            Value(ZERO),
            output_field=MONEY_FIELD,
        ),
        paid=Coalesce(
            Sum(
                Case(When(status="paid", then=F("amount_granted")), default=Value(ZERO)),
                output_field=MONEY_FIELD,
            ),
            Value(ZERO),
            output_field=MONEY_FIELD,
        ),
    )
    contributions = (
        # Across entities on purpose: the solidarity fund is the cooperative's, fed by the
        # Activities of every entity (the figures name nobody and no Activity).
        LedgerEntry.objects.with_scopes_disabled()
        .filter(kind=K.SOLIDARITY_CONTRIBUTION, booked_on__year=year)
        .aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    return SolidarityStatistics(
        year=year,
        received=requests["received"],
        accepted=requests["accepted"],
        refused=requests["refused"],
        pending=requests["pending"],
        granted_total=requests["granted"],
        paid_total=requests["paid"],
        contributions_total=-contributions,
    )
