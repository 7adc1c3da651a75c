"""Invoicing writes. Each top-level service owns one short transaction, writes an audit row and
enqueues its external effects (documents, e-mails, e-invoice transmission) after commit.

Lock order, everywhere: a bank transaction (manual matching), then the original invoice (credit
notes), then the document being issued or paid (`SELECT … FOR UPDATE OF invoice`), then the
deposit invoices a final invoice deducts (by id), then the number sequence row (number_allocate), then what activities locks (the Activity row when a
payment credits it, the Member row when the Contract tool creates a contract). Never the other
way round.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from smartcoop.core.audit import audit_log
from smartcoop.core.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from smartcoop.core.models import LegalEntity
from smartcoop.core.money import quantize_money
from smartcoop.core.numbering import number_allocate
from smartcoop.core.payments import (
    payment_reference,
    payment_reference_clean,
    payment_reference_find,
)
from smartcoop.countries import ParameterNotInForce, param

from . import calculations as calc
from .mentions import late_payment_mention
from .models import (
    BankStatement,
    BankTransaction,
    Client,
    ClientMessage,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentPlan,
    Quote,
    Reminder,
    ReminderPolicy,
    Transmission,
    reminder_level,
)
from .vat import clean_client_enterprise_number, clean_client_vat_number, vat_texts

ZERO = Decimal("0.00")
OPEN_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID)


# --- Boundary with activities ----------------------------------------------------------------


def _activity_credit_client_payment(
    *, activity: Activity, amount_excl_vat: Decimal, on: date, payment: Payment, actor
) -> None:
    """Credit the Activity budget with a client payment (excl. VAT); activities debits the fee.

    The one place invoicing calls the activities ledger; idempotent per payment there."""
    try:
        from activities import services as activity_services
    except ImportError:  # the ledger is not there yet
        return
    credit = getattr(activity_services, "activity_credit_client_payment", None)
    if credit is None:
        return
    credit(
        activity=activity,
        amount_excl_vat=amount_excl_vat,
        on=on,
        source_type="invoicing.payment",
        source_id=str(payment.public_id),
        actor=actor,
    )


def _contract_create_for_performance(*, invoice: Invoice, actor):
    """Contract tool: the employment contract of the performance an invoice bills, created by
    activities in the issuing transaction (idempotent per invoice there)."""
    from activities import services as activity_services
    from members.models import Member

    data = invoice.performance
    return activity_services.contract_create_for_performance(
        activity=invoice.activity,
        member=Member.objects.get(public_id=data["member"]),
        contract_type=data["contract_type"],
        start_date=date.fromisoformat(data["start_date"]),
        end_date=date.fromisoformat(data["end_date"]),
        hours=Decimal(data["hours"]),
        price_excl_vat=invoice.total_excl_vat,
        function=data["function"],
        description=data.get("description", ""),
        workplace_country=data.get("workplace_country", ""),
        source_type="invoicing.invoice",
        source_id=str(invoice.public_id),
        actor=actor,
    )


# --- Helpers ---------------------------------------------------------------------------------


def _country_of(entity: LegalEntity) -> str:
    return (entity.country or "BE").lower()


def _param(entity: LegalEntity, name: str, *, on: date, default: Any = None) -> Any:
    try:
        return param(f"{_country_of(entity)}.{name}", on=on)
    except ParameterNotInForce:
        if default is not None:
            return default
        raise


def _decimal(value: Any, *, field: str) -> Decimal:
    try:
        result = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Enter a number."), field=field) from None
    if not result.is_finite():
        raise ValidationFailed(_("Enter a number."), field=field)
    return result


# --- Clients -----------------------------------------------------------------------------------


def client_create(
    *,
    entity: LegalEntity,
    actor,
    activity: Activity | None,
    kind: str,
    name: str,
    street: str,
    postcode: str,
    city: str,
    country: str,
    vat_number: str = "",
    enterprise_number: str = "",
    email: str = "",
    language: str = "",
    confirm_duplicate: bool = False,
) -> Client:
    """A new client of `entity`, linked to `activity`.

    Duplicates within the entity: the same VAT or enterprise number is the same client (it is
    linked to the Activity and returned); the same name and postcode without identifiers is
    refused unless `confirm_duplicate`."""
    country = (country or "").upper().strip()
    if len(country) != 2:
        raise ValidationFailed(_("Choose the client's country."), field="country")
    if not name.strip():
        raise ValidationFailed(_("The client needs a name."), field="name")
    vat_number = clean_client_vat_number(country=country, value=vat_number)
    enterprise_number = clean_client_enterprise_number(country=country, value=enterprise_number)
    if country == "BE" and vat_number and not enterprise_number:
        enterprise_number = vat_number[2:]
    if kind == Client.Kind.PERSON and (vat_number or enterprise_number):
        kind = Client.Kind.COMPANY  # a person with a VAT number acts as a business
    with transaction.atomic():
        existing = None
        if vat_number:
            existing = Client.objects.filter(entity=entity, vat_number=vat_number).first()
        if existing is None and enterprise_number:
            existing = Client.objects.filter(
                entity=entity, enterprise_number=enterprise_number
            ).first()
        if existing is not None:
            if activity is not None:
                existing.activities.add(activity)
            audit_log(actor=actor, action="invoicing.client.linked", target=existing)
            existing.was_duplicate = True
            return existing
        if not confirm_duplicate and (
            Client.objects.filter(
                entity=entity, name__iexact=name.strip(), postcode=postcode.strip()
            ).exists()
        ):
            raise ValidationFailed(
                _(
                    "A client with this name and postcode already exists. Check it is not the "
                    "same client, then confirm."
                ),
                code="duplicate",
                field="name",
            )
        client = Client(
            entity=entity,
            kind=kind,
            name=name.strip(),
            street=street.strip(),
            postcode=postcode.strip(),
            city=city.strip(),
            country=country,
            vat_number=vat_number,
            enterprise_number=enterprise_number,
            email=email.strip(),
            language=language or entity.default_language,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if country == "BE" and kind == Client.Kind.COMPANY and enterprise_number:
            # Peppol participant of a Belgian company: scheme 0208 = KBO/BCE number.
            client.peppol_scheme, client.peppol_id = "0208", enterprise_number
        try:
            with transaction.atomic():
                client.save()
        except IntegrityError:
            raise Conflict(
                _("This client was just created by someone else."), field="name"
            ) from None
        if activity is not None:
            client.activities.add(activity)
        audit_log(
            actor=actor,
            action="invoicing.client.created",
            target=client,
            data={"name": client.name, "country": country, "vat_number": vat_number},
        )
    client.was_duplicate = False
    return client


# --- Drafts ----------------------------------------------------------------------------------


@dataclass
class LineData:
    description: str
    quantity: Decimal
    unit_price: Decimal
    unit: str = InvoiceLine.Unit.UNIT
    vat_rate_code: str = InvoiceLine.VatRate.STANDARD


def _clean_lines(lines: Sequence[LineData | dict]) -> list[LineData]:
    cleaned = []
    for index, raw in enumerate(lines):
        data = raw if isinstance(raw, LineData) else LineData(**raw)
        if not data.description.strip():
            raise ValidationFailed(
                _("Line %(n)s needs a description.") % {"n": index + 1}, field="lines"
            )
        quantity = _decimal(data.quantity, field="lines")
        price = _decimal(data.unit_price, field="lines")
        if quantity.as_tuple().exponent < -4 or price.as_tuple().exponent < -4:
            raise ValidationFailed(
                _("Quantities and unit prices have at most 4 decimals."), field="lines"
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


def _payment_days(*, entity: LegalEntity, client: Client, days: int | None, on: date) -> int:
    default = int(_param(entity, "invoice_payment_days_default", on=on, default=Decimal(30)))
    if days is None:
        return default
    if days < 0:
        raise ValidationFailed(_("A payment term cannot be negative."), field="payment_days")
    maximum = int(_param(entity, "invoice_payment_days_max_b2b", on=on, default=Decimal(60)))
    if client.is_business and days > maximum:
        raise ValidationFailed(
            _(
                "A payment term between businesses is at most %(max)s days (Law of 2 August 2002 "
                "art. 4)."
            )
            % {"max": maximum},
            code="payment_term_too_long",
            field="payment_days",
        )
    return days


def invoice_draft_save(
    *,
    actor,
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
) -> Invoice:
    """Create or update a draft invoice with its lines; computes the VAT decision and totals.

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
    today = timezone.localdate()
    with transaction.atomic():
        if invoice is None:
            invoice = Invoice(entity_id=activity.entity_id, created_by=actor)
        else:
            invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
            if invoice.status != Invoice.Status.DRAFT or invoice.is_credit_note:
                raise Conflict(_("Only a draft invoice can be changed."))
        invoice.activity = activity
        invoice.client = client
        invoice.payment_days = _payment_days(
            entity=activity.entity, client=client, days=payment_days, on=today
        )
        invoice.delivery_date = delivery_date
        invoice.buyer_reference = buyer_reference.strip()
        invoice.note = note.strip()
        invoice.discount_rate = discount
        invoice.currency = settings.COUNTRY_PACK.currency
        invoice.is_deposit = bool(is_deposit)
        invoice.save()
        deductions = _deposit_deductions(invoice=invoice, client=client, deposits=deposits)
        invoice.lines.all().delete()
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
            for index, (line, deposit) in enumerate(
                [*((line, None) for line in cleaned), *deductions]
            )
        )
        _recompute(invoice, on=today)
        audit_log(
            actor=actor,
            action="invoicing.invoice.draft_saved",
            target=invoice,
            data={"total_incl_vat": invoice.total_incl_vat},
        )
    return invoice


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
                "date": deposit.issue_date.isoformat(),
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
    *, invoice: Invoice, actor, regime: str, reason: str, on: date | None = None
) -> Invoice:
    """Staff override of the computed VAT treatment of a draft, with a reason (audited)."""
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


def _mentions(invoice: Invoice, decision: calc.VatDecision, on: date) -> dict:
    entity = invoice.entity
    mentions: dict[str, Any] = {"vat": decision.mention}
    if invoice.is_credit_note:
        return mentions
    keys = _param(entity, "invoice_mentions", on=on, default={})
    if invoice.client.is_business:
        rate = _param(entity, "late_interest_rate_b2b", on=on, default=Decimal("0"))
        indemnity = _param(entity, "late_payment_fixed_indemnity_b2b", on=on, default=Decimal("0"))
        mentions["late_interest_rate"] = str(rate)
        mentions["fixed_indemnity"] = str(indemnity)
        key = keys.get("late_payment", "")
    else:
        rate = indemnity = Decimal("0")
        key = keys.get("late_payment_consumer", "")
    mentions["late_payment"] = late_payment_mention(key, rate=rate, indemnity=indemnity)
    return mentions


def _build_snapshot(invoice: Invoice, *, on: date) -> dict:
    decision: calc.VatDecision = invoice._decision
    totals: calc.Totals = invoice._totals
    lines = list(invoice.lines.all())
    snapshot = {
        "version": 1,
        "kind": invoice.kind,
        "reference": invoice.reference,
        "issue_date": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "delivery_date": invoice.delivery_date.isoformat() if invoice.delivery_date else None,
        "payment_days": invoice.payment_days,
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
            {"reference": d.reference, "issue_date": d.issue_date.isoformat()}
            for d in Invoice.objects.filter(pk__in=deducted).order_by("issue_date", "pk")
        ]
    if invoice.credited_invoice_id:
        original = invoice.credited_invoice
        snapshot["credited_invoice"] = {
            "reference": original.reference,
            "issue_date": original.issue_date.isoformat(),
        }
    return snapshot


def invoice_submit(*, invoice: Invoice, actor, on: date | None = None) -> Invoice:
    """The member is done: issue now, or wait for an adviser when the entity asks for approval."""
    with transaction.atomic():
        locked = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("entity")
            .get(pk=invoice.pk)
        )
        if locked.status != Invoice.Status.DRAFT:
            raise Conflict(_("This invoice was already submitted."))
        if locked.entity.invoice_approval_required and not locked.is_credit_note:
            _recompute(locked, on=on or timezone.localdate())
            locked.status = Invoice.Status.AWAITING_APPROVAL
            locked.save(update_fields=["status", "updated_at"])
            audit_log(actor=actor, action="invoicing.invoice.submitted", target=locked)
            return locked
        return invoice_issue(invoice=locked, issued_by=actor, on=on)


def invoice_approve(*, invoice: Invoice, actor, on: date | None = None) -> Invoice:
    if invoice.status != Invoice.Status.AWAITING_APPROVAL:
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
                % {"date": last_date.isoformat()},
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
        from .tasks import invoice_render_documents

        invoice_render_documents.enqueue(invoice.pk, send=True)
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
    actor,
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
    price = _decimal(price_excl_vat, field="price_excl_vat")
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
    actor,
    lines: Sequence[LineData | dict] | None = None,
    reason: str = "",
) -> Invoice:
    """A draft credit note for `invoice`: all its lines (full) or the lines given (partial)."""
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
            note=reason.strip(),
            vat_override_reason=invoice.vat_override_reason,
            snapshot={"vat_override": invoice.snapshot["vat_override"]}
            if invoice.vat_override_reason
            else {},
            created_by=actor,
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=note,
                position=index + 1,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                vat_rate_code=line.vat_rate_code,
            )
            for index, line in enumerate(cleaned)
        )
        _recompute(note, on=timezone.localdate())
        audit_log(
            actor=actor,
            action="invoicing.credit_note.drafted",
            target=note,
            data={"invoice": invoice.reference, "reason": reason},
        )
    return note


# --- Payments ----------------------------------------------------------------------------------


def _excl_vat_share(invoice: Invoice, amount: Decimal) -> Decimal:
    if invoice.total_incl_vat <= 0:
        return ZERO
    return quantize_money(amount * invoice.total_excl_vat / invoice.total_incl_vat)


def payment_record(
    *,
    invoice: Invoice,
    amount: Decimal,
    on: date,
    source: str,
    actor,
    bank_transaction: BankTransaction | None = None,
) -> Payment | None:
    """Apply a payment to an issued invoice (up to what is due) and credit the Activity.

    Locks the invoice row. Returns None when nothing was due; the caller keeps the unapplied
    rest (over- or duplicate payment) on the bank transaction."""
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationFailed(_("A payment is a positive amount."), field="amount")
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
        if invoice.is_credit_note or not invoice.is_issued:
            raise Conflict(_("Payments go to issued invoices."))
        applied = min(amount, invoice.amount_due)
        if applied <= 0:
            return None
        payment = Payment.objects.create(
            entity_id=invoice.entity_id,
            invoice=invoice,
            amount=applied,
            received_on=on,
            source=source,
            bank_transaction=bank_transaction,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        invoice.amount_paid += applied
        invoice.save(update_fields=["amount_paid", "updated_at"])
        _refresh_status(invoice)
        excl = _excl_vat_share(invoice, applied)
        audit_log(
            actor=actor,
            action="invoicing.payment.recorded",
            target=invoice,
            data={
                "amount": applied,
                "excl_vat": excl,
                "source": source,
                "payment": str(payment.public_id),
            },
        )
        _activity_credit_client_payment(
            activity=invoice.activity, amount_excl_vat=excl, on=on, payment=payment, actor=actor
        )
    return payment


# --- Payment link -----------------------------------------------------------------------------

LINK_SALT = "invoicing.payment-link"


def payment_link_token(*, invoice: Invoice) -> str:
    """An unguessable, signed token naming the invoice and its link key (rotating the key
    revokes every link sent)."""
    return signing.dumps([str(invoice.public_id), invoice.link_key], salt=LINK_SALT, compress=True)


def payment_link_url(*, invoice: Invoice) -> str:
    from django.urls import reverse

    path = reverse("invoicing:pay", kwargs={"token": payment_link_token(invoice=invoice)})
    return f"{settings.SITE_URL}{path}"


def payment_link_revoke(*, invoice: Invoice, actor) -> Invoice:
    """Every payment link sent so far stops working (a new key); the next e-mail has a new one."""
    from .models import _new_link_key

    with transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(link_key=_new_link_key())
        audit_log(actor=actor, action="invoicing.invoice.payment_link_revoked", target=invoice)
    invoice.refresh_from_db()
    return invoice


def payment_link_resolve(*, token: str) -> Invoice | None:
    """The issued invoice of a valid, unexpired token; None for anything else."""
    max_age = getattr(settings, "INVOICING_PAYMENT_LINK_MAX_AGE", 60 * 60 * 24 * 365 * 2)
    try:
        public_id, link_key = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    invoice = (
        Invoice.objects.filter(public_id=public_id, link_key=link_key, number__isnull=False)
        .select_related("client", "entity", "activity")
        .first()
    )
    return invoice


def client_message_create(
    *, invoice: Invoice, name: str, email: str, message: str, is_dispute: bool
) -> ClientMessage:
    """A question or dispute from the payment page. A dispute pauses reminders."""
    if not message.strip():
        raise ValidationFailed(_("Write your message."), field="message")
    with transaction.atomic():
        item = ClientMessage.objects.create(
            entity_id=invoice.entity_id,
            invoice=invoice,
            is_dispute=is_dispute,
            name=name.strip()[:200],
            email=email.strip(),
            message=message.strip()[:5000],
        )
        if is_dispute:
            Invoice.objects.filter(pk=invoice.pk, disputed_at__isnull=True).update(
                disputed_at=timezone.now()
            )
        audit_log(
            actor=None,
            action="invoicing.client_message.received",
            target=invoice,
            data={"dispute": is_dispute},
        )
        from .tasks import client_message_notify

        client_message_notify.enqueue(item.pk)
    return item


def invoice_dispute_resolve(*, invoice: Invoice, actor) -> Invoice:
    with transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(disputed_at=None)
        ClientMessage.objects.filter(invoice=invoice, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
        audit_log(actor=actor, action="invoicing.invoice.dispute_resolved", target=invoice)
    invoice.refresh_from_db()
    return invoice


def invoice_collection_set(*, invoice: Invoice, actor, collection: str) -> Invoice:
    """Payment plan or hand-over to collection: both stop the reminders."""
    if collection not in Invoice.Collection.values:
        raise ValidationFailed(_("Choose a collection status."), field="collection")
    with transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(collection=collection)
        audit_log(
            actor=actor,
            action="invoicing.invoice.collection_changed",
            target=invoice,
            data={"collection": collection},
        )
    invoice.refresh_from_db()
    return invoice


# --- Bank reconciliation ----------------------------------------------------------------------


@dataclass
class ImportResult:
    statement: BankStatement | None
    created: int = 0
    skipped: int = 0
    matched: int = 0
    unmatched: int = 0
    already_imported: bool = False
    errors: list[str] = field(default_factory=list)


class StatementRejected(ValidationFailed):
    code = "statement_rejected"


def bank_statement_import(
    *, entity: LegalEntity, actor, file_name: str, content: bytes
) -> ImportResult:
    """Import a camt.053 or CODA statement: all of it or nothing.

    A malformed file raises StatementRejected listing each bad line, and nothing is written.
    The same file twice (same SHA-256) or the same bank entry in another file changes nothing.
    Each new credit is then matched (structured communication, then reference and amount)."""
    from .bank import StatementError, parse_statement

    digest = hashlib.sha256(content).hexdigest()
    try:
        parsed = parse_statement(content)
    except StatementError as exc:
        raise StatementRejected(
            _("This file is not a bank statement we can import; nothing was imported."),
            extra={"errors": exc.errors},
        ) from None
    with transaction.atomic():
        existing = BankStatement.objects.filter(entity=entity, sha256=digest).first()
        if existing is not None:
            return ImportResult(existing, skipped=len(parsed.entries), already_imported=True)
        statement = BankStatement.objects.create(
            entity=entity,
            format=parsed.format,
            statement_id=parsed.statement_id[:100],
            account_iban=parsed.account_iban[:34],
            file_name=file_name[:200],
            sha256=digest,
            imported_by=actor,
        )
        result = ImportResult(statement)
        known = set(
            BankTransaction.objects.filter(
                entity=entity, bank_reference__in=[e.bank_reference for e in parsed.entries]
            ).values_list("bank_reference", flat=True)
        )
        new_rows = []
        for entry in parsed.entries:
            if entry.bank_reference in known:
                result.skipped += 1
                continue
            known.add(entry.bank_reference)
            new_rows.append(
                BankTransaction(
                    entity=entity,
                    statement=statement,
                    bank_reference=entry.bank_reference[:100],
                    booking_date=entry.booking_date,
                    amount=entry.amount,
                    counterparty_name=entry.counterparty_name[:200],
                    counterparty_iban=entry.counterparty_iban[:34],
                    structured_reference=entry.structured_reference[:35],
                    free_text=entry.free_text[:500],
                    status=BankTransaction.Status.UNMATCHED
                    if entry.amount > 0
                    else BankTransaction.Status.IGNORED,
                )
            )
        BankTransaction.objects.bulk_create(new_rows)
        result.created = len(new_rows)
        audit_log(
            actor=actor,
            action="invoicing.bank_statement.imported",
            target=statement,
            data={"file": file_name, "entries": len(parsed.entries), "new": len(new_rows)},
        )
        for row in new_rows:
            if row.amount <= 0:
                continue
            invoice = _auto_match(entity=entity, row=row)
            if invoice is None:
                result.unmatched += 1
                continue
            _apply_transaction(row=row, invoice=invoice, actor=actor)
            result.matched += 1
    return result


def _auto_match(*, entity: LegalEntity, row: BankTransaction) -> Invoice | None:
    invoices = Invoice.objects.filter(
        entity=entity, kind=Invoice.Kind.INVOICE, number__isnull=False
    )
    reference = payment_reference_clean(row.structured_reference) or payment_reference_find(
        row.free_text
    )
    if reference:
        found = invoices.filter(structured_communication=reference).first()
        if found is not None:
            return found
    text = f"{row.free_text} {row.structured_reference}".upper()
    for token in {t.strip(".,;:()") for t in text.split()}:
        if len(token) < 6:
            continue
        found = invoices.filter(reference=token, status__in=OPEN_STATUSES).first()
        if found is not None and found.amount_due == row.amount:
            return found
    return None


def _apply_transaction(*, row: BankTransaction, invoice: Invoice, actor) -> None:
    payment = payment_record(
        invoice=invoice,
        amount=row.amount,
        on=row.booking_date,
        source=Payment.Source.BANK,
        actor=actor,
        bank_transaction=row,
    )
    applied = payment.amount if payment else ZERO
    row.status = BankTransaction.Status.MATCHED
    row.unapplied_amount = row.amount - applied
    row.save(update_fields=["status", "unapplied_amount", "updated_at"])


def bank_transaction_match(*, transaction_row: BankTransaction, invoice: Invoice, actor) -> None:
    """Manual matching of an unmatched credit to an invoice of the same entity."""
    if invoice.entity_id != transaction_row.entity_id:
        raise PermissionDenied(_("This invoice belongs to another entity."))
    with transaction.atomic():
        row = BankTransaction.objects.select_for_update().get(pk=transaction_row.pk)
        if row.status != BankTransaction.Status.UNMATCHED:
            raise Conflict(_("This bank line is already handled."))
        _apply_transaction(row=row, invoice=invoice, actor=actor)
        audit_log(
            actor=actor,
            action="invoicing.bank_transaction.matched",
            target=invoice,
            data={"bank_reference": row.bank_reference, "amount": row.amount},
        )


# --- Reminders --------------------------------------------------------------------------------


def _is_business_document(invoice: Invoice) -> bool:
    """B2B or B2C as printed on the document (the client record may have changed since)."""
    kind = invoice.snapshot.get("client", {}).get("kind") or invoice.client.kind
    return kind == Client.Kind.COMPANY


# Levels in order; the Reminder step is fixed per level whatever schedule sent it.
REMINDER_LEVELS = ("first_reminder", "second_reminder", "formal_notice")
LEVEL_STEPS = {"first_reminder": 1, "second_reminder": 2, "formal_notice": 3}


@dataclass(frozen=True)
class ReminderLevel:
    level: str
    days: int
    text: str = ""

    @property
    def kind(self) -> str:
        return "formal_notice" if self.level == "formal_notice" else "reminder"

    @property
    def step(self) -> int:
        return LEVEL_STEPS[self.level]


def _audience(business: bool) -> str:
    return ReminderPolicy.Audience.BUSINESS if business else ReminderPolicy.Audience.CONSUMER


def reminder_pack_levels(*, entity: LegalEntity, business: bool, on: date) -> list[ReminderLevel]:
    """The country pack's default schedule (`invoice_reminder_schedule_b2b|b2c`) as levels."""
    name = "invoice_reminder_schedule_b2b" if business else "invoice_reminder_schedule_b2c"
    levels: list[ReminderLevel] = []
    reminders = 0
    for row in sorted(_param(entity, name, on=on, default=()), key=lambda r: int(r["step"])):
        if row["kind"] == "formal_notice":
            level = "formal_notice"
        else:
            level = REMINDER_LEVELS[min(reminders, 1)]
            reminders += 1
        levels.append(ReminderLevel(level=level, days=int(row["days"])))
    return levels


def reminder_policy_levels(policy: ReminderPolicy) -> list[ReminderLevel]:
    return sorted(
        (
            ReminderLevel(
                level=level,
                days=getattr(policy, f"{level}_days"),
                text=getattr(policy, f"{level}_text"),
            )
            for level in REMINDER_LEVELS
            if getattr(policy, f"{level}_enabled")
        ),
        key=lambda item: item.days,
    )


def reminder_bounds(*, entity: LegalEntity, business: bool, on: date) -> dict:
    """What the law allows a reminder policy (`invoice_reminder_bounds_b2b|b2c`)."""
    name = "invoice_reminder_bounds_b2b" if business else "invoice_reminder_bounds_b2c"
    return dict(_param(entity, name, on=on, default={}))


def _policy_check(*, bounds: dict, values: dict) -> None:
    """Refuse a schedule outside the law's bounds, at the field that breaks the rule."""
    rule = bounds.get("rule", "")
    enabled = [level for level in REMINDER_LEVELS if values[f"{level}_enabled"]]
    names = {
        "first_reminder": _("The first reminder"),
        "second_reminder": _("The second reminder"),
        "formal_notice": _("The formal notice"),
    }
    # Mid-sentence forms, translated as such (lowercasing would break German nouns).
    inner_names = {
        "first_reminder": _("the first reminder"),
        "second_reminder": _("the second reminder"),
        "formal_notice": _("the formal notice"),
    }
    min_days = int(bounds.get("min_days", 1))
    for level in enabled:
        if values[f"{level}_days"] < min_days:
            raise ValidationFailed(
                _(
                    "%(level)s can only be sent after the due date: at least %(min)s day(s) "
                    "after it (%(rule)s)."
                )
                % {"level": names[level], "min": min_days, "rule": rule},
                field=f"{level}_days",
            )
    if bounds.get("first_reminder_required") and "first_reminder" not in enabled:
        raise ValidationFailed(
            _("Consumers must first receive a free reminder before any costs (%(rule)s).")
            % {"rule": rule},
            field="first_reminder_enabled",
        )
    if "formal_notice" in enabled:
        if bounds.get("formal_notice_allowed") is False:
            raise ValidationFailed(
                _("A formal notice claiming costs is not allowed for these clients (%(rule)s).")
                % {"rule": rule},
                field="formal_notice_enabled",
            )
        notice_min = int(bounds.get("formal_notice_min_days", min_days))
        if values["formal_notice_days"] < notice_min:
            raise ValidationFailed(
                _(
                    "Late-payment interest and the fixed indemnity can only be claimed from day "
                    "%(min)s after the due date (%(rule)s)."
                )
                % {"min": notice_min, "rule": rule},
                field="formal_notice_days",
            )
        gap = bounds.get("formal_notice_min_days_after_first")
        if gap is not None and "first_reminder" in enabled:
            earliest = values["first_reminder_days"] + int(gap)
            if values["formal_notice_days"] < earliest:
                raise ValidationFailed(
                    _(
                        "Damages can only be claimed 14 calendar days after the free first "
                        "reminder sent by e-mail: the formal notice must come on day %(min)s "
                        "after the due date or later (%(rule)s)."
                    )
                    % {"min": earliest, "rule": rule},
                    field="formal_notice_days",
                )
    for earlier, later in pairwise(enabled):
        if values[f"{later}_days"] <= values[f"{earlier}_days"]:
            raise ValidationFailed(
                _("%(later)s must come after %(earlier)s (more days after the due date).")
                % {"later": names[later], "earlier": inner_names[earlier]},
                field=f"{later}_days",
            )


POLICY_FIELDS = tuple(
    f"{level}_{part}" for level in REMINDER_LEVELS for part in ("enabled", "days", "text")
)


def reminder_policy_save(
    *, entity: LegalEntity, actor, audience: str, values: dict, on: date | None = None
) -> ReminderPolicy:
    """Create or change the entity's reminder policy for business clients or consumers, within
    the bounds of the law in force `on` (default today). Audited with what changed."""
    if audience not in ReminderPolicy.Audience.values:
        raise ValidationFailed(_("Choose business clients or consumers."), field="audience")
    on = on or timezone.localdate()
    cleaned: dict[str, Any] = {}
    for level in REMINDER_LEVELS:
        cleaned[f"{level}_enabled"] = bool(values.get(f"{level}_enabled"))
        try:
            days = int(values.get(f"{level}_days") or 0)
        except (TypeError, ValueError):
            raise ValidationFailed(_("Enter a number of days."), field=f"{level}_days") from None
        if not 0 <= days <= 3650:
            raise ValidationFailed(
                _("Enter a number of days between 0 and 3650."), field=f"{level}_days"
            )
        cleaned[f"{level}_days"] = days
        text = str(values.get(f"{level}_text") or "").strip()
        if len(text) > 2000:
            raise ValidationFailed(
                _("Keep the paragraph under 2,000 characters."), field=f"{level}_text"
            )
        cleaned[f"{level}_text"] = text
    business = audience == ReminderPolicy.Audience.BUSINESS
    _policy_check(bounds=reminder_bounds(entity=entity, business=business, on=on), values=cleaned)
    with transaction.atomic():
        policy = (
            ReminderPolicy.objects.select_for_update()
            .filter(entity=entity, audience=audience)
            .first()
        )
        created = policy is None
        if created:
            policy = ReminderPolicy(entity=entity, audience=audience)
        changes = {
            name: [None if created else getattr(policy, name), value]
            for name, value in cleaned.items()
            if created or getattr(policy, name) != value
        }
        for name, value in cleaned.items():
            setattr(policy, name, value)
        policy.updated_by = actor
        policy.save()
        audit_log(
            actor=actor,
            action="invoicing.reminder_policy.created"
            if created
            else "invoicing.reminder_policy.changed",
            target=policy,
            entity=entity,
            data={"audience": audience, "changes": changes},
        )
    return policy


def reminder_policy_delete(*, entity: LegalEntity, actor, audience: str) -> bool:
    """Back to the country pack's schedule. Returns whether there was a policy."""
    with transaction.atomic():
        policy = (
            ReminderPolicy.objects.select_for_update()
            .filter(entity=entity, audience=audience)
            .first()
        )
        if policy is None:
            return False
        audit_log(
            actor=actor,
            action="invoicing.reminder_policy.deleted",
            target=policy,
            entity=entity,
            data={"audience": audience},
        )
        policy.delete()
    return True


def _due_level(
    *,
    invoice: Invoice,
    levels: list[ReminderLevel],
    sent: dict[str, date],
    on: date,
    consumer_bounds: dict | None = None,
) -> ReminderLevel | None:
    """The level to send today, or None. A level (or a later one) already sent is never sent
    again; consumers get the free first reminder before anything else, and costs only once the
    law's wait after it is over."""
    due = None
    for level in levels:
        if invoice.due_date + timedelta(days=level.days) <= on:
            due = level
    if due is None:
        return None
    rank = REMINDER_LEVELS.index
    if any(rank(level) >= rank(due.level) for level in sent):
        return None
    if _is_business_document(invoice):
        return due
    bounds = (
        consumer_bounds
        if consumer_bounds is not None
        else reminder_bounds(entity=invoice.entity, business=False, on=on)
    )
    if not sent:
        if bounds.get("first_reminder_required") and due.level != "first_reminder":
            first = next((lv for lv in levels if lv.level == "first_reminder"), None)
            return first or ReminderLevel(level="first_reminder", days=0)
        return due
    if due.kind == "formal_notice":
        if bounds.get("formal_notice_allowed") is False:
            return None
        gap = bounds.get("formal_notice_min_days_after_first")
        if gap is not None and min(sent.values()) + timedelta(days=int(gap)) > on:
            return None
    return due


def reminders_run(*, on: date, batch_size: int = 500) -> int:
    """Create the reminders due on `on` and send them after commit. Returns how many.

    The schedule is the entity's ReminderPolicy for business clients or consumers when it has
    one, the country pack's otherwise. Each candidate invoice row is locked with SKIP LOCKED, so
    two runs at once never take the same invoice; the reminders already sent (by level) are
    re-read under the lock, so a second run the same day sends nothing, and a changed policy
    never sends a level twice. Disputed, handed-over and paid invoices are skipped."""
    from .selectors import invoices_due_for_reminder
    from .tasks import reminder_send

    payment_plans_check(on=on)
    sent_count = 0
    last_pk = 0
    pack_levels: dict[tuple[int, bool], list[ReminderLevel]] = {}
    consumer_bounds: dict[int, dict] = {}
    while True:
        with transaction.atomic():
            batch = list(
                invoices_due_for_reminder(on=on)
                .filter(pk__gt=last_pk)
                .select_related("client", "entity")
                .order_by("pk")
                .select_for_update(of=("self",), skip_locked=True)[:batch_size]
            )
            if not batch:
                break
            last_pk = batch[-1].pk
            sent: dict[int, dict[str, date]] = {}
            for invoice_id, step, kind, sent_on in Reminder.objects.filter(
                invoice__in=batch
            ).values_list("invoice_id", "step", "kind", "sent_on"):
                sent.setdefault(invoice_id, {})[reminder_level(kind=kind, step=step)] = sent_on
            policies = {
                (policy.entity_id, policy.audience): reminder_policy_levels(policy)
                for policy in ReminderPolicy.objects.filter(
                    entity_id__in={invoice.entity_id for invoice in batch}
                )
            }
            for invoice in batch:
                business = _is_business_document(invoice)
                levels = policies.get((invoice.entity_id, _audience(business)))
                if levels is None:
                    key = (invoice.entity_id, business)
                    if key not in pack_levels:
                        pack_levels[key] = reminder_pack_levels(
                            entity=invoice.entity, business=business, on=on
                        )
                    levels = pack_levels[key]
                if not business and invoice.entity_id not in consumer_bounds:
                    consumer_bounds[invoice.entity_id] = reminder_bounds(
                        entity=invoice.entity, business=False, on=on
                    )
                level = _due_level(
                    invoice=invoice,
                    levels=levels,
                    sent=sent.get(invoice.pk, {}),
                    on=on,
                    consumer_bounds=consumer_bounds.get(invoice.entity_id),
                )
                if level is None:
                    continue
                reminder = _reminder_create(invoice=invoice, level=level, on=on)
                reminder_send.enqueue(reminder.pk)
                sent_count += 1
    return sent_count


def _reminder_create(*, invoice: Invoice, level: ReminderLevel, on: date) -> Reminder:
    kind = level.kind
    interest = fixed = rate = ZERO
    amount_due = invoice.amount_due
    if kind == "formal_notice":
        if _is_business_document(invoice):
            rate = _param(invoice.entity, "late_interest_rate_b2b", on=on, default=ZERO)
            interest = calc.late_interest(
                amount=amount_due, annual_rate=rate, days=(on - invoice.due_date).days
            )
            fixed = _param(invoice.entity, "late_payment_fixed_indemnity_b2b", on=on, default=ZERO)
        else:
            # Consumers: lump-sum damages within the legal cap (Belgium), and where the law lets
            # interest run from the formal notice (France), its rate, printed on the letter.
            brackets = _param(invoice.entity, "consumer_damages_brackets", on=on, default=())
            fixed = calc.consumer_damages_cap(amount_due, brackets=brackets)
            rate = _param(invoice.entity, "late_interest_rate_b2c", on=on, default=ZERO)
    reminder = Reminder.objects.create(
        entity_id=invoice.entity_id,
        invoice=invoice,
        step=level.step,
        kind=kind,
        sent_on=on,
        amount_due=amount_due,
        interest=interest,
        fixed_costs=fixed,
        interest_rate=rate,
        extra_text=level.text,
    )
    audit_log(
        actor=None,
        action="invoicing.reminder.created",
        target=invoice,
        data={"step": reminder.step, "kind": kind, "interest": interest, "fixed": fixed},
    )
    return reminder


# --- Transmissions (state machine) ----------------------------------------------------------


def transmission_create(*, invoice: Invoice, channel: str) -> Transmission:
    """A PENDING send of `invoice` over `channel`; idempotent per (invoice, channel)."""
    key = f"{channel}:{invoice.public_id}"
    transmission, created = Transmission.objects.get_or_create(
        idempotency_key=key,
        defaults={"entity_id": invoice.entity_id, "invoice": invoice, "channel": channel},
    )
    if created:
        from .tasks import transmission_process

        transmission_process.enqueue(transmission.pk)
    return transmission


def transmission_claim(*, transmission_id: int) -> Transmission | None:
    """PENDING → IN_FLIGHT in its own short transaction; None if someone else has it."""
    with transaction.atomic():
        row = (
            Transmission.objects.select_for_update(skip_locked=True)
            .filter(pk=transmission_id, state=Transmission.State.PENDING)
            .first()
        )
        if row is None:
            return None
        if row.next_attempt_at and row.next_attempt_at > timezone.now():
            return None
        row.state = Transmission.State.IN_FLIGHT
        row.attempts += 1
        row.save(update_fields=["state", "attempts", "updated_at"])
    return row


def transmission_finish(
    *,
    transmission: Transmission,
    ok: bool,
    error: str = "",
    transient: bool = False,
    external_id: str = "",
    max_attempts: int = 5,
) -> Transmission:
    with transaction.atomic():
        row = Transmission.objects.select_for_update().get(pk=transmission.pk)
        if ok:
            row.state = Transmission.State.DELIVERED
            row.external_id = external_id
            row.last_error = ""
        elif transient and row.attempts < max_attempts:
            row.state = Transmission.State.PENDING
            row.next_attempt_at = timezone.now() + timedelta(seconds=30 * 2**row.attempts)
            row.last_error = error[:2000]
        else:
            row.state = Transmission.State.FAILED
            row.last_error = error[:2000]
        row.save()
        audit_log(
            actor=None,
            action=f"invoicing.transmission.{row.state}",
            target=row.invoice,
            data={"channel": row.channel, "attempts": row.attempts, "error": error[:200]},
        )
    return row


def transmissions_sweep(
    *, now: datetime | None = None, stuck_after: timedelta = timedelta(minutes=15)
) -> int:
    """Stuck IN_FLIGHT sends go back to PENDING; due PENDING sends are enqueued again."""
    from .tasks import transmission_process

    now = now or timezone.now()
    with transaction.atomic():
        stuck = Transmission.objects.filter(
            state=Transmission.State.IN_FLIGHT, updated_at__lt=now - stuck_after
        ).update(state=Transmission.State.PENDING, next_attempt_at=now)
    due = list(
        Transmission.objects.filter(state=Transmission.State.PENDING)
        .exclude(next_attempt_at__gt=now)
        .values_list("pk", flat=True)[:1000]
    )
    for pk in due:
        transmission_process.enqueue(pk)
    return stuck + len(due)


__all__ = [
    "ApplicationError",
    "LineData",
    "bank_statement_import",
    "bank_transaction_match",
    "client_create",
    "client_message_create",
    "credit_note_create",
    "invoice_approve",
    "invoice_draft_save",
    "invoice_issue",
    "invoice_submit",
    "invoice_vat_override",
    "payment_link_resolve",
    "payment_link_token",
    "payment_record",
    "reminder_policy_delete",
    "reminder_policy_save",
    "reminders_run",
]


# --- Quotes ----------------------------------------------------------------------------------

QUOTE_SALT = "invoicing.quote-link"


def quote_create(
    *,
    actor,
    activity: Activity,
    client: Client,
    title: str,
    lines: Sequence[LineData | dict],
    valid_days: int = 30,
) -> Quote:
    """A draft quote. Totals use the same VAT decision and rounding as invoices."""
    if client.entity_id != activity.entity_id:
        raise ValidationFailed(_("This client belongs to another entity."), field="client")
    cleaned = _clean_lines(lines)
    try:
        decision = calc.vat_decide(
            supplier_country=activity.entity.country,
            client_is_business=client.is_business,
            client_country=client.country,
            client_vat_number=client.vat_number,
            lines_exempt=all(line.vat_rate_code == "exempt" for line in cleaned),
            texts=vat_texts(activity.entity.country),
        )
    except calc.VatRuleError as exc:
        raise ValidationFailed(str(exc), code="vat_rule", field=exc.field) from None
    today = timezone.localdate()
    rates = _param(activity.entity, "vat_rates", on=today)
    inputs = []
    for line in cleaned:
        category, rate = calc.line_vat(
            decision_category=decision.category, rate_code=line.vat_rate_code, rates=rates
        )
        inputs.append(calc.LineInput(line.quantity, line.unit_price, category, rate))
    totals = calc.compute_totals(inputs)
    with transaction.atomic():
        quote = Quote.objects.create(
            entity_id=activity.entity_id,
            activity=activity,
            client=client,
            title=title.strip() or _("Quote"),
            lines=[
                {
                    "description": line.description,
                    "quantity": str(line.quantity),
                    "unit": line.unit,
                    "unit_price": str(line.unit_price),
                    "vat_rate_code": line.vat_rate_code,
                    "line_total": str(amount),
                }
                for line, amount in zip(cleaned, totals.line_totals, strict=True)
            ],
            total_excl_vat=totals.total_excl_vat,
            total_incl_vat=totals.total_incl_vat,
            valid_until=today + timedelta(days=valid_days),
            created_by=actor,
        )
        audit_log(actor=actor, action="invoicing.quote.created", target=quote)
    return quote


def quote_link_token(*, quote: Quote) -> str:
    return signing.dumps([str(quote.public_id), quote.link_key], salt=QUOTE_SALT)


def quote_link_resolve(*, token: str) -> Quote | None:
    try:
        public_id, link_key = signing.loads(token, salt=QUOTE_SALT, max_age=60 * 60 * 24 * 400)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (
        Quote.objects.filter(public_id=public_id, link_key=link_key)
        .exclude(status=Quote.Status.DRAFT)
        .select_related("client", "entity", "activity")
        .first()
    )


def quote_send(*, quote: Quote, actor) -> Quote:
    """Mark sent and e-mail the client the link (after commit)."""
    from django.core.mail import send_mail
    from django.urls import reverse

    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if quote.status not in (Quote.Status.DRAFT, Quote.Status.SENT):
            raise Conflict(_("This quote was already decided."))
        quote.status = Quote.Status.SENT
        quote.sent_at = timezone.now()
        quote.save(update_fields=["status", "sent_at", "updated_at"])
        audit_log(actor=actor, action="invoicing.quote.sent", target=quote)
        link = settings.SITE_URL + reverse(
            "invoicing:quote_public", kwargs={"token": quote_link_token(quote=quote)}
        )
        if quote.client.email:
            subject = _("Quote from %(issuer)s: %(title)s") % {
                "issuer": quote.entity.name,
                "title": quote.title,
            }
            body = _("See the quote and accept it online: %(link)s") % {"link": link}
            transaction.on_commit(lambda: send_mail(subject, body, None, [quote.client.email]))
    return quote


def quote_decide(*, quote: Quote, accept: bool, name: str) -> Quote:
    """The client accepts (name and time recorded) or refuses a sent, still valid quote."""
    if accept and not name.strip():
        raise ValidationFailed(_("Type your name to accept."), field="name")
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if quote.status != Quote.Status.SENT:
            raise Conflict(_("This quote was already answered."))
        if quote.valid_until < timezone.localdate():
            raise Conflict(_("This quote has expired. Ask for a new one."))
        quote.status = Quote.Status.ACCEPTED if accept else Quote.Status.REFUSED
        quote.decided_at = timezone.now()
        quote.decided_by_name = name.strip()[:200]
        quote.save(update_fields=["status", "decided_at", "decided_by_name", "updated_at"])
        audit_log(
            actor=None,
            action=f"invoicing.quote.{quote.status}",
            target=quote,
            data={"name": quote.decided_by_name},
        )
    return quote


def quote_to_invoice(*, quote: Quote, actor) -> Invoice:
    """The draft invoice of an accepted quote (once)."""
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if quote.status != Quote.Status.ACCEPTED:
            raise Conflict(_("Only an accepted quote becomes an invoice."))
        invoice = invoice_draft_save(
            actor=actor,
            activity=quote.activity,
            client=quote.client,
            lines=[
                LineData(
                    line["description"],
                    Decimal(line["quantity"]),
                    Decimal(line["unit_price"]),
                    line["unit"],
                    line["vat_rate_code"],
                )
                for line in quote.lines
            ],
            note=_("Quote accepted by %(name)s on %(date)s.")
            % {"name": quote.decided_by_name, "date": quote.decided_at.date().isoformat()},
        )
        quote.status = Quote.Status.INVOICED
        quote.invoice = invoice
        quote.save(update_fields=["status", "invoice", "updated_at"])
        audit_log(actor=actor, action="invoicing.quote.invoiced", target=quote)
    return invoice


# --- Payment plans --------------------------------------------------------------------------

PLAN_GRACE_DAYS = 7


def payment_plan_create(
    *, invoice: Invoice, actor, instalments: Sequence[tuple[date, Decimal]]
) -> PaymentPlan:
    """Instalments for what is due on `invoice`: at least two, increasing dates from today,
    positive amounts adding up exactly to the amount due. Stops the reminders."""
    today = timezone.localdate()
    rows = sorted((d, Decimal(a)) for d, a in instalments)
    if len(rows) < 2:
        raise ValidationFailed(
            _("A payment plan has at least two instalments."), field="instalments"
        )
    if rows[0][0] < today or len({d for d, _a in rows}) != len(rows):
        raise ValidationFailed(
            _("Instalment dates are distinct and not in the past."), field="instalments"
        )
    if any(a <= 0 or a.as_tuple().exponent < -2 for _d, a in rows):
        raise ValidationFailed(_("Each instalment is a positive amount."), field="instalments")
    with transaction.atomic():
        locked = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
        if locked.status not in OPEN_STATUSES:
            raise Conflict(_("Only an open invoice can get a payment plan."))
        total = sum((a for _d, a in rows), ZERO)
        if total != locked.amount_due:
            raise ValidationFailed(
                _("The instalments add up to %(total)s, but %(due)s is due.")
                % {"total": total, "due": locked.amount_due},
                field="instalments",
            )
        PaymentPlan.objects.filter(invoice=locked, status=PaymentPlan.Status.ACTIVE).update(
            status=PaymentPlan.Status.BROKEN
        )
        plan = PaymentPlan.objects.create(
            entity_id=locked.entity_id,
            invoice=locked,
            instalments=[{"due_date": d.isoformat(), "amount": str(a)} for d, a in rows],
            created_by=actor,
        )
        Invoice.objects.filter(pk=locked.pk).update(collection=Invoice.Collection.PAYMENT_PLAN)
        audit_log(
            actor=actor,
            action="invoicing.payment_plan.created",
            target=locked,
            data={"instalments": plan.instalments},
        )
    return plan


def payment_plans_check(*, on: date) -> int:
    """Completed plans close; a plan whose instalments (plus grace) are not paid breaks, and the
    invoice goes back to normal reminders. Returns the number of plans broken."""
    broken = 0
    plans = (
        PaymentPlan.objects.filter(status=PaymentPlan.Status.ACTIVE)
        .select_related("invoice")
        .order_by("pk")
    )
    for plan in plans.iterator():
        with transaction.atomic():
            invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=plan.invoice_id)
            if invoice.amount_due <= 0:
                PaymentPlan.objects.filter(pk=plan.pk).update(status=PaymentPlan.Status.COMPLETED)
                continue
            expected = sum(
                (
                    Decimal(i["amount"])
                    for i in plan.instalments
                    if date.fromisoformat(i["due_date"]) + timedelta(days=PLAN_GRACE_DAYS) < on
                ),
                ZERO,
            )
            if expected > 0 and _plan_paid(plan, invoice) < expected:
                PaymentPlan.objects.filter(pk=plan.pk).update(status=PaymentPlan.Status.BROKEN)
                Invoice.objects.filter(pk=invoice.pk).update(collection="")
                audit_log(actor=None, action="invoicing.payment_plan.broken", target=invoice)
                broken += 1
    return broken


def _plan_paid(plan: PaymentPlan, invoice: Invoice) -> Decimal:
    """What was paid on the invoice since the plan was agreed."""
    return (
        Payment.objects.filter(invoice=invoice, created_at__gte=plan.created_at).aggregate(
            total=models.Sum("amount")
        )["total"]
        or ZERO
    )
