"""The ledger: entries and their reversal, client payments credited (fee debited), adjustments,
purchases, transfers between Activities, and the "available" check every spending holds."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import User
from smartcoop.core.money import quantize_money
from smartcoop.core.validators import check_money_fits, check_texts
from smartcoop.countries import current_pack

from .. import calculations, selectors
from ..models import Activity, LedgerEntry
from ._shared import K, _lock_activity, _money, _today


def _entry(
    *,
    activity: Activity,
    kind: str,
    amount: Decimal,
    on: dt.date,
    source_type: str,
    source_id: str,
    actor: User | None,
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
    *, entry: LedgerEntry, reason: str, actor: User | None, on: dt.date | None = None
) -> LedgerEntry:
    """Correct an entry by a new one of the opposite amount (entries are never changed)."""
    if not reason.strip():
        raise ValidationFailed(_("Say why the entry is reversed."), field="reason")
    if entry.reverses_id is not None:
        raise Conflict(_("A reversing entry cannot itself be reversed; record a new entry."))
    with transaction.atomic():
        activity = _lock_activity(entry.activity)
        if LedgerEntry.objects.filter(reverses=entry).exists():
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
    actor: User | None,
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
            for e in LedgerEntry.objects.filter(
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
        entry = partial(
            _entry,
            activity=locked,
            on=on,
            source_type=source_type,
            source_id=source_id,
            actor=actor,
        )
        payment = entry(kind=K.CLIENT_PAYMENT, amount=amount)
        fee_entry = None
        if fee > 0:  # a payment of a few cents may carry no fee once rounded
            fee_entry = entry(
                kind=K.MANAGEMENT_FEE,
                amount=-fee,
                # Facts only (numbers, dates): entries are read in every language.
                description=f"{(fee_rate * 100).normalize()} % x {amount}",
            )
        solidarity = None
        rate = pack.param("solidarity_contribution_rate", on=on)
        contribution = quantize_money(amount * rate)
        if contribution > 0:
            solidarity = entry(kind=K.SOLIDARITY_CONTRIBUTION, amount=-contribution)
    return ClientPaymentBooking(payment, fee_entry, solidarity, True)


def activity_reverse_source(
    *,
    activity: Activity,
    source_type: str,
    source_id: str,
    reason: str,
    actor: User | None,
    on: dt.date,
) -> list[LedgerEntry]:
    """Reverse every not-yet-reversed entry a document caused (e.g. a bounced payment)."""
    with transaction.atomic():
        _lock_activity(activity)
        entries = list(
            LedgerEntry.objects.filter(
                activity=activity,
                source_type=source_type,
                source_id=str(source_id),
                reverses__isnull=True,
                reversed_by__isnull=True,
            )
        )
        return [ledger_entry_reverse(entry=e, reason=reason, actor=actor, on=on) for e in entries]


def ledger_adjust(
    *,
    activity: Activity,
    amount: Decimal,
    reason: str,
    actor: User | None,
    on: dt.date | None = None,
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
    actor: User | None,
    on: dt.date | None = None,
) -> LedgerEntry:
    """A purchase paid by the cooperative for the Activity (a supplier invoice), idempotent per
    source; refused above the available budget."""
    amount = quantize_money(amount)
    if amount <= 0:
        raise ValidationFailed(_("A purchase must be positive."), field="amount")
    with transaction.atomic():
        locked = _lock_activity(activity)
        existing = LedgerEntry.objects.filter(
            activity=locked,
            kind=K.PURCHASE,
            source_type=source_type,
            source_id=str(source_id),
            reverses__isnull=True,
        ).first()
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
    actor: User | None,
    on: dt.date | None = None,
) -> tuple[LedgerEntry, LedgerEntry]:
    """Move budget between two Activities of the same entity (two entries, one source)."""
    check_texts(reason=reason)
    check_money_fits("amount", amount)
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
