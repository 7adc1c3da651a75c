"""The key figures as tables (the report's pages), built from `selectors`: one structure that
the page, the CSV and XLSX exports and the PDF all render. Each table compares its main column
with the previous year, and carries the geometry of a small bar chart (server-rendered SVG)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from activities.models import EmploymentContract, LedgerEntry
from smartcoop.core.sectors import Sector
from smartcoop.countries import current_pack

from . import selectors
from .selectors import Scope

CHART_WIDTH = 480
BAR_HEIGHT = 16
BAR_GAP = 6
LABEL_WIDTH = 170


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"  # "money", "int", "decimal"


@dataclass
class TableRow:
    label: str
    values: dict
    previous: Decimal | int | None = None
    change: Decimal | None = None  # ratio (0.12 = +12 %), None when there is nothing to compare


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[TableRow]
    compare: str  # the column compared with the previous year and drawn as bars
    total: TableRow | None = None
    note: str = ""
    chart: list[dict] = field(default_factory=list)

    @property
    def compare_column(self) -> Column:
        return next(c for c in self.columns if c.key == self.compare)


@dataclass
class KeyFigures:
    scope: Scope
    tables: list[Table]
    checks: list[dict]
    missing: list[str]
    # When the year's and the year before's figures were computed if they are stored
    # aggregates (`keyfigures.stored`); None: computed live for this page.
    computed_at: datetime | None = None
    previous_computed_at: datetime | None = None

    @property
    def computed_pairs(self) -> list[tuple[datetime | None, int]]:
        return [
            (self.computed_at, self.scope.year),
            (self.previous_computed_at, self.scope.year - 1),
        ]


def _labels() -> dict[str, dict[str, str]]:
    pack = current_pack()
    return {
        "contract_type": {c.code: str(c.label) for c in pack.contract_types},
        "tool": {t.value: str(t.label).split(" (")[0] for t in EmploymentContract.Tool},
        "sector": {s.value: str(s.label) for s in Sector},
        "region": {
            "brussels": _("Brussels"),
            "flanders": _("Flanders"),
            "wallonia": _("Wallonia"),
            "abroad": _("Abroad"),
            "": _("Unknown"),
        },
        "kind": {k.value: str(k.label) for k in LedgerEntry.Kind},
        "category": {c.code: str(c.label) for c in pack.share_categories},
    }


def _change(now, before) -> Decimal | None:
    if not before:
        return None
    return ((Decimal(now) - Decimal(before)) / Decimal(before)).quantize(Decimal("0.0001"))


def _table(
    key: str,
    title: str,
    columns: list[Column],
    rows: list[dict],
    previous_rows: list[dict],
    *,
    row_key: str,
    compare: str,
    labels: dict[str, str] | None = None,
    total: dict | None = None,
    previous_total: dict | None = None,
    note: str = "",
) -> Table:
    before = {r[row_key]: r[compare] for r in previous_rows}
    labels = labels or {}
    table_rows = []
    for row in rows:
        value_key = row[row_key]
        label = labels.get(value_key, value_key) if value_key not in (None, "") else None
        previous = before.get(value_key)
        table_rows.append(
            TableRow(
                label=str(label if label is not None else labels.get("", _("Unknown"))),
                values={c.key: row.get(c.key) for c in columns},
                previous=previous,
                change=_change(row[compare], previous),
            )
        )
    total_row = None
    if total is not None:
        prev = previous_total.get(compare) if previous_total else None
        total_row = TableRow(
            label=_("Total"),
            values={c.key: total.get(c.key) for c in columns},
            previous=prev,
            change=_change(total[compare], prev),
        )
    table = Table(key, title, columns, table_rows, compare, total_row, note)
    table.chart = _bars(table)
    return table


def _bars(table: Table) -> list[dict]:
    """Horizontal bars of the compared column (negative values drawn as zero)."""
    values = [max(Decimal(r.values[table.compare] or 0), Decimal(0)) for r in table.rows]
    top = max(values, default=Decimal(0)) or Decimal(1)
    bars = []
    for index, (row, value) in enumerate(zip(table.rows, values, strict=True)):
        y = index * (BAR_HEIGHT + BAR_GAP)
        # Pixel geometry, not money: the amount becomes a width here and nowhere else.
        width = round(float(value / top) * (CHART_WIDTH - LABEL_WIDTH - 8), 1)
        bars.append(
            {
                "label": row.label if len(row.label) <= 22 else row.label[:21] + "…",
                "y": y,
                "text_y": y + BAR_HEIGHT - 4,
                "width": max(width, 1.0) if value else 0,
                "value": row.values[table.compare],
            }
        )
    return bars


def chart_height(table: Table) -> int:
    return max(len(table.chart), 1) * (BAR_HEIGHT + BAR_GAP)


def build(scope: Scope, *, source=None) -> KeyFigures:
    """Every table of the key-figures pages for `scope` and the year before. `source(scope)`
    gives a year's figures (`stored.figures_for`: a closed year's stored aggregate, or live)."""
    prev = scope.previous()
    source = source or _live
    now, before = source(scope), source(prev)
    labels = _labels()
    money_cols = [
        Column("turnover", _("Turnover excl. VAT"), "money"),
        Column("invoiced", _("Invoiced"), "money"),
        Column("credited", _("Credit notes"), "money"),
        Column("invoices", _("Invoices")),
        Column("clients", _("Clients")),
    ]
    work_cols = [
        Column("work_budget", _("Work budget"), "money"),
        Column("workers", _("Salaried members")),
        Column("contracts", _("Contracts")),
        Column("hours", _("Hours"), "decimal"),
        Column("days", _("Working days")),
        Column("fte", _("FTE"), "decimal"),
    ]
    tables: list[Table] = []
    turnover = now["invoices"]["entity"]
    turnover_total = _sum_rows(turnover, money_cols)
    tables.append(
        _table(
            "turnover_by_entity",
            _("Turnover by entity"),
            money_cols,
            turnover,
            before["invoices"]["entity"],
            row_key="entity__name",
            compare="turnover",
            total=turnover_total,
            previous_total=_sum_rows(before["invoices"]["entity"], money_cols),
            note=_("Issued invoices minus issued credit notes, by issue date, excl. VAT."),
        )
    )
    work_total = now["work"]["total"]
    prev_work_total = before["work"]["total"]
    for dimension, title in (
        ("contract_type", _("Work budget by contract type")),
        ("tool", _("Work budget by tool")),
        ("entity", _("Work budget by entity")),
        ("sector", _("Work budget by sector")),
    ):
        tables.append(
            _table(
                f"work_by_{dimension}",
                title,
                work_cols,
                now["work"][dimension],
                before["work"][dimension],
                row_key="key",
                compare="work_budget",
                labels=labels.get(dimension),
                total=work_total,
                previous_total=prev_work_total,
                note=_(
                    "Contracts paid in the year: employer cost (gross x coefficient); salaried "
                    "members counted once per row."
                ),
            )
        )
    tables.append(
        _table(
            "invoiced_by_tool",
            _("Invoiced amount by tool"),
            money_cols,
            now["invoices"]["tool"],
            before["invoices"]["tool"],
            row_key="tool",
            compare="turnover",
            labels=labels["tool"],
            total=turnover_total,
        )
    )
    tables.append(
        _table(
            "invoiced_by_country",
            _("Invoiced amount by client country"),
            money_cols,
            now["invoices"]["country"],
            before["invoices"]["country"],
            row_key="client__country",
            compare="turnover",
            total=turnover_total,
        )
    )
    member_cols = [Column("members", _("Members"))]
    tables.append(
        _table(
            "members_by_age",
            _("Members by age band"),
            member_cols,
            now["members_by_age"],
            before["members_by_age"],
            row_key="band",
            compare="members",
            note=_("Age on 31 December; members on that day."),
        )
    )
    tables.append(
        _table(
            "members_by_region",
            _("Members by region"),
            member_cols,
            now["members_by_region"],
            before["members_by_region"],
            row_key="region",
            compare="members",
            labels=labels["region"],
            note=_("From the postcode of the member's address."),
        )
    )
    movements = now["member_movements"]
    prev_movements = before["member_movements"]
    movement_labels = {
        "at_year_end": _("Members on 31 December"),
        "new": _("New members"),
        "left": _("Members who left"),
        "legal_persons": _("Of which legal persons"),
    }
    tables.append(
        _table(
            "members",
            _("Members"),
            [Column("value", _("Number"))],
            [{"key": k, "value": movements[k]} for k in movement_labels],
            [{"key": k, "value": prev_movements[k]} for k in movement_labels],
            row_key="key",
            compare="value",
            labels=movement_labels,
        )
    )
    share_cols = [
        Column("held", _("Shares held")),
        Column("capital", _("Capital"), "money"),
        Column("holders", _("Holders")),
        Column("subscribed", _("Subscribed in the year")),
        Column("redeemed", _("Redeemed in the year")),
    ]
    tables.append(
        _table(
            "share_categories",
            _("Share categories"),
            share_cols,
            now["share_categories"],
            before["share_categories"],
            row_key="category",
            compare="capital",
            labels=labels["category"],
            note=_("The register of members up to 31 December."),
        )
    )
    loans, prev_loans = now["loans"], before["loans"]
    solidarity, prev_solidarity = now["solidarity"], before["solidarity"]
    payroll, prev_payroll = now["payroll"], before["payroll"]
    facts = [
        ("loans_disbursed", _("Loans disbursed"), loans["disbursed"], prev_loans["disbursed"]),
        (
            "loans_amount",
            _("Amount lent"),
            loans["disbursed_amount"],
            prev_loans["disbursed_amount"],
        ),
        ("loans_refused", _("Loan requests refused"), loans["refused"], prev_loans["refused"]),
        (
            "loans_outstanding",
            _("Outstanding today (all years)"),
            loans["outstanding_now"],
            None,
        ),
        (
            "fund_contributions",
            _("Solidarity contributions"),
            solidarity["contributions"],
            prev_solidarity["contributions"],
        ),
        (
            "fund_requests",
            _("Solidarity requests"),
            solidarity["requests"],
            prev_solidarity["requests"],
        ),
        (
            "fund_accepted",
            _("Requests accepted"),
            solidarity["accepted"],
            prev_solidarity["accepted"],
        ),
        ("fund_paid", _("Help paid"), solidarity["paid"], prev_solidarity["paid"]),
        ("payslips", _("Payslips"), payroll["payslips"], prev_payroll["payslips"]),
        ("payslip_gross", _("Gross on payslips"), payroll["gross"], prev_payroll["gross"]),
        (
            "payslip_cost",
            _("Employer cost on payslips"),
            payroll["employer_cost"],
            prev_payroll["employer_cost"],
        ),
    ]
    fact_table = Table(
        "loans_fund_payroll",
        _("Loans, solidarity fund and payslips"),
        [Column("value", _("Value"), "decimal")],
        [
            TableRow(str(label), {"value": now}, before, _change(now, before))
            for _key, label, now, before in facts
        ],
        "value",
    )
    tables.append(fact_table)
    ledger_budget = now["ledger_work_budget"]
    checks = [
        {
            "label": _("Work budget of the paid contracts = salary costs in the ledgers"),
            "left": work_total["work_budget"],
            "right": ledger_budget,
            "ok": work_total["work_budget"] == ledger_budget,
        }
    ]
    missing = [
        _("Gender: the register does not record it, so members by gender cannot be given."),
        _(
            "Contract type and tool filters do not apply to members, shares and the solidarity "
            "fund; members and shares belong to the cooperative, not to an entity."
        ),
        _("Outstanding loans are today's, not those of 31 December of the year."),
    ]
    return KeyFigures(
        scope=scope,
        tables=tables,
        checks=checks,
        missing=missing,
        computed_at=now.get("computed_at"),
        previous_computed_at=before.get("computed_at"),
    )


def _live(scope: Scope) -> dict:
    return selectors.year_figures(scope)


def _sum_rows(rows: list[dict], columns: list[Column]) -> dict:
    """Totals of a table whose rows partition the whole (entities): distinct counts such as
    clients are summed per row, which counts a client of two entities twice."""
    return {
        c.key: sum((r[c.key] for r in rows), Decimal(0) if c.kind == "money" else 0)
        for c in columns
    }


def flat_rows(figures: KeyFigures) -> list[list]:
    """Every table as rows of cells (for CSV and XLSX): table, row, column, value, previous."""
    out: list[list] = [
        [_("Table"), _("Row"), _("Column"), str(figures.scope.year), str(figures.scope.year - 1)]
    ]
    for table in figures.tables:
        for row in [*table.rows, *([table.total] if table.total else [])]:
            for column in table.columns:
                previous = row.previous if column.key == table.compare else None
                out.append([table.title, row.label, column.label, row.values[column.key], previous])
    return out
