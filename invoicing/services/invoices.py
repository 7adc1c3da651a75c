"""Invoices and credit notes: drafts (lines, deducted deposits), the VAT decision and the staff
override, submit/approve, issue (snapshot, mentions, numbering), the status of an issued invoice
from what was paid and credited, the Contract tool (`performance_declare`), credit notes.

Lock order when issuing: the original invoice (credit notes), then the document
(`SELECT … FOR UPDATE OF invoice`), then the deposit invoices a final invoice deducts (by id),
then the number sequence row (number_allocate), then the Member row activities locks when the
Contract tool creates a contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities.models import Activity
from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import LegalEntity, User
from smartcoop.core.money import format_money, quantize_money
from smartcoop.core.numbering import number_allocate
from smartcoop.core.payments import payment_reference
from smartcoop.core.validators import (
    MONEY_LIMIT,
    check_money_fits,
    check_text,
    check_texts,
    validate_country_code,
    validate_single_line,
)
from smartcoop.countries import ParameterNotInForce, legal_reference, param_entry

from .. import calculations as calc
from ..mentions import (
    capital_mention,
    early_payment_discount_mention,
    fr_einvoice_notes,
    late_payment_mention,
    operation_category_mention,
    register_mention,
    vat_on_debits_mention,
)
from ..models import Client, Invoice, InvoiceLine
from ..vat import french_siren, vat_texts
from ._shared import (
    ZERO,
    _contract_create_for_performance,
    _country_of,
    _decimal,
    _param,
    _payment_plan_start,
    _places,
)

# --- Drafts ----------------------------------------------------------------------------------


@dataclass
class LineData:
    description: str
    quantity: Decimal
    unit_price: Decimal
    unit: str = InvoiceLine.Unit.UNIT
    vat_rate_code: str = InvoiceLine.VatRate.STANDARD


# What a document and its line columns hold (InvoiceLine.quantity: 12 digits, 4 decimals;
# unit_price: 14 digits, 4 decimals; money: 14 digits, 2 decimals). The form, the API and the
# services use these numbers.
MAX_LINES = 100
MAX_PAYMENT_DAYS = 365  # as the invoice form always allowed
QUANTITY_LIMIT = Decimal(10**8)
UNIT_PRICE_LIMIT = Decimal(10**10)


def _clean_lines(lines: Sequence[LineData | dict]) -> list[LineData]:
    if len(lines) > MAX_LINES:
        raise ValidationFailed(
            _("A document has at most %(max)s lines; this one has %(n)s.")
            % {"max": MAX_LINES, "n": len(lines)},
            code="too_many_lines",
            field="lines",
        )
    cleaned = []
    for index, raw in enumerate(lines):
        data = raw if isinstance(raw, LineData) else LineData(**raw)
        if not data.description.strip():
            raise ValidationFailed(
                _("Line %(n)s needs a description.") % {"n": index + 1}, field="lines"
            )
        try:
            validate_single_line(data.description)
        except ValidationError as exc:
            raise ValidationFailed(
                _("Line %(n)s: %(error)s") % {"n": index + 1, "error": exc.messages[0]},
                code="control_characters",
                field="lines",
            ) from None
        quantity = _decimal(data.quantity, field="lines")
        price = _decimal(data.unit_price, field="lines")
        if _places(quantity) > 4 or _places(price) > 4:
            raise ValidationFailed(
                _("Quantities and unit prices have at most 4 decimals."), field="lines"
            )
        if abs(quantity) >= QUANTITY_LIMIT or abs(price) >= UNIT_PRICE_LIMIT:
            raise ValidationFailed(
                _("Line %(n)s: a quantity is below %(quantity)s and a unit price below %(price)s.")
                % {
                    "n": index + 1,
                    "quantity": format_money(QUANTITY_LIMIT),
                    "price": format_money(UNIT_PRICE_LIMIT),
                },
                code="too_large",
                field="lines",
            )
        if data.vat_rate_code not in InvoiceLine.VatRate.values:
            raise ValidationFailed(_("Choose a VAT rate."), field="lines")
        if data.unit not in InvoiceLine.Unit.values:
            raise ValidationFailed(_("Choose a unit."), field="lines")
        cleaned.append(
            LineData(data.description.strip(), quantity, price, data.unit, data.vat_rate_code)
        )
    if not cleaned:
        raise ValidationFailed(_("An invoice needs at least one line."), field="lines")
    return cleaned


def _check_totals_fit(totals: calc.Totals) -> None:
    """The line totals and the document total fit the money columns (below 10^12)."""
    biggest = max([abs(totals.total_incl_vat), *map(abs, totals.line_totals)], default=ZERO)
    if biggest >= MONEY_LIMIT:
        raise ValidationFailed(
            _(
                "A line or the total of a document must stay below %(limit)s; this one reaches %(n)s."
            )
            % {"limit": format_money(Decimal(MONEY_LIMIT)), "n": format_money(biggest)},
            code="too_large",
            field="lines",
        )


def _payment_days(*, entity: LegalEntity, client: Client, days: int | None, on: date) -> int:
    default = int(_param(entity, "invoice_payment_days_default", on=on, default=Decimal(30)))
    if days is None:
        return default
    if days < 0:
        raise ValidationFailed(_("A payment term cannot be negative."), field="payment_days")
    if days > MAX_PAYMENT_DAYS:
        raise ValidationFailed(
            _("A payment term is at most %(max)s days.") % {"max": MAX_PAYMENT_DAYS},
            code="payment_term_too_long",
            field="payment_days",
        )
    try:
        entry = param_entry(f"{_country_of(entity)}.invoice_payment_days_max_b2b", on=on)
        maximum, rule = int(entry.value), legal_reference(entry.source)
    except ParameterNotInForce:  # a pack without its own rule: the EU directive's default
        maximum, rule = 60, "Directive 2011/7/EU art. 3(5)"
    if client.is_business and days > maximum:
        raise ValidationFailed(
            _("A payment term between businesses is at most %(max)s days (%(rule)s).")
            % {"max": maximum, "rule": rule},
            code="payment_term_too_long",
            field="payment_days",
        )
    return days


def invoice_draft_save(
    *,
    actor: User | None,
    activity: Activity,
    client: Client,
    lines: Sequence[LineData | dict],
    invoice: Invoice | None = None,
    payment_days: int | None = None,
    delivery_date: date | None = None,
    buyer_reference: str = "",
    note: str = "",
    discount_rate: Decimal | str = "0",
    is_deposit: bool = False,
    deposits: Sequence[Invoice] = (),
    instalments: Sequence[tuple[date, Decimal]] = (),
    operation_category: str = Invoice.OperationCategory.SERVICES,
    delivery_address: dict[str, str] | None = None,
) -> Invoice:
    """Create or update a draft invoice with its lines; computes the VAT decision and totals.

    `operation_category` says whether it invoices services, goods or both (printed, and the
    billing framework of the French e-invoice). `delivery_address` ({street, postcode, city,
    country}, optional) is where the goods go or the service is performed when that is not the
    client's address: all four parts or none, refused at the field otherwise.

    `instalments` ([(date, amount)], optional) agree payment in instalments: at least two, on
    distinct dates, adding up exactly to the total; the last date becomes the due date at issue.

    `is_deposit` makes it a deposit invoice (part of the price in advance). `deposits` are issued
    deposit invoices of the same client that this final invoice deducts: one negative line per
    deposit and VAT rate, pointing to the deposit, so the VAT already invoiced is not invoiced
    twice. A deposit is deducted once."""
    if client.entity_id != activity.entity_id:
        raise ValidationFailed(_("This client belongs to another entity."), field="client")
    cleaned = _clean_lines(lines)
    discount = _decimal(discount_rate, field="discount_rate")
    if not Decimal(0) <= discount < Decimal(100):
        raise ValidationFailed(_("A discount is between 0 and 100 %."), field="discount_rate")
    if is_deposit and deposits:
        raise ValidationFailed(
            _("A deposit invoice cannot deduct other deposits."), field="deposits"
        )
    if deposits and discount:
        raise ValidationFailed(
            _(
                "A document discount cannot be combined with deducted deposits: put the discount "
                "in the line prices."
            ),
            field="discount_rate",
        )
    if operation_category not in Invoice.OperationCategory.values:
        raise ValidationFailed(_("Choose services, goods, or both."), field="operation_category")
    delivery = _clean_delivery_address(delivery_address)
    today = timezone.localdate()
    with transaction.atomic():
        if invoice is None:
            invoice = Invoice(entity_id=activity.entity_id, created_by=actor)
        else:
            invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
            if not invoice.can("edit") or invoice.is_credit_note:
                raise Conflict(_("Only a draft invoice can be changed."))
        invoice.activity = activity
        invoice.client = client
        invoice.payment_days = _payment_days(
            entity=activity.entity, client=client, days=payment_days, on=today
        )
        invoice.delivery_date = delivery_date
        check_texts(buyer_reference=buyer_reference, note=note, multi_line=("note",))
        invoice.buyer_reference = buyer_reference.strip()
        invoice.note = note.strip()
        invoice.discount_rate = discount
        invoice.currency = settings.COUNTRY_PACK.currency
        invoice.is_deposit = bool(is_deposit)
        invoice.operation_category = operation_category
        for part, value in delivery.items():
            setattr(invoice, f"delivery_{part}", value)
        invoice.save()
        deductions = _deposit_deductions(invoice=invoice, client=client, deposits=deposits)
        invoice.lines.all().delete()
        _lines_create(invoice, [*((line, None) for line in cleaned), *deductions])
        totals = _recompute(invoice, on=today)
        invoice.instalments = _clean_instalments(instalments, total=totals.total_incl_vat)
        invoice.save(update_fields=["instalments", "updated_at"])
        audit_log(
            actor=actor,
            action="invoicing.invoice.draft_saved",
            target=invoice,
            data={"total_incl_vat": invoice.total_incl_vat},
        )
    return invoice


DELIVERY_PARTS = ("street", "postcode", "city", "country")


def _clean_delivery_address(address: dict[str, str] | None) -> dict[str, str]:
    """The delivery address as stored: four texts, all empty or all given (one line each, a
    country that exists); the first part missing or wrong is refused at its field
    (`delivery_street`, …)."""
    values = {part: ((address or {}).get(part) or "").strip() for part in DELIVERY_PARTS}
    values["country"] = values["country"].upper()
    for part, value in values.items():
        check_text(f"delivery_{part}", value)
    if not any(values.values()):
        return values
    for part in DELIVERY_PARTS:
        if not values[part]:
            raise ValidationFailed(
                _("A delivery address needs a street, a postcode, a city and a country."),
                field=f"delivery_{part}",
            )
    try:
        validate_country_code(values["country"])
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], field="delivery_country") from None
    return values


def _lines_create(invoice: Invoice, rows: Sequence[tuple[LineData, Invoice | None]]) -> None:
    """The document's lines in order; a row's second item is the deposit a line deducts."""
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=index + 1,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            vat_rate_code=line.vat_rate_code,
            deposit_invoice=deposit,
        )
        for index, (line, deposit) in enumerate(rows)
    )


def _clean_instalments(
    instalments: Sequence[tuple[date, Decimal]], *, total: Decimal
) -> list[dict]:
    """The instalments as stored: sorted by date, refused at the field unless they are at least
    two, on distinct dates, positive amounts in cents, adding up exactly to `total`."""
    rows = sorted((day, Decimal(amount)) for day, amount in instalments)
    if not rows:
        return []
    if len(rows) < 2:
        raise ValidationFailed(
            _("Payment in instalments needs at least two instalments."), field="instalments"
        )
    if len({day for day, _amount in rows}) != len(rows):
        raise ValidationFailed(_("Each instalment has its own date."), field="instalments")
    if any(amount <= 0 or amount != quantize_money(amount) for _day, amount in rows):
        raise ValidationFailed(
            _("Each instalment is a positive amount in cents."), field="instalments"
        )
    added = sum((amount for _day, amount in rows), ZERO)
    if added != total:
        raise ValidationFailed(
            _("The instalments add up to %(added)s, but the invoice total is %(total)s.")
            % {"added": format_money(added), "total": format_money(total)},
            code="instalments_total",
            field="instalments",
        )
    return [{"due_date": day.isoformat(), "amount": str(amount)} for day, amount in rows]


def _instalments_check(invoice: Invoice, *, on: date) -> None:
    """At issue: the schedule starts on or after the invoice date, still adds up to the total,
    and its last date is within the legal payment term; that date becomes the due date."""
    rows = [(date.fromisoformat(i["due_date"]), Decimal(i["amount"])) for i in invoice.instalments]
    _clean_instalments(rows, total=invoice.total_incl_vat)
    if rows[0][0] < on:
        raise ValidationFailed(
            _("The first instalment is before the invoice date: change the schedule."),
            field="instalments",
        )
    try:
        invoice.payment_days = _payment_days(
            entity=invoice.entity, client=invoice.client, days=(rows[-1][0] - on).days, on=on
        )
    except ValidationFailed as refused:
        raise ValidationFailed(refused.message, code=refused.code, field="instalments") from None


def _deposits_check(*, invoice: Invoice, client: Client, deposits: Sequence[Invoice]) -> list:
    """Lock the deposit invoices (after the document: see the lock order) and check that each
    is an issued deposit invoice of this client, not credited, not deducted by another invoice."""
    ids = [deposit.pk for deposit in deposits]
    if len(set(ids)) != len(ids):
        raise ValidationFailed(_("Each deposit is deducted once."), field="deposits")
    rows = list(Invoice.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
    for deposit in rows:
        if (
            not deposit.is_deposit
            or not deposit.is_issued
            or deposit.is_credit_note
            or deposit.entity_id != invoice.entity_id
        ):
            raise ValidationFailed(
                _("%(ref)s is not an issued deposit invoice.") % {"ref": deposit}, field="deposits"
            )
        if deposit.client_id != client.pk:
            raise ValidationFailed(
                _("Deposit invoice %(ref)s was sent to another client.") % {"ref": deposit},
                field="deposits",
            )
        if deposit.amount_credited > 0:
            raise ValidationFailed(
                _("Deposit invoice %(ref)s was credited: it cannot be deducted.")
                % {"ref": deposit},
                field="deposits",
            )
        other = (
            Invoice.objects.filter(lines__deposit_invoice=deposit)
            .exclude(pk=invoice.pk)
            .exclude(status=Invoice.Status.CREDITED)
            .first()
        )
        if other is not None:
            raise ValidationFailed(
                _("Deposit invoice %(ref)s is already deducted on %(other)s.")
                % {"ref": deposit, "other": other},
                field="deposits",
            )
    return rows


def _deposit_deductions(
    *, invoice: Invoice, client: Client, deposits: Sequence[Invoice]
) -> list[tuple[LineData, Invoice]]:
    """One negative line per deposit and VAT rate: what the deposit invoiced, excl. VAT."""
    from django.utils import translation

    result = []
    for deposit in _deposits_check(invoice=invoice, client=client, deposits=deposits):
        amounts: dict[str, Decimal] = {}
        for line in deposit.lines.all():
            amounts[line.vat_rate_code] = amounts.get(line.vat_rate_code, ZERO) + line.line_total
        with translation.override(client.language or settings.LANGUAGE_CODE):
            description = _("Deposit invoice %(ref)s of %(date)s, deducted") % {
                "ref": deposit.reference,
                "date": date_format(deposit.issue_date, "SHORT_DATE_FORMAT"),
            }
        for code, amount in amounts.items():
            result.append(
                (
                    LineData(description, Decimal("-1"), amount, InvoiceLine.Unit.LUMP_SUM, code),
                    deposit,
                )
            )
    return result


def _vat_decision(invoice: Invoice, lines: list[InvoiceLine]) -> calc.VatDecision:
    if invoice.vat_override_reason and invoice.snapshot.get("vat_override"):
        override = invoice.snapshot["vat_override"]
        return calc.VatDecision(
            override["regime"],
            override["explanation"],
            override["mention"],
            override["category"],
            override["exemption_code"],
        )
    client = invoice.client
    entity = invoice.entity
    try:
        return calc.vat_decide(
            supplier_country=entity.country,
            client_is_business=client.is_business,
            client_country=client.country,
            client_vat_number=client.vat_number,
            lines_exempt=bool(lines) and all(line.vat_rate_code == "exempt" for line in lines),
            texts=vat_texts(entity.country),
        )
    except calc.VatRuleError as exc:
        raise ValidationFailed(str(exc), code="vat_rule", field=exc.field) from None


def _recompute(invoice: Invoice, *, on: date) -> calc.Totals:
    lines = list(invoice.lines.all())
    decision = _vat_decision(invoice, lines)
    rates = _param(invoice.entity, "vat_rates", on=invoice.issue_date or on)
    inputs = []
    for line in lines:
        if decision.regime == "domestic" and line.vat_rate_code == "exempt":
            raise ValidationFailed(
                _("Exempt lines cannot be mixed with taxed lines on one invoice."), field="lines"
            )
        category, rate = calc.line_vat(
            decision_category=decision.category, rate_code=line.vat_rate_code, rates=rates
        )
        line.vat_category, line.vat_rate = category, rate
        inputs.append(calc.LineInput(line.quantity, line.unit_price, category, rate))
    totals = calc.compute_totals(inputs, discount_rate=invoice.discount_rate)
    _check_totals_fit(totals)
    for line, amount in zip(lines, totals.line_totals, strict=True):
        line.line_total = amount
    InvoiceLine.objects.bulk_update(lines, ["vat_category", "vat_rate", "line_total"])
    invoice.vat_regime = decision.regime
    invoice.vat_explanation = decision.explanation
    invoice.total_excl_vat = totals.total_excl_vat
    invoice.total_vat = totals.total_vat
    invoice.total_incl_vat = totals.total_incl_vat
    if totals.total_incl_vat < 0 or totals.total_excl_vat < 0:
        raise ValidationFailed(
            _("The total of an invoice cannot be negative: issue a credit note instead."),
            code="negative_total",
            field="lines",
        )
    invoice.save(
        update_fields=[
            "vat_regime",
            "vat_explanation",
            "total_excl_vat",
            "total_vat",
            "total_incl_vat",
            "updated_at",
        ]
    )
    invoice._decision = decision
    invoice._totals = totals
    return totals


def invoice_vat_override(
    *, invoice: Invoice, actor: User, regime: str, reason: str, on: date | None = None
) -> Invoice:
    """Staff override of the computed VAT treatment of a draft, with a reason (audited)."""
    check_texts(reason=reason, multi_line=("reason",))
    if not reason.strip():
        raise ValidationFailed(_("Give the reason for the override."), field="reason")
    texts = vat_texts(invoice.entity.country)
    choices = {
        "domestic": ("", "", texts["domestic_explanation"], ""),
        "exempt": ("E", "VATEX-EU-132", texts["exempt_explanation"], texts["exempt_mention"]),
        "reverse_charge": (
            "AE",
            "VATEX-EU-AE",
            texts["reverse_charge_explanation"],
            texts["reverse_charge_mention"],
        ),
        "outside_eu": (
            "O",
            "VATEX-EU-O",
            texts["outside_eu_explanation"],
            texts["outside_eu_mention"],
        ),
    }
    if regime not in choices:
        raise ValidationFailed(_("Choose a VAT treatment."), field="regime")
    category, code, explanation, mention = choices[regime]
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
        if invoice.is_issued:
            raise Conflict(_("An issued invoice cannot be changed."))
        if regime == "reverse_charge" and not invoice.client.vat_number:
            raise ValidationFailed(vat_texts()["reverse_charge_needs_vat"], field="vat_number")
        previous = invoice.vat_regime
        invoice.vat_override_reason = reason.strip()
        invoice.snapshot = {
            "vat_override": {
                "regime": regime,
                "category": category,
                "exemption_code": code,
                "explanation": explanation,
                "mention": mention,
                "by": str(actor.public_id),
            }
        }
        invoice.save(update_fields=["vat_override_reason", "snapshot", "updated_at"])
        _recompute(invoice, on=on or timezone.localdate())
        audit_log(
            actor=actor,
            action="invoicing.invoice.vat_overridden",
            target=invoice,
            data={"from": previous, "to": regime, "reason": reason.strip()},
        )
    return invoice


# --- Issue -----------------------------------------------------------------------------------


def _party_snapshot_entity(entity: LegalEntity) -> dict:
    return {
        "name": entity.name,
        "legal_form": entity.legal_form,
        "street": entity.street,
        "postcode": entity.postcode,
        "city": entity.city,
        "country": entity.country,
        "enterprise_number": entity.enterprise_number,
        "vat_number": entity.vat_number,
        "iban": entity.iban,
        "bic": entity.bic,
        "email": entity.email,
    }


def _party_snapshot_client(client: Client) -> dict:
    return {
        "kind": client.kind,
        "name": client.name,
        "street": client.street,
        "postcode": client.postcode,
        "city": client.city,
        "country": client.country,
        "vat_number": client.vat_number,
        "enterprise_number": client.enterprise_number,
        "email": client.email,
        "peppol_scheme": client.peppol_scheme,
        "peppol_id": client.peppol_id,
        "language": client.language,
    }


def _client_siren(client: Client) -> str:
    """The SIREN of a French business client (printed, labelled, from 1 September 2026)."""
    if not client.is_business:
        return ""
    return french_siren(
        country=client.country,
        enterprise_number=client.enterprise_number,
        vat_number=client.vat_number,
    )


def _delivery_snapshot(invoice: Invoice) -> dict | None:
    """The delivery address to print, only when it is not the client's billing address."""
    address = {part: getattr(invoice, f"delivery_{part}") for part in DELIVERY_PARTS}
    if not address["street"]:
        return None
    client = invoice.client
    billing = {part: getattr(client, part) for part in DELIVERY_PARTS}

    def same(a: str, b: str) -> bool:
        return " ".join(a.casefold().split()) == " ".join(b.casefold().split())

    if all(same(address[part], billing[part]) for part in DELIVERY_PARTS):
        return None
    return address


def _mentions(invoice: Invoice, decision: calc.VatDecision, on: date) -> dict:
    """The legal texts of the document, in the client's language, from the pack's dated
    `invoice_mentions` keys and the entity's data: VAT, late payment, the register and capital of
    the issuer, the early-payment discount terms, and (France) the e-invoice's coded notes."""
    entity = invoice.entity
    mentions: dict[str, Any] = {"vat": decision.mention}
    keys = _param(entity, "invoice_mentions", on=on, default={})
    mentions["register"] = register_mention(
        keys.get("register", ""),
        court=entity.register_court,
        court_names=_param(entity, "register_court_names", on=on, default={}),
    )
    mentions["capital"] = capital_mention(
        keys.get("capital", ""),
        share_capital=entity.share_capital,
        variable=entity.variable_capital,
    )
    # France from 1 September 2026: the client's SIREN, the category of the operation and the
    # VAT-on-debits option (the delivery address is printed whenever there is one).
    if keys.get("client_siren"):
        mentions["client_siren"] = _client_siren(invoice.client)
    mentions["operation_category"] = operation_category_mention(
        keys.get("operation_category", ""), category=invoice.operation_category
    )
    opted = entity.vat_on_debits_from
    mentions["vat_on_debits"] = vat_on_debits_mention(
        keys.get("vat_on_debits", ""),
        opted=opted is not None and opted <= on and not invoice.is_credit_note,
    )
    business = invoice.client.is_business
    if business:
        rate = _param(entity, "late_interest_rate_b2b", on=on, default=Decimal("0"))
        indemnity = _param(entity, "late_payment_fixed_indemnity_b2b", on=on, default=Decimal("0"))
    else:
        rate = _param(entity, "late_interest_rate_b2c", on=on, default=Decimal("0"))
        indemnity = Decimal("0")
    if keys.get("early_payment_discount"):
        # The French e-invoice carries penalties, recovery costs and discount as coded notes.
        mentions["einvoice_notes"] = fr_einvoice_notes(
            business=business, rate=rate, indemnity=indemnity
        )
    if invoice.is_credit_note:
        return mentions
    if business:
        mentions["late_interest_rate"] = str(rate)
        mentions["fixed_indemnity"] = str(indemnity)
        key = keys.get("late_payment", "")
        mentions["early_payment_discount"] = early_payment_discount_mention(
            keys.get("early_payment_discount", "")
        )
    else:
        rate = indemnity = Decimal("0")
        key = keys.get("late_payment_consumer", "")
    mentions["late_payment"] = late_payment_mention(key, rate=rate, indemnity=indemnity)
    return mentions


def _build_snapshot(invoice: Invoice, *, on: date) -> dict:
    """Every printed fact, frozen. The texts (VAT explanation and mention, late-payment wording)
    are in the client's language, like the rest of the document, whoever issues it."""
    from django.utils import translation

    language = invoice.client.language
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        return _snapshot(invoice, on=on)


def _snapshot(invoice: Invoice, *, on: date) -> dict:
    if invoice.issue_date is None:  # numbered and dated by the caller, in its transaction
        raise ValueError(f"invoice {invoice.pk} has no issue date to snapshot")
    totals: calc.Totals = invoice._totals
    lines = list(invoice.lines.all())
    # Decided again for its texts only (same inputs as the check made before numbering).
    decision = _vat_decision(invoice, lines)
    snapshot = {
        "version": 1,
        "kind": invoice.kind,
        "reference": invoice.reference,
        "issue_date": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "delivery_date": invoice.delivery_date.isoformat() if invoice.delivery_date else None,
        "operation_category": invoice.operation_category,
        "delivery_address": _delivery_snapshot(invoice),
        "payment_days": invoice.payment_days,
        "instalments": list(invoice.instalments),
        "currency": invoice.currency,
        "buyer_reference": invoice.buyer_reference,
        "note": invoice.note,
        "issuer": _party_snapshot_entity(invoice.entity),
        "client": _party_snapshot_client(invoice.client),
        "activity": {"name": invoice.activity.name},
        "lines": [
            {
                "position": line.position,
                "description": line.description,
                "quantity": str(line.quantity.normalize()),
                "unit": line.unit,
                "unit_price": str(line.unit_price),
                "vat_category": line.vat_category,
                "vat_rate": str(line.vat_rate),
                "line_total": str(line.line_total),
            }
            for line in lines
        ],
        "discount_rate": str(invoice.discount_rate),
        "vat": {
            "regime": decision.regime,
            "explanation": decision.explanation,
            "exemption_code": decision.exemption_code,
            "override_reason": invoice.vat_override_reason,
            "breakdown": [
                {
                    "category": g.category,
                    "rate": str(g.rate),
                    "lines_total": str(g.lines_total),
                    "allowance": str(g.allowance),
                    "taxable": str(g.taxable),
                    "vat": str(g.vat),
                }
                for g in totals.groups
            ],
        },
        "totals": {
            "lines": str(totals.lines_total),
            "allowances": str(totals.allowance_total),
            "excl_vat": str(totals.total_excl_vat),
            "vat": str(totals.total_vat),
            "incl_vat": str(totals.total_incl_vat),
        },
        "mentions": _mentions(invoice, decision, on),
        "structured_communication": invoice.structured_communication,
    }
    if invoice.is_deposit:
        snapshot["is_deposit"] = True
    deducted = {line.deposit_invoice_id for line in lines if line.deposit_invoice_id}
    if deducted:
        snapshot["deposits_deducted"] = [
            {"reference": d.reference, "issue_date": d.issue_date and d.issue_date.isoformat()}
            for d in Invoice.objects.filter(pk__in=deducted).order_by("issue_date", "pk")
        ]
    original = invoice.credited_invoice if invoice.credited_invoice_id else None
    if original is not None:
        snapshot["credited_invoice"] = {
            "reference": original.reference,
            "issue_date": original.issue_date and original.issue_date.isoformat(),
        }
    return snapshot


def invoice_submit(*, invoice: Invoice, actor: User | None, on: date | None = None) -> Invoice:
    """The member is done: issue now, or wait for an adviser when the entity asks for approval."""
    with transaction.atomic():
        locked = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("entity")
            .get(pk=invoice.pk)
        )
        if not locked.can("submit"):
            raise Conflict(_("This invoice was already submitted."))
        if locked.entity.invoice_approval_required and not locked.is_credit_note:
            _recompute(locked, on=on or timezone.localdate())
            locked.status = Invoice.Status.AWAITING_APPROVAL
            locked.save(update_fields=["status", "updated_at"])
            audit_log(actor=actor, action="invoicing.invoice.submitted", target=locked)
            return locked
        return invoice_issue(invoice=locked, issued_by=actor, on=on)


def invoice_approve(*, invoice: Invoice, actor: User | None, on: date | None = None) -> Invoice:
    if not invoice.can("approve"):
        raise Conflict(_("This invoice is not awaiting approval."))
    return invoice_issue(invoice=invoice, issued_by=actor, on=on, approved=True)


def invoice_issue(
    *, invoice: Invoice, issued_by, on: date | None = None, approved: bool = False
) -> Invoice:
    """Give the document its number and freeze it.

    One transaction. Locks, in this order: the original invoice (credit notes), the document,
    then the (entity, series, year) number sequence row via number_allocate, which serialises
    concurrent issuers of the series until commit — that is also what makes the date check
    (no date earlier than the last issued of the series) race-free. Documents and e-mails are
    produced after commit."""
    on = on or timezone.localdate()
    with transaction.atomic():
        if invoice.credited_invoice_id:
            original = Invoice.objects.select_for_update(of=("self",)).get(
                pk=invoice.credited_invoice_id
            )
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("entity", "client", "activity")
            .get(pk=invoice.pk)
        )
        if invoice.is_issued:
            raise Conflict(_("This document is already issued."))
        if invoice.status == Invoice.Status.AWAITING_APPROVAL and not approved:
            raise Conflict(_("This invoice waits for an adviser's approval."))
        if (
            invoice.status == Invoice.Status.DRAFT
            and invoice.entity.invoice_approval_required
            and not invoice.is_credit_note
            and not approved
        ):
            raise Conflict(_("This entity needs an adviser's approval before issuing."))
        deposits = list(
            Invoice.objects.filter(deducted_by__invoice=invoice).distinct().order_by("pk")
        )
        if deposits:
            _deposits_check(invoice=invoice, client=invoice.client, deposits=deposits)
        invoice.issue_date = on
        totals = _recompute(invoice, on=on)
        if totals.total_incl_vat <= 0 and not invoice.is_credit_note:
            raise ValidationFailed(
                _("An invoice must have a total above zero."), code="zero_total", field="lines"
            )
        if invoice.instalments and not invoice.is_credit_note:
            _instalments_check(invoice, on=on)
        if invoice.is_credit_note:
            already = original.amount_credited
            if already + invoice.total_incl_vat > original.total_incl_vat:
                raise ValidationFailed(
                    _("A credit note cannot credit more than what remains of the invoice."),
                    code="over_credit",
                    field="lines",
                )
        entity = invoice.entity
        prefix = (
            entity.credit_note_series_prefix
            if invoice.is_credit_note
            else entity.invoice_series_prefix
        )
        invoice.series, invoice.year = prefix, on.year
        invoice.number = number_allocate(entity=entity, series=prefix, year=on.year)
        last_date = Invoice.objects.filter(
            entity=entity, series=prefix, year=on.year, number__isnull=False
        ).aggregate(last=Max("issue_date"))["last"]
        if last_date and on < last_date:
            raise Conflict(
                _(
                    "The issue date cannot be earlier than the last document of the series "
                    "(%(date)s)."
                )
                % {"date": date_format(last_date, "SHORT_DATE_FORMAT")},
                field="issue_date",
            )
        invoice.reference = f"{prefix}{on.year}-{invoice.number:06d}"
        if not invoice.is_credit_note:
            invoice.due_date = on + timedelta(days=invoice.payment_days or 0)
            scheme = _param(invoice.entity, "payment_reference_scheme", on=on, default="iso11649")
            invoice.structured_communication = payment_reference(invoice.pk % 10**10, scheme=scheme)
        invoice.status = Invoice.Status.ISSUED
        invoice.issued_by = issued_by
        invoice.issued_at = timezone.now()
        if approved:
            invoice.approved_by = issued_by
        invoice.snapshot = _build_snapshot(invoice, on=on)
        invoice.save()
        if invoice.instalments and not invoice.is_credit_note:
            # The agreed schedule is a payment plan: reminders follow it, and resume if an
            # instalment is missed (see payments.payment_plans_check).
            _payment_plan_start(invoice=invoice, instalments=invoice.instalments, actor=issued_by)
        if invoice.performance and not invoice.is_credit_note:
            _contract_create_for_performance(invoice=invoice, actor=issued_by)
        if invoice.is_credit_note:
            original.amount_credited = F("amount_credited") + invoice.total_incl_vat
            original.save(update_fields=["amount_credited", "updated_at"])
            original.refresh_from_db(fields=["amount_credited"])
            _refresh_status(original)
        audit_log(
            actor=issued_by,
            action=(
                "invoicing.credit_note.issued"
                if invoice.is_credit_note
                else "invoicing.invoice.issued"
            ),
            target=invoice,
            data={
                "reference": invoice.reference,
                "total_incl_vat": invoice.total_incl_vat,
                "client": invoice.client.name,
            },
        )
        from ..tasks import invoice_render_documents

        invoice_render_documents.enqueue(invoice.pk, send=True, entity_id=invoice.entity_id)
    return invoice


def _refresh_status(invoice: Invoice) -> None:
    """Status of an issued invoice from what was paid and credited (row already locked)."""
    if invoice.is_credit_note:
        return
    if invoice.amount_credited >= invoice.total_incl_vat:
        status = Invoice.Status.CREDITED
    elif invoice.amount_due <= 0:
        status = Invoice.Status.PAID
    elif invoice.amount_paid > 0:
        status = Invoice.Status.PARTLY_PAID
    else:
        status = Invoice.Status.ISSUED
    if status != invoice.status:
        invoice.status = status
        invoice.save(update_fields=["status", "updated_at"])


# --- Contract tool -------------------------------------------------------------------------


def performance_declare(
    *,
    actor: User | None,
    activity: Activity,
    client: Client,
    member,
    contract_type: str,
    start_date: date,
    end_date: date,
    hours: Decimal,
    price_excl_vat: Decimal,
    function: str,
    description: str = "",
    vat_rate_code: str = InvoiceLine.VatRate.STANDARD,
    workplace_country: str = "",
    payment_days: int | None = None,
    on: date | None = None,
) -> Invoice:
    """Contract tool: the member declares a performance for a client. One transaction writes
    the invoice and, when it is issued (now, or at the adviser's approval), its employment
    contract through activities: both exist or neither does."""
    if "contract" not in settings.COUNTRY_PACK.tools:
        raise ValidationFailed(_("The Contract tool is not available in this country."))
    check_texts(function=function, description=description, workplace_country=workplace_country)
    price = _decimal(price_excl_vat, field="price_excl_vat")
    check_money_fits("price_excl_vat", price)
    if price <= 0:
        raise ValidationFailed(_("The price must be above zero."), field="price_excl_vat")
    label = description.strip() or _("%(function)s, %(start)s to %(end)s") % {
        "function": function,
        "start": start_date.isoformat(),
        "end": end_date.isoformat(),
    }
    with transaction.atomic():
        invoice = invoice_draft_save(
            actor=actor,
            activity=activity,
            client=client,
            lines=[LineData(label, Decimal(1), price, InvoiceLine.Unit.LUMP_SUM, vat_rate_code)],
            payment_days=payment_days,
            delivery_date=start_date,
        )
        invoice.performance = {
            "member": str(member.public_id),
            "contract_type": contract_type,
            "start_date": start_date.isoformat(),
            "end_date": end_date.isoformat(),
            "hours": str(hours),
            "function": function,
            "description": description,
            "workplace_country": workplace_country,
        }
        invoice.save(update_fields=["performance", "updated_at"])
        audit_log(
            actor=actor,
            action="invoicing.performance.declared",
            target=invoice,
            data={"start": start_date, "end": end_date, "price": price},
        )
        return invoice_submit(invoice=invoice, actor=actor, on=on)


# --- Credit notes ------------------------------------------------------------------------------


def credit_note_create(
    *,
    invoice: Invoice,
    actor: User | None,
    lines: Sequence[LineData | dict] | None = None,
    reason: str = "",
) -> Invoice:
    """A draft credit note for `invoice`: all its lines (full) or the lines given (partial)."""
    check_texts(reason=reason, multi_line=("reason",))
    if invoice.is_credit_note or not invoice.is_issued:
        raise Conflict(_("Only an issued invoice can be credited."))
    if lines is None:
        lines = [
            LineData(
                line.description, line.quantity, line.unit_price, line.unit, line.vat_rate_code
            )
            for line in invoice.lines.all()
        ]
    cleaned = _clean_lines(lines)
    with transaction.atomic():
        note = Invoice.objects.create(
            entity_id=invoice.entity_id,
            kind=Invoice.Kind.CREDIT_NOTE,
            activity=invoice.activity,
            client=invoice.client,
            credited_invoice=invoice,
            currency=invoice.currency,
            payment_days=0,
            discount_rate=invoice.discount_rate,
            buyer_reference=invoice.buyer_reference or invoice.reference,
            operation_category=invoice.operation_category,
            **{f"delivery_{part}": getattr(invoice, f"delivery_{part}") for part in DELIVERY_PARTS},
            note=reason.strip(),
            vat_override_reason=invoice.vat_override_reason,
            snapshot={"vat_override": invoice.snapshot["vat_override"]}
            if invoice.vat_override_reason
            else {},
            created_by=actor,
        )
        _lines_create(note, [(line, None) for line in cleaned])
        _recompute(note, on=timezone.localdate())
        audit_log(
            actor=actor,
            action="invoicing.credit_note.drafted",
            target=note,
            data={"invoice": invoice.reference, "reason": reason},
        )
    return note
