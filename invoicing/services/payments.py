"""Payments on issued invoices, payment links, client messages and disputes, collection status,
payment plans.

Lock order when a payment is recorded: the invoice, then the Activity row activities locks when
the payment credits it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import User
from smartcoop.core.money import quantize_money
from smartcoop.core.validators import check_texts

from ..models import BankTransaction, ClientMessage, Invoice, Payment, PaymentPlan
from ..selectors import payment_plan_paid
from ._shared import (
    OPEN_STATUSES,
    ZERO,
    _activity_credit_client_payment,
    _decimal,
    _payment_plan_start,
    _places,
    _tell_coordinator,
)
from .invoices import _refresh_status

CLIENT_MESSAGE_MAX = 5000

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
    actor: User | None,
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
        _tell_coordinator(
            invoice=invoice,
            kind="invoicing.client_paid",
            params={"amount": applied, "due": invoice.amount_due},
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


def payment_link_revoke(*, invoice: Invoice, actor: User | None) -> Invoice:
    """Every payment link sent so far stops working (a new key); the next e-mail has a new one."""
    from ..models import _new_link_key

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


@dataclass(frozen=True)
class DeadLink:
    """Who a client should contact about a genuine link that stopped working, and in which
    language to tell them. Nothing about the document itself."""

    issuer: str
    email: str
    language: str


def link_dead_end(*, token: str, salt: str, rows) -> DeadLink | None:
    """For a token we signed that no longer opens its document (expired, or revoked by a new
    link key): the issuer to contact and the client's language. None for a token we did not
    sign (mistyped, cut short): then nobody is known. `rows` is the queryset of the documents."""
    try:
        # The signature only, whatever its age: an expired link still names its document.
        public_id, _key = signing.loads(token, salt=salt)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    row = rows.filter(public_id=public_id).select_related("entity", "client").first()
    if row is None:
        return None
    return DeadLink(
        issuer=row.entity.name, email=row.entity.email or "", language=row.client.language or ""
    )


def payment_link_dead_end(*, token: str) -> DeadLink | None:
    return link_dead_end(
        token=token, salt=LINK_SALT, rows=Invoice.objects.filter(number__isnull=False)
    )


def client_message_create(
    *,
    invoice: Invoice,
    name: str,
    email: str,
    message: str,
    is_dispute: bool,
    submission: uuid.UUID | None = None,
) -> ClientMessage:
    """A question or dispute from the payment page. A dispute pauses reminders. `submission` is
    the form's one-time token: posted again, the message is not stored twice (the first one is
    returned)."""
    if not message.strip():
        raise ValidationFailed(_("Write your message."), field="message")
    check_texts(name=name, email=email, message=message, multi_line=("message",))
    if len(message) > CLIENT_MESSAGE_MAX:
        raise ValidationFailed(
            _("A message has at most %(max)s characters.") % {"max": CLIENT_MESSAGE_MAX},
            field="message",
        )
    if submission is not None:
        earlier = ClientMessage.objects.filter(invoice=invoice, submission=submission).first()
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic():
            item = ClientMessage.objects.create(
                entity_id=invoice.entity_id,
                invoice=invoice,
                is_dispute=is_dispute,
                name=name.strip()[:200],
                email=email.strip(),
                message=message.strip(),
                submission=submission,
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
            from ..tasks import client_message_notify

            client_message_notify.enqueue(item.pk, entity_id=item.entity_id)
    except IntegrityError:  # the same form posted twice at once: the other post stored it
        return ClientMessage.objects.get(invoice=invoice, submission=submission)
    return item


def invoice_dispute_resolve(*, invoice: Invoice, actor: User | None) -> Invoice:
    with transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(disputed_at=None)
        ClientMessage.objects.filter(invoice=invoice, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
        audit_log(actor=actor, action="invoicing.invoice.dispute_resolved", target=invoice)
    invoice.refresh_from_db()
    return invoice


def invoice_collection_set(*, invoice: Invoice, actor: User | None, collection: str) -> Invoice:
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


# --- Payment plans --------------------------------------------------------------------------

PLAN_GRACE_DAYS = 7


def payment_plan_create(
    *, invoice: Invoice, actor: User | None, instalments: Sequence[tuple[date, Decimal]]
) -> PaymentPlan:
    """Instalments for what is due on `invoice`: at least two, increasing dates from today,
    positive amounts adding up exactly to the amount due. Stops the reminders."""
    today = timezone.localdate()
    rows = sorted((d, _decimal(a, field="instalments")) for d, a in instalments)
    if len(rows) < 2:
        raise ValidationFailed(
            _("A payment plan has at least two instalments."), field="instalments"
        )
    if rows[0][0] < today or len({d for d, _a in rows}) != len(rows):
        raise ValidationFailed(
            _("Instalment dates are distinct and not in the past."), field="instalments"
        )
    if any(a <= 0 or _places(a) > 2 for _d, a in rows):
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
        plan = _payment_plan_start(
            invoice=locked,
            instalments=[{"due_date": d.isoformat(), "amount": str(a)} for d, a in rows],
            actor=actor,
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
            paid = payment_plan_paid(plan=plan)
            if expected > 0 and paid < expected:
                PaymentPlan.objects.filter(pk=plan.pk).update(status=PaymentPlan.Status.BROKEN)
                Invoice.objects.filter(pk=invoice.pk).update(
                    collection="", reminders_from=_first_missed(plan, paid=paid)
                )
                audit_log(actor=None, action="invoicing.payment_plan.broken", target=invoice)
                broken += 1
    return broken


def _first_missed(plan: PaymentPlan, *, paid: Decimal) -> date:
    """The date of the first instalment that `paid` (earliest first) does not cover."""
    covered = ZERO
    for row in plan.instalments:
        covered += Decimal(row["amount"])
        if covered > paid:
            return date.fromisoformat(row["due_date"])
    return date.fromisoformat(plan.instalments[-1]["due_date"])
