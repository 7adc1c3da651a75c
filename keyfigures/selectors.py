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

from django.db import connection, transaction
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
from django.db.models.functions import Cast, Coalesce, ExtractYear

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
# Memory for the hash aggregates of the year's invoices and contracts (~80 MB at factor 1 for
# the contracts, hash_mem_multiplier 2 included); beyond it PostgreSQL spills them to disk.
REPORT_WORK_MEM = "64MB"
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


INVOICE_DIMENSIONS = ("entity", "country", "tool")


def _tool_of_invoice() -> Case:
    return Case(
        When(performance={}, then=Value(EmploymentContract.Tool.ACTIVITY.value)),
        default=Value(EmploymentContract.Tool.CONTRACT.value),
        output_field=CharField(),
    )


def _over(inner: QuerySet[Any, Any], outer: str) -> list[dict[str, Any]]:
    """Rows of the SQL `outer`, which reads `FROM {inner} AS …`, over the ORM query `inner`
    compiled by Django (its values stay query parameters; nothing is formatted into the SQL)."""
    sql, params = inner.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # The per-member (per-client) sums are hashed in memory rather than sorted on disk
        # (4 MB by default): for this transaction only.
        cursor.execute("SELECT set_config('work_mem', %s, true)", [REPORT_WORK_MEM])
        cursor.execute(outer.replace("{inner}", f"({sql})"), params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def invoice_tables(scope: Scope) -> dict[str, list[dict]]:
    """Turnover, invoiced, credited, invoices and distinct clients by entity, by client country
    and by tool, in one pass over the year's documents. The documents are first summed per
    entity, country, tool and client (a hash aggregate), and the distinct clients are counted
    over those sums (a few rows per client) rather than by sorting every document: the same
    figures as one COUNT(DISTINCT) per table, at a fraction of the cost."""
    inner = (
        issued_documents(scope)
        .order_by()
        .values(
            k_entity=F("entity_id"),
            k_entity_name=F("entity__name"),
            k_country=F("client__country"),
            k_tool=_tool_of_invoice(),
            k_client=F("client_id"),
        )
        .annotate(
            s_invoiced=Sum("total_excl_vat", filter=Q(kind=Invoice.Kind.INVOICE)),
            s_credited=Sum("total_excl_vat", filter=Q(kind=Invoice.Kind.CREDIT_NOTE)),
            s_turnover=Sum(_signed_excl_vat()),
            s_invoices=Count("pk", filter=Q(kind=Invoice.Kind.INVOICE)),
        )
    )
    rows = _over(
        inner,
        """
        SELECT CASE WHEN GROUPING(k_country) = 0 THEN 'country'
                    WHEN GROUPING(k_tool) = 0 THEN 'tool' ELSE 'entity' END AS dimension,
               k_entity, k_entity_name, k_country, k_tool,
               COALESCE(SUM(s_invoiced), 0.00) AS invoiced,
               COALESCE(SUM(s_credited), 0.00) AS credited,
               COALESCE(SUM(s_turnover), 0.00) AS turnover,
               COALESCE(SUM(s_invoices), 0)::bigint AS invoices,
               COUNT(DISTINCT k_client) AS clients
        FROM {inner} AS per_client
        GROUP BY GROUPING SETS ((k_entity, k_entity_name), (k_country), (k_tool))
        ORDER BY 1,
                 CASE WHEN GROUPING(k_country) = 0 THEN COALESCE(SUM(s_turnover), 0.00) END DESC,
                 k_entity_name, k_country, k_tool
        """,
    )
    tables: dict[str, list[dict]] = {dimension: [] for dimension in INVOICE_DIMENSIONS}
    figures = ("invoiced", "credited", "turnover", "invoices", "clients")
    for row in rows:
        values = {name: row[name] for name in figures}
        dimension = row["dimension"]
        if dimension == "entity":
            keys = {"entity_id": row["k_entity"], "entity__name": row["k_entity_name"]}
        elif dimension == "country":
            keys = {"client__country": row["k_country"]}
        else:
            keys = {"tool": row["k_tool"]}
        tables[dimension].append(keys | values)
    return tables


def turnover_by_entity(scope: Scope) -> list[dict]:
    """Turnover excl. VAT of each entity: issued invoices minus issued credit notes."""
    return invoice_tables(scope)["entity"]


def invoiced_by_client_country(scope: Scope) -> list[dict]:
    return invoice_tables(scope)["country"]


def invoiced_by_tool(scope: Scope) -> list[dict]:
    return invoice_tables(scope)["tool"]


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


def fte_hours(year: int) -> Decimal:
    pack = current_pack()
    return Decimal(param(f"{pack.prefix}.fte_annual_hours", on=dt.date(year, 12, 31)))


def _with_fte(rows: list[dict], year: int) -> list[dict]:
    hours = fte_hours(year)
    for row in rows:
        row["fte"] = (Decimal(row["hours"]) / hours).quantize(Decimal("0.1"))
    return rows


def work_tables(scope: Scope) -> dict[str, Any]:
    """Work budget, head-count (distinct salaried members), contracts, hours, days and FTE by
    contract type, tool, entity and sector, and their totals (key "total"), in one pass over the
    year's paid contracts: summed per dimension values and member first (a hash aggregate), the
    members then counted once per row over those sums instead of sorting every contract."""
    inner = (
        paid_contracts(scope)
        .order_by()
        .values(
            k_contract_type=F("contract_type"),
            k_tool=F("tool"),
            k_entity=F("entity__name"),
            k_sector=F("sector"),
            k_member=F("member_id"),
        )
        .annotate(
            s_work_budget=Sum("employer_cost"),
            s_gross=Sum("gross_wage"),
            s_contracts=Count("pk"),
            s_hours=Sum("hours"),
            s_days=Sum("days"),
        )
    )
    rows = _over(
        inner,
        """
        SELECT CASE WHEN GROUPING(k_contract_type) = 0 THEN 'contract_type'
                    WHEN GROUPING(k_tool) = 0 THEN 'tool'
                    WHEN GROUPING(k_entity) = 0 THEN 'entity'
                    WHEN GROUPING(k_sector) = 0 THEN 'sector' ELSE 'total' END AS dimension,
               COALESCE(k_contract_type, k_tool, k_entity, k_sector) AS key,
               COALESCE(SUM(s_work_budget), 0.00) AS work_budget,
               COALESCE(SUM(s_gross), 0.00) AS gross,
               COUNT(DISTINCT k_member) AS workers,
               COALESCE(SUM(s_contracts), 0)::bigint AS contracts,
               COALESCE(SUM(s_hours), 0) AS hours,
               COALESCE(SUM(s_days), 0)::bigint AS days
        FROM {inner} AS per_member
        GROUP BY GROUPING SETS ((k_contract_type), (k_tool), (k_entity), (k_sector), ())
        ORDER BY 1, 3 DESC, 2
        """,
    )
    tables: dict[str, Any] = {dimension: [] for dimension in WORK_DIMENSIONS}
    for row in rows:
        dimension = row.pop("dimension")
        if dimension == "total":
            row.pop("key")
            tables["total"] = _with_fte([row], scope.year)[0]
        else:
            tables[dimension].append(row)
    for dimension in WORK_DIMENSIONS:
        _with_fte(tables[dimension], scope.year)
    return tables


def work_by(scope: Scope, dimension: str) -> list[dict]:
    """Work budget, head-count (distinct salaried members), contracts, hours, days and FTE by
    contract type, tool, entity or sector."""
    return work_tables(scope)[dimension]


def work_totals(scope: Scope) -> dict:
    return work_tables(scope)["total"]


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
    inner = (
        qs.order_by()
        .values(k_member=F("member_id"))
        .annotate(
            s_payslips=Count("pk"),
            s_gross=Sum("gross"),
            s_net_pay=Sum("net_pay"),
            s_employer_cost=Sum("employer_cost"),
        )
    )
    # Summed per member first, then the members counted: no sort behind a COUNT(DISTINCT).
    return _over(
        inner,
        """
        SELECT COALESCE(SUM(s_payslips), 0)::bigint AS payslips,
               COUNT(k_member) AS members,
               COALESCE(SUM(s_gross), 0.00) AS gross,
               COALESCE(SUM(s_net_pay), 0.00) AS net_pay,
               COALESCE(SUM(s_employer_cost), 0.00) AS employer_cost
        FROM {inner} AS per_member
        """,
    )[0]


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


def _region(pack, local: Q) -> Case:
    """The region of a postcode of the pack's country (`CountryPack.postcode_regions`, the first
    range holding it; Belgium: the bpost ranges of Brussels, Wallonia and Flanders); outside the
    country: "abroad"; no address: "". Needs the `code` annotation (the postcode as a number,
    NULL when it is not of the pack's form)."""
    return Case(
        *(
            When(local & Q(code__gte=lowest, code__lte=highest), then=Value(region))
            for region, lowest, highest in pack.postcode_regions
        ),
        When(~Q(country="") & ~Q(country=pack.code), then=Value("abroad")),
        default=Value(""),
        output_field=CharField(),
    )


def members_by_region(scope: Scope) -> list[dict]:
    """Regions from the member's postcode when the pack has them (Belgium); else by country
    code."""
    pack = current_pack()
    if not pack.postcode_regions:
        return _rows(
            members_at_year_end(scope)
            .order_by()
            .values(region=F("country"))
            .annotate(members=Count("pk"))
            .order_by("-members")
        )
    local = Q(country=pack.code, postcode__regex=f"^{pack.postcode_pattern}$")
    rows = (
        members_at_year_end(scope)
        .order_by()
        .annotate(
            code=Case(
                When(local, then=Cast("postcode", IntegerField())),
                default=Value(None),
                output_field=IntegerField(),
            )
        )
        .annotate(region=_region(pack, local))
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


# --- Every figure of a year ----------------------------------------------------------------------


def year_figures(scope: Scope) -> dict[str, Any]:
    """Every figure of the pages for one year of the scope, computed live (~12 queries): what
    `report.build` renders, and what a stored yearly aggregate keeps (`keyfigures.stored`)."""
    return {
        "invoices": invoice_tables(scope),
        "work": work_tables(scope),
        "members_by_age": members_by_age_band(scope),
        "members_by_region": members_by_region(scope),
        "member_movements": member_movements(scope),
        "share_categories": share_categories(scope),
        "loans": loan_figures(scope),
        "solidarity": solidarity_figures(scope),
        "payroll": payroll_totals(scope),
        "ledger_work_budget": ledger_work_budget(scope),
    }
