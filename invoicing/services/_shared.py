"""Helpers shared by the invoicing service modules, and the boundary with the activities app
(the only places invoicing calls activities services)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from activities.models import Activity
from smartcoop.core.audit import audit_log
from smartcoop.core.errors import ValidationFailed
from smartcoop.core.models import LegalEntity, User
from smartcoop.countries import current_pack, param, parameter_tables

from ..models import Invoice, Payment, PaymentPlan

ZERO = Decimal("0.00")
OPEN_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID)


# --- Boundary with activities ----------------------------------------------------------------


def _activity_credit_client_payment(
    *, activity: Activity, amount_excl_vat: Decimal, on: date, payment: Payment, actor: User | None
) -> None:
    """Credit the Activity budget with a client payment (excl. VAT); activities debits the fee.

    The one place invoicing calls the activities ledger; idempotent per payment there. It runs
    in the payment's transaction and is never skipped: if the credit fails, no payment is
    recorded either."""
    from activities import services as activity_services

    activity_services.activity_credit_client_payment(
        activity=activity,
        amount_excl_vat=amount_excl_vat,
        on=on,
        source_type="invoicing.payment",
        source_id=str(payment.public_id),
        actor=actor,
    )


def _contract_create_for_performance(*, invoice: Invoice, actor: User | None):
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
    return (entity.country or current_pack().code).lower()


def _param(entity: LegalEntity, name: str, *, on: date, default: Any = None) -> Any:
    key = f"{_country_of(entity)}.{name}"
    return param(key, on=on) if default is None else param(key, on=on, default=default)


def _param_history(entity: LegalEntity, name: str) -> list[tuple[date, Any]]:
    """Every dated value of a parameter, (valid_from, value) in date order; [] when the pack
    has none."""
    table = parameter_tables().get(f"{_country_of(entity)}.{name}")
    return [(entry.valid_from, entry.value) for entry in table.values] if table else []


def _places(value: Decimal) -> int:
    """How many decimals `value` (finite, e.g. from `_decimal`) is written with."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _decimal(value: Any, *, field: str) -> Decimal:
    try:
        result = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Enter a number."), field=field) from None
    if not result.is_finite():
        raise ValidationFailed(_("Enter a number."), field=field)
    return result


def _payment_plan_start(
    *, invoice: Invoice, instalments: list[dict], actor: User | None
) -> PaymentPlan:
    """A payment plan for `invoice` (locked by the caller): reminders pause while it is kept."""
    plan = PaymentPlan.objects.create(
        entity_id=invoice.entity_id, invoice=invoice, instalments=instalments, created_by=actor
    )
    Invoice.objects.filter(pk=invoice.pk).update(collection=Invoice.Collection.PAYMENT_PLAN)
    invoice.collection = Invoice.Collection.PAYMENT_PLAN
    audit_log(
        actor=actor,
        action="invoicing.payment_plan.created",
        target=invoice,
        data={"instalments": plan.instalments},
    )
    return plan


def _tell_coordinator(*, invoice: Invoice, kind: str, params: dict) -> None:
    """Notify the member who coordinates the invoice's Activity (smartcoop.core.notifications),
    inside the caller's transaction; the e-mail leaves after commit."""
    from django.urls import reverse

    from smartcoop.core.notifications import notify

    coordinator = invoice.activity.coordinator
    notify(
        user=coordinator.user if coordinator is not None else None,
        kind=kind,
        params={"reference": invoice.reference, "client": invoice.client.name, **params},
        url=reverse("invoicing:member_invoice", args=[invoice.public_id]),
    )
