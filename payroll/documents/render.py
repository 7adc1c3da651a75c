"""The payslip PDF, typeset by typst with one compiler reused per process.

Why not WeasyPrint like the invoices: a payroll month is ~11,000 payslips (110,000 at ten times
the size); WeasyPrint lays out HTML at ~100 ms a page here, typst at a few ms (figures in
docs/payroll.md, `make bench`). The layout is `payslip.typ`; Python words and formats every
value in the worker's language and hands typst one JSON document, so user text is data and is
never parsed as markup (names with #, $, *, _ or backslashes print as written).

`payslip_document_data` is pure (no ORM): the benchmark and the tests call it directly.
"""

from __future__ import annotations

import functools
import json
import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from smartcoop.countries import pack_of_country
from smartcoop.countries.pack import IdentifierKind, PayslipLayout

from ..labels import EMPLOYER_LINE_LABELS, LINE_LABELS, TAX_CODES

TEMPLATE = Path(__file__).with_name("payslip.typ")
LANGUAGES = ("en", "fr", "nl", "de")
RENDERER = "typst"

# Decimal and thousands separators, and the date pattern, per language (fixed, not the locale
# machinery: a payslip prints the same figures whatever the server's settings).
_NUMBERS = {"en": (".", ","), "fr": (",", "\u202f"), "nl": (",", "."), "de": (",", ".")}
_DATES = {"en": "{d:02d}/{m:02d}/{y}", "fr": "{d:02d}/{m:02d}/{y}", "nl": "{d:02d}-{m:02d}-{y}",
          "de": "{d:02d}.{m:02d}.{y}"}  # fmt: skip


def money(value: Decimal | str, language: str) -> str:
    value = Decimal(value).quantize(Decimal("0.01"))
    point, thousands = _NUMBERS[language]
    sign = "\u2212" if value < 0 else ""  # a true minus sign
    whole, cents = f"{abs(value):.2f}".split(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{thousands.join(groups)}{point}{cents}"


def percent(rate: Decimal | str | None, language: str) -> str:
    if rate is None:
        return ""
    text = f"{(Decimal(rate) * 100).normalize():f}"
    return text.replace(".", _NUMBERS[language][0]) + "\u00a0%"


def day(value: date, language: str) -> str:
    return _DATES[language].format(d=value.day, m=value.month, y=value.year)


@dataclass(frozen=True)
class Party:
    name: str
    legal_form: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class PayslipFacts:
    """What the document prints besides the payslip's own snapshot (read by `payslip_pdf`)."""

    country: str
    employer: Party
    employer_numbers: tuple[tuple[str, str], ...]  # (label, value): enterprise, ONSS/SIRET...
    worker_name: str
    worker_lines: tuple[str, ...]
    joint_committees: tuple[str, ...]
    hours: Decimal
    iban_end: str
    year_to_date: dict[str, Decimal]  # gross, net_taxable, withholding, net_pay


def enterprise_number(entity) -> str:
    """The entity's enterprise number as its country prints it (BE 0466.388.470, FR SIREN
    303 265 045): the pack's identifier format; as stored when it cannot be formatted."""
    pack = pack_of_country(entity.country)
    identifier = pack.identifier(IdentifierKind.ENTERPRISE_NUMBER) if pack else None
    if identifier is None or not entity.enterprise_number:
        return entity.enterprise_number
    try:
        return identifier.format(entity.enterprise_number)
    except ValueError:
        return entity.enterprise_number


def payslip_layout(country: str) -> PayslipLayout:
    """What the payslip of the country's pack prints besides its lines (`CountryPack.payslip`)."""
    pack = pack_of_country(country)
    if pack is None or pack.payslip is None:
        raise ValueError(f"no payslip layout for {country!r}")
    return pack.payslip


def _category_label(category: str) -> str:
    return str(
        {
            "employee": _("Employee"),
            "manual_worker": _("Manual worker"),
            "artist": _("Artist"),
            "student": _("Student"),
            "cadre": _("Executive (cadre)"),
            "non_cadre": _("Non-executive"),
        }.get(category, category)
    )


def _label(line: dict) -> str:
    code = line["code"]
    if line["side"] == "employer":
        label = EMPLOYER_LINE_LABELS.get(code) or LINE_LABELS.get(code.removesuffix("_employer"))
    else:
        label = LINE_LABELS.get(code)
    return str(label) if label is not None else code


def _grouped(lines: list[dict], layout: PayslipLayout, lang: str) -> list[dict]:
    """The contributions under the layout's risk headings, the employee's and the employer's
    part of each in one row (`PayslipLayout.contribution_headings`); headings with no line on
    this payslip are left out, lines no row names go under `other_heading`."""
    m = functools.partial(money, language=lang)
    by_code = {line["code"]: line for line in lines}
    used: set[str] = set()

    def cells(line: dict | None) -> tuple[str, str]:
        if line is None:
            return "", ""
        return percent(line["rate"], lang), m(line["amount"])

    def row(label: str, employee: dict | None, employer: dict | None) -> dict:
        base = (employee or employer or {}).get("base", "")
        return {
            "label": label,
            "base": m(base) if base != "" else "",
            "employee": cells(employee),
            "employer": cells(employer),
        }

    sections = []
    for heading in layout.contribution_headings:
        rows = []
        for spec in heading.rows:
            employee = by_code.get(spec.employee) if spec.employee else None
            employer = by_code.get(spec.employer) if spec.employer else None
            if employee is None and employer is None:
                continue
            used.update(x["code"] for x in (employee, employer) if x is not None)
            label = str(_(spec.label)) if spec.label else _label(employee or employer or {})
            if employee and employer and Decimal(employee["base"]) != Decimal(employer["base"]):
                rows += [row(label, employee, None), row(label, None, employer)]
            else:
                rows.append(row(label, employee, employer))
        if rows:
            inline = heading.inline and len(rows) == 1
            sections.append({"label": str(_(heading.label)), "inline": inline, "rows": rows})
    other = [
        line
        for line in lines
        if line["code"] not in used and line["code"] not in TAX_CODES and line["side"] != "earning"
    ]
    if other:
        rows = [
            row(_label(line), line if line["side"] != "employer" else None,
                line if line["side"] == "employer" else None)
            for line in other
        ]  # fmt: skip
        sections.append({"label": str(_(layout.other_heading)), "inline": False, "rows": rows})
    return sections


def payslip_document_data(payslip, facts: PayslipFacts, language: str) -> dict:
    """Everything the template prints, worded in `language` (one of LANGUAGES)."""
    lang = language if language in LANGUAGES else "en"
    with translation.override(lang):
        m = functools.partial(money, language=lang)
        worker: list[dict] = []
        employer: list[dict] = []
        earnings: list[dict] = []  # pay added to the wages (BE exit holiday pay)
        for line in payslip.lines:
            row = {
                "label": _label(line),
                "base": m(line["base"]),
                "rate": percent(line["rate"], lang),
                "amount": m(line["amount"]),
            }
            side = line["side"]
            (employer if side == "employer" else earnings if side == "earning" else worker).append(
                row
            )
        if earnings:
            wages = payslip.gross - sum(
                (Decimal(x["amount"]) for x in payslip.lines if x["side"] == "earning"),
                Decimal("0"),
            )
            earnings.insert(0, {"label": _("Wages"), "base": "", "rate": "", "amount": m(wages)})
        worker[:0] = [*earnings, {"label": _("Gross pay"), "base": "", "rate": "",
                                  "amount": m(payslip.gross), "strong": True}]  # fmt: skip
        tax = sum(
            (Decimal(line["amount"]) for line in payslip.lines if line["code"] in TAX_CODES),
            Decimal("0"),
        )
        totals = [
            {"label": _("Gross pay"), "amount": m(payslip.gross)},
            {"label": _("Total deductions"), "amount": m(-payslip.employee_deductions)},
        ]
        layout = payslip_layout(facts.country)
        fr = None
        if layout.net_breakdown:
            pas = next((line for line in payslip.lines if line["code"] == "pas"), None)
            personalised = "pas_neutral_rate" not in payslip.notes
            fr = [
                {"label": _("Net before income tax"), "amount": m(payslip.net_pay + tax)},
                {
                    "label": _("Income tax withheld at source"),
                    "detail": _("base %(base)s · %(kind)s %(rate)s")
                    % {
                        "base": m(pas["base"] if pas else payslip.net_taxable),
                        "kind": _("personalised rate")
                        if personalised
                        else _("non-personalised rate"),
                        "rate": percent(pas["rate"] if pas else "0", lang),
                    },
                    "amount": m(-tax),
                },
                {"label": _("Net paid"), "amount": m(payslip.net_pay), "strong": True},
                {"label": _("Net social amount"), "amount": m(payslip.net_social)},
                {"label": _("Taxable net (net imposable)"), "amount": m(payslip.net_taxable)},
            ]
        grouped = None
        grouped_rows = 0
        if layout.contribution_headings:
            sections = _grouped(payslip.lines, layout, lang)
            grouped_rows = sum(len(x["rows"]) + 1 for x in sections)
            grouped = {
                "gross": [*earnings, {"label": _("Gross pay"), "amount": m(payslip.gross),
                                      "strong": True}],
                "sections": sections,
                "total": {
                    "label": _("Total contributions"),
                    "employee": m(payslip.employee_deductions - tax),
                    "employer": m(payslip.employer_contributions),
                },
            }  # fmt: skip
            worker, employer = [], []
        title = _("Payslip")
        correction = None
        if payslip.corrects_id is not None:
            title = _("Corrected payslip")
            correction = _("Reverses payslip %(reference)s") % {
                "reference": payslip.corrects.reference
            }
        mentions = []
        if "tax_profile_default" in payslip.notes:
            mentions.append(
                _(
                    "Your tax profile was incomplete on the pay date: withholding used the legal "
                    "default (single, no dependants). Complete it in your account."
                )
            )
        if "student_quota_exceeded" in payslip.notes:
            mentions.append(
                _("Hours beyond the student quota of the year are paid at ordinary rates.")
            )
        mentions.append(_(layout.mention))
        ytd = facts.year_to_date
        period = f"{day(payslip.period_start, lang)} \u2013 {day(payslip.period_end, lang)}"
        left = [
            (_("Number"), payslip.reference or _("draft"), True),
            (_("Pay date"), day(payslip.pay_date, lang)),
            (_("Period"), period),
            (_("Worker category"), _category_label(payslip.category)),
        ]
        right: list[tuple] = [(_(label), value) for label, value in facts.employer_numbers]
        hours = f"{facts.hours.normalize():f}".replace(".", _NUMBERS[lang][0])
        right.append((_("Hours paid"), hours))
        if layout.joint_committees:
            right.append(
                (
                    _("Joint committee"),
                    ", ".join(facts.joint_committees) or _("not stated on the contract"),
                )
            )
        return {
            "lang": lang,
            "title": str(title),
            "reference": payslip.reference or "",
            "correction": None if correction is None else str(correction),
            "employer": {
                "name": facts.employer.name,
                "legal_form": facts.employer.legal_form,
                "lines": list(facts.employer.lines),
            },
            "worker": {
                "heading": _("Worker"),
                "name": facts.worker_name,
                "lines": list(facts.worker_lines),
            },
            "facts": [
                [[str(x) for x in row] for row in left],
                [[str(x) for x in row] for row in right],
            ],
            # Many lines: the template tightens its type and spacing to stay on one page.
            # Many lines: the template tightens its type and spacing to stay on one page.
            "long": len(worker) + len(employer) > 24 or grouped_rows > 24,
            "grouped": grouped,
            "labels": {
                "employee_amount": _("Employee share"),
                "employer_amount": _("Employer share"),
                "base": _("Base"),
                "rate": _("Rate"),
                "amount": _("Amount"),
                "worker_lines": _("Your pay"),
                "employer_lines": _("Employer contributions"),
                "year_to_date": _("Year to date"),
                "payment": _("Payment"),
            },
            "worker_lines": worker,
            "totals": totals,
            "net": {"label": _("Net pay"), "amount": m(payslip.net_pay)},
            "fr": fr,
            "employer_lines": employer,
            "employer_total": {
                "label": _("Total employer cost"),
                "amount": m(payslip.employer_cost),
            },
            "ytd": [
                {"label": _("Gross pay"), "amount": m(ytd["gross"])},
                {"label": _("Taxable pay"), "amount": m(ytd["net_taxable"])},
                {"label": _("Income tax withheld"), "amount": m(ytd["withholding"])},
                {"label": _("Net pay"), "amount": m(ytd["net_pay"])},
            ],
            "payment": [
                _("Paid on %(date)s") % {"date": day(payslip.pay_date, lang)},
                _("to the account ending in %(digits)s") % {"digits": facts.iban_end}
                if facts.iban_end
                else _("no bank account recorded"),
            ],
            "mentions": [str(x) for x in mentions],
            "footer": " · ".join(
                [facts.employer.name, *facts.employer.lines, payslip.reference or ""]
            ),
        }


_local = threading.local()


def _compiler():
    """One typst compiler per thread (a process has one): it keeps the parsed template and the
    fonts it found between documents, which is what makes a document cost milliseconds."""
    compiler = getattr(_local, "compiler", None)
    if compiler is None:
        import typst

        compiler = _local.compiler = typst.Compiler(str(TEMPLATE))
    return compiler


def typst_pdf(data: dict) -> bytes:
    return _compiler().compile(format="pdf", sys_inputs={"data": json.dumps(data)})


def payslip_facts(payslip) -> PayslipFacts:
    """Read what the document prints besides the snapshot: the employer, the worker, the
    contracts paid and the year-to-date totals (approved payslips of the year up to this one)."""
    return payslips_facts([payslip])[payslip.pk]


def payslips_facts(payslips) -> dict[int, PayslipFacts]:
    """`payslip_facts` of many payslips (a render chunk) in a constant number of queries: the
    entities once, the contracts paid in one query (none if prefetched as
    `paid_contracts__contract`), and one query for the approved payslips of the years they
    cover, from which each one's year-to-date is summed. The members come with the payslips
    (`select_related("member")`)."""
    from smartcoop.core.models import LegalEntity

    from ..models import Payslip, PayslipContract

    payslips = list(payslips)
    if not payslips:
        return {}
    entities = LegalEntity.objects.in_bulk({p.entity_id for p in payslips})
    paid: dict[int, list]
    prefetched = all("paid_contracts" in getattr(p, "_prefetched_objects_cache", {})
                     for p in payslips)  # fmt: skip
    if prefetched:
        paid = {p.pk: list(p.paid_contracts.all()) for p in payslips}
    else:
        paid = {p.pk: [] for p in payslips}
        paid_rows = PayslipContract.objects.filter(payslip__in=[p.pk for p in payslips])
        for paid_row in paid_rows.select_related("contract").order_by("pk"):
            paid[paid_row.payslip_id].append(paid_row)
    # The approved payslips of the same entity and member in each payslip's year, up to its pay
    # date (itself excluded): one query for the chunk, filtered per payslip below.
    year_rows: dict[tuple[int, int], list[Any]] = {}
    earliest = min(p.pay_date.replace(month=1, day=1) for p in payslips)
    for row in Payslip.objects.filter(
        entity_id__in={p.entity_id for p in payslips},
        member_id__in={p.member_id for p in payslips},
        status=Payslip.Status.APPROVED,
        pay_date__gte=earliest,
        pay_date__lte=max(p.pay_date for p in payslips),
    ).values("pk", "entity_id", "member_id", "pay_date", "gross", "net_taxable", "net_pay",
             "lines"):  # fmt: skip
        year_rows.setdefault((row["entity_id"], row["member_id"]), []).append(row)

    def withheld(lines) -> Decimal:
        return sum(
            (Decimal(line["amount"]) for line in lines if line["code"] in TAX_CODES), Decimal("0")
        )

    facts = {}
    for payslip in payslips:
        entity = entities[payslip.entity_id]
        member = payslip.member
        country = entity.country
        layout = payslip_layout(country)
        # The labels stay msgids here (the pack's `PayslipLayout`): the document translates them
        # into its own language (the facts are read in whatever language the worker process has).
        numbers = [(layout.enterprise_number_label, enterprise_number(entity))]
        if entity.employer_number:
            numbers.append((layout.employer_number_label, entity.employer_number))
        earlier = [
            row
            for row in year_rows.get((payslip.entity_id, payslip.member_id), [])
            if row["pk"] != payslip.pk
            and row["pay_date"].year == payslip.pay_date.year
            and row["pay_date"] <= payslip.pay_date
        ]
        ytd = {
            key: sum((row[key] for row in earlier), Decimal("0")) + getattr(payslip, key)
            for key in ("gross", "net_taxable", "net_pay")
        }
        ytd["withholding"] = sum(
            (withheld(row["lines"]) for row in earlier), Decimal("0")
        ) + withheld(payslip.lines)
        address = [member.street, f"{member.postcode} {member.city}".strip()]
        if member.member_number:
            address.append(_("Member no. %(number)s") % {"number": member.member_number})
        contract_rows = paid[payslip.pk]
        contracts = [row.contract for row in contract_rows]
        facts[payslip.pk] = PayslipFacts(
            country=country,
            employer=Party(
                entity.name,
                entity.legal_form,
                (entity.street, f"{entity.postcode} {entity.city} ({entity.country})"),
            ),
            employer_numbers=tuple((str(label), value) for label, value in numbers),
            worker_name=member.display_name,
            worker_lines=tuple(x for x in address if x),
            joint_committees=tuple(
                sorted({c.joint_committee for c in contracts if c.joint_committee})
            ),
            hours=sum((row.hours for row in contract_rows), Decimal("0")),
            iban_end=member.iban.replace(" ", "")[-4:] if member.iban else "",
            year_to_date=ytd,
        )
    return facts


def payslip_language(payslip, entities: dict | None = None) -> str:
    """The worker's language, else the entity's default, else English (`entities`: the
    LegalEntity rows by id when the caller has them, to read no more)."""
    from smartcoop.core.models import LegalEntity

    language = payslip.member.language or ""
    if language[:2] in LANGUAGES:
        return language[:2]
    if entities is not None and payslip.entity_id in entities:
        default = entities[payslip.entity_id].default_language or ""
    else:
        default = (
            LegalEntity.objects.filter(pk=payslip.entity_id)
            .values_list("default_language", flat=True)
            .first()
            or ""
        )
    return default[:2] if default[:2] in LANGUAGES else "en"


def payslip_pdf(payslip, language: str | None = None) -> tuple[bytes, str]:
    language = language or payslip_language(payslip)
    data = payslip_document_data(payslip, payslip_facts(payslip), language)
    return typst_pdf(data), language
