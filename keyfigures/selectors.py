"""The key figures of the annual report, each one GROUP BY in PostgreSQL (never rows loaded into
Python): turnover, work budget and head-count by dimension, invoiced amount by client country and
by tool, the register of members (age band, region, new members), share categories, loans, the
solidarity fund and payroll. Every function takes a `Scope` (year, entities the reader may see,
optional filters) and reads the other apps' models with the entity filter written out: the page
may cover several entities at once, so the request's one-entity scope is lifted explicitly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear, Substr

from activities.models import EmploymentContract, LedgerEntry, Loan, SolidarityRequest
from invoicing.models import Invoice
from members.models import Member, RegisterEntry
from payroll.models import Payslip
from smartcoop.countries import current_pack
from smartcoop.countries.params import param

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)
ISSUED = ~Q(status__in=[Invoice.Status.DRAFT, Invoice.Status.AWAITING_APPROVAL])
PAID_CONTRACT = (EmploymentContract.Status.PAID, EmploymentContract.Status.CLOSED)
AGE_BANDS = ((0, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 200))


@dataclass(frozen=True)
class Scope:
    """What a set of figures covers: a year, the entities (ids) the reader may see, and filters.
    `office_id` restricts everything to the members of one office (an adviser's portfolio)."""

    year: int
    entity_ids: tuple[int, ...]
    sector: str = ""
    contract_type: str = ""
    tool: str = ""
    office_id: int | None = None

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    def previous(self) -> Scope:
        return replace(self, year=self.year - 1)


@dataclass
class Row:
    key: str
    label: str
    values: dict[str, Decimal | int] = field(default_factory=dict)


def _rows(queryset: QuerySet[Any, Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in queryset]


def _money(expression) -> Coalesce:
    return Coalesce(expression, Value(ZERO), output_field=MONEY)


def _signed_excl_vat() -> Case:
    """An issued document's amount excl. VAT, negative for a credit note."""
    return Case(
        When(kind=Invoice.Kind.CREDIT_NOTE, then=-F("total_excl_vat")),
        default=F("total_excl_vat"),
        output_field=MONEY,
    )


# --- Invoicing ------------------------------------------------------------------------------


def issued_documents(scope: Scope) -> QuerySet[Invoice]:
    """Invoices and credit notes issued in the year (by issue date), in the scope. A contract-tool
    invoice is one with a performance behind it; the contract-type filter does not apply."""
    qs = Invoice.objects.with_scopes_disabled().filter(
        ISSUED, entity_id__in=scope.entity_ids, issue_date__year=scope.year
    )
    if scope.sector:
        qs = qs.filter(activity__sector=scope.sector)
    if scope.office_id:
        qs = qs.filter(activity__coordinator__office_id=scope.office_id)
    if scope.tool == EmploymentContract.Tool.CONTRACT:
        qs = qs.exclude(performance={})
    elif scope.tool == EmploymentContract.Tool.ACTIVITY:
        qs = qs.filter(performance={})
    return qs


def _invoice_figures() -> dict:
    return {
        "invoiced": _money(Sum("total_excl_vat", filter=Q(kind=Invoice.Kind.INVOICE))),
        "credited": _money(Sum("total_excl_vat", filter=Q(kind=Invoice.Kind.CREDIT_NOTE))),
        "turnover": _money(Sum(_signed_excl_vat())),
        "invoices": Count("pk", filter=Q(kind=Invoice.Kind.INVOICE)),
        "clients": Count("client_id", distinct=True),
    }


def turnover_by_entity(scope: Scope) -> list[dict]:
    """Turnover excl. VAT of each entity: issued invoices minus issued credit notes."""
    return _rows(
        issued_documents(scope)
        .order_by()
        .values("entity_id", "entity__name")
        .annotate(**_invoice_figures())
        .order_by("entity__name")
    )


def invoiced_by_client_country(scope: Scope) -> list[dict]:
    return _rows(
        issued_documents(scope)
        .order_by()
        .values("client__country")
        .annotate(**_invoice_figures())
        .order_by(F("turnover").desc(), "client__country")
    )


def invoiced_by_tool(scope: Scope) -> list[dict]:
    tool = Case(
        When(performance={}, then=Value(EmploymentContract.Tool.ACTIVITY.value)),
        default=Value(EmploymentContract.Tool.CONTRACT.value),
        output_field=CharField(),
    )
    return _rows(
        issued_documents(scope)
        .order_by()
        .annotate(tool=tool)
        .values("tool")
        .annotate(**_invoice_figures())
        .order_by("tool")
    )


# --- Work: contracts, hours, FTE --------------------------------------------------------------


def paid_contracts(scope: Scope) -> QuerySet[EmploymentContract]:
    """Contracts whose salary was paid in the year: their employer cost is the year's work
    budget (gross x coefficient, as the report defines it)."""
    qs = EmploymentContract.objects.with_scopes_disabled().filter(
        entity_id__in=scope.entity_ids,
        status__in=PAID_CONTRACT,
        paid_on__year=scope.year,
    )
    if scope.sector:
        qs = qs.filter(sector=scope.sector)
    if scope.contract_type:
        qs = qs.filter(contract_type=scope.contract_type)
    if scope.tool:
        qs = qs.filter(tool=scope.tool)
    if scope.office_id:
        qs = qs.filter(member__office_id=scope.office_id)
    return qs


WORK_DIMENSIONS = {
    "contract_type": "contract_type",
    "tool": "tool",
    "entity": "entity__name",
    "sector": "sector",
}


def _work_figures() -> dict:
    return {
        "work_budget": _money(Sum("employer_cost")),
        "gross": _money(Sum("gross_wage")),
        "workers": Count("member_id", distinct=True),
        "contracts": Count("pk"),
        "hours": Coalesce(Sum("hours"), Value(Decimal("0")), output_field=MONEY),
        "days": Coalesce(Sum("days"), Value(0), output_field=IntegerField()),
    }


def fte_hours(year: int) -> Decimal:
    pack = current_pack()
    return Decimal(param(f"{pack.prefix}.fte_annual_hours", on=dt.date(year, 12, 31)))


def _with_fte(rows: list[dict], year: int) -> list[dict]:
    hours = fte_hours(year)
    for row in rows:
        row["fte"] = (Decimal(row["hours"]) / hours).quantize(Decimal("0.1"))
    return rows


def work_by(scope: Scope, dimension: str) -> list[dict]:
    """Work budget, head-count (distinct salaried members), contracts, hours, days and FTE by
    contract type, tool, entity or sector."""
    column = WORK_DIMENSIONS[dimension]
    rows = _rows(
        paid_contracts(scope)
        .order_by()
        .annotate(key=F(column))
        .values("key")
        .annotate(**_work_figures())
        .order_by(F("work_budget").desc(), "key")
    )
    return _with_fte(rows, scope.year)


def work_totals(scope: Scope) -> dict:
    totals = paid_contracts(scope).aggregate(**_work_figures())
    return _with_fte([totals], scope.year)[0]


def ledger_work_budget(scope: Scope) -> Decimal:
    """The year's salary costs as the Activities' ledgers hold them (reversals included): it must
    equal the work budget of the paid contracts (the reconciliation on the page)."""
    qs = LedgerEntry.objects.with_scopes_disabled().filter(
        entity_id__in=scope.entity_ids,
        kind=LedgerEntry.Kind.SALARY_COST,
        booked_on__year=scope.year,
    )
    if scope.sector:
        qs = qs.filter(activity__sector=scope.sector)
    total = qs.aggregate(total=_money(Sum("amount")))["total"]
    return -total if total else ZERO


def ledger_by_kind(scope: Scope) -> list[dict]:
    """Movements of the Activities' budgets in the year by kind (credits > 0, debits < 0)."""
    qs = LedgerEntry.objects.with_scopes_disabled().filter(
        entity_id__in=scope.entity_ids, booked_on__year=scope.year
    )
    if scope.sector:
        qs = qs.filter(activity__sector=scope.sector)
    if scope.office_id:
        qs = qs.filter(activity__coordinator__office_id=scope.office_id)
    return _rows(
        qs.order_by().values("kind").annotate(total=_money(Sum("amount")), entries=Count("pk"))
    )


# --- Payroll ----------------------------------------------------------------------------------


def payroll_totals(scope: Scope) -> dict:
    """Approved payslips paid in the year (read through payroll's model, by pay date)."""
    qs = Payslip.objects.with_scopes_disabled().filter(
        entity_id__in=scope.entity_ids, status=Payslip.Status.APPROVED, pay_date__year=scope.year
    )
    if scope.office_id:
        qs = qs.filter(member__office_id=scope.office_id)
    return qs.aggregate(
        payslips=Count("pk"),
        members=Count("member_id", distinct=True),
        gross=_money(Sum("gross")),
        net_pay=_money(Sum("net_pay")),
        employer_cost=_money(Sum("employer_cost")),
    )


# --- The register of members ------------------------------------------------------------------


def members_at_year_end(scope: Scope) -> QuerySet[Member]:
    """Members on 31 December: joined on or before it and not left by then. Members belong to
    the cooperative, not to an entity: the entity filter does not apply, the others do."""
    qs = Member.objects.filter(joined_on__lte=scope.end).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=scope.end)
    )
    return _member_filters(qs, scope)


def _member_filters(qs: QuerySet[Member], scope: Scope) -> QuerySet[Member]:
    if scope.sector:
        qs = qs.filter(sector=scope.sector)
    if scope.office_id:
        qs = qs.filter(office_id=scope.office_id)
    return qs


def members_by_age_band(scope: Scope) -> list[dict]:
    """Age on 31 December of the year (year of the report minus year of birth)."""
    age = Value(scope.year) - ExtractYear("birth_date")
    band = Case(
        *[
            When(
                Q(birth_date__isnull=False) & Q(age__gte=low) & Q(age__lte=high),
                then=Value(f"{low}-{high}" if high < 200 else f"{low}+"),
            )
            for low, high in AGE_BANDS
        ],
        default=Value(""),
        output_field=CharField(),
    )
    return _rows(
        members_at_year_end(scope)
        .order_by()
        .annotate(age=age)
        .annotate(band=band)
        .values("band")
        .annotate(members=Count("pk"))
        .order_by("band")
    )


def _belgian_region() -> Case:
    """Region of a Belgian postcode (bpost ranges): Brussels 1000-1299; Wallonia 1300-1499 and
    4000-7999; Flanders the rest. Outside Belgium: "abroad"; no address: "". Needs the
    `code` annotation (the postcode as a number, NULL when it is not four digits)."""
    belgian = Q(country="BE", postcode__regex=r"^[0-9]{4}$")
    return Case(
        When(belgian & Q(code__gte=1000, code__lte=1299), then=Value("brussels")),
        When(belgian & Q(code__gte=1300, code__lte=1499), then=Value("wallonia")),
        When(belgian & Q(code__gte=4000, code__lte=7999), then=Value("wallonia")),
        When(belgian & Q(code__gte=1500), then=Value("flanders")),
        When(~Q(country="") & ~Q(country="BE"), then=Value("abroad")),
        default=Value(""),
        output_field=CharField(),
    )


def members_by_region(scope: Scope) -> list[dict]:
    """Belgian regions from the member's postcode; other countries by country code."""
    if current_pack().code != "BE":
        return _rows(
            members_at_year_end(scope)
            .order_by()
            .values(region=F("country"))
            .annotate(members=Count("pk"))
            .order_by("-members")
        )
    belgian = Q(country="BE", postcode__regex=r"^[0-9]{4}$")
    rows = (
        members_at_year_end(scope)
        .order_by()
        .annotate(
            code=Case(
                When(belgian, then=Cast(Substr("postcode", 1, 4), IntegerField())),
                default=Value(None),
                output_field=IntegerField(),
            )
        )
        .annotate(region=_belgian_region())
        .values("region")
        .annotate(members=Count("pk"))
        .order_by("-members")
    )
    return _rows(rows)


def member_movements(scope: Scope) -> dict:
    """Members at year end, new members (joined in the year) and leavers (left in the year)."""
    base = _member_filters(Member.objects.all(), scope)
    return base.aggregate(
        at_year_end=Count(
            "pk",
            filter=Q(joined_on__lte=scope.end)
            & (Q(left_on__isnull=True) | Q(left_on__gt=scope.end)),
        ),
        new=Count("pk", filter=Q(joined_on__year=scope.year)),
        left=Count("pk", filter=Q(left_on__year=scope.year)),
        legal_persons=Count(
            "pk",
            filter=Q(kind=Member.Kind.LEGAL_PERSON, joined_on__lte=scope.end)
            & (Q(left_on__isnull=True) | Q(left_on__gt=scope.end)),
        ),
    )


def share_categories(scope: Scope) -> list[dict]:
    """Shares and capital by category: held on 31 December (the register's signed sum up to
    that day) and subscribed or redeemed in the year."""
    qs = RegisterEntry.objects.filter(entry_date__lte=scope.end)
    if scope.office_id:
        qs = qs.filter(member__office_id=scope.office_id)
    in_year = Q(entry_date__year=scope.year)
    return _rows(
        qs.order_by()
        .values("category")
        .annotate(
            held=Coalesce(Sum("shares"), Value(0)),
            capital=_money(Sum("amount")),
            subscribed=Coalesce(Sum("shares", filter=in_year & Q(shares__gt=0)), Value(0)),
            redeemed=Coalesce(
                Sum("shares", filter=in_year & Q(kind=RegisterEntry.Kind.REDEMPTION)), Value(0)
            ),
            holders=Count("member_id", distinct=True),
        )
        .order_by("category")
    )


# --- Loans and the solidarity fund ------------------------------------------------------------


def loan_figures(scope: Scope) -> dict:
    qs = Loan.objects.with_scopes_disabled().filter(entity_id__in=scope.entity_ids)
    if scope.sector:
        qs = qs.filter(activity__sector=scope.sector)
    if scope.office_id:
        qs = qs.filter(activity__coordinator__office_id=scope.office_id)
    disbursed = Q(disbursed_on__year=scope.year)
    decided = Q(decided_at__year=scope.year)
    return qs.aggregate(
        requested=Count("pk", filter=Q(created_at__year=scope.year)),
        refused=Count("pk", filter=decided & Q(status=Loan.Status.REFUSED)),
        disbursed=Count("pk", filter=disbursed),
        disbursed_amount=_money(Sum("amount", filter=disbursed)),
        outstanding_now=_money(
            Sum(F("amount") - F("repaid"), filter=Q(status=Loan.Status.DISBURSED))
        ),
    )


def solidarity_figures(scope: Scope) -> dict:
    """The fund for the cooperative as a whole (requests are not entity-owned): contributions
    from the Activities' ledgers of the scope's entities, requests and help paid in the year.
    Nobody is named; the office filter applies to requests through the member."""
    requests = SolidarityRequest.objects.all()
    if scope.office_id:
        requests = requests.filter(member__office_id=scope.office_id)
    figures = requests.aggregate(
        requests=Count("pk", filter=Q(created_at__year=scope.year)),
        accepted=Count(
            "pk",
            filter=Q(decided_at__year=scope.year)
            & Q(status__in=[SolidarityRequest.Status.ACCEPTED, SolidarityRequest.Status.PAID]),
        ),
        refused=Count(
            "pk",
            filter=Q(decided_at__year=scope.year, status=SolidarityRequest.Status.REFUSED),
        ),
        paid=_money(Sum("amount_granted", filter=Q(paid_on__year=scope.year))),
    )
    contributions = LedgerEntry.objects.with_scopes_disabled().filter(
        entity_id__in=scope.entity_ids,
        kind=LedgerEntry.Kind.SOLIDARITY_CONTRIBUTION,
        booked_on__year=scope.year,
    )
    if scope.office_id:
        contributions = contributions.filter(activity__coordinator__office_id=scope.office_id)
    total = contributions.aggregate(total=_money(Sum("amount")))["total"]
    figures["contributions"] = -total if total else ZERO
    return figures


# --- A member's own year -------------------------------------------------------------------------


def member_year_summary(*, member: Member, year: int) -> dict:
    """What a member's Activities invoiced (issued invoices minus credit notes), paid in fees,
    salaries and expenses in the year, from the ledger of the Activities they belong to."""
    activity_ids = member.activity_memberships.values("activity_id")
    invoiced = (
        Invoice.objects.with_scopes_disabled()
        .filter(ISSUED, activity_id__in=activity_ids, issue_date__year=year)
        .aggregate(total=_money(Sum(_signed_excl_vat())))["total"]
    )
    K = LedgerEntry.Kind
    ledger = (
        LedgerEntry.objects.with_scopes_disabled()
        .filter(activity_id__in=activity_ids, booked_on__year=year)
        .aggregate(
            received=_money(Sum("amount", filter=Q(kind=K.CLIENT_PAYMENT))),
            fee=_money(Sum("amount", filter=Q(kind=K.MANAGEMENT_FEE))),
            salaries=_money(Sum("amount", filter=Q(kind=K.SALARY_COST))),
            expenses=_money(
                Sum("amount", filter=Q(kind__in=[K.EXPENSE_REIMBURSEMENT, K.PURCHASE]))
            ),
        )
    )
    return {
        "year": year,
        "invoiced": invoiced,
        "received": ledger["received"],
        "fee": -ledger["fee"],
        "salaries": -ledger["salaries"],
        "expenses": -ledger["expenses"],
    }
