"""Reminders: levels, the country pack's schedule and the entity's reminder policies within the
law's bounds, the daily run and the reminders it creates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import ValidationFailed
from smartcoop.core.models import LegalEntity, User

from .. import calculations as calc
from ..models import Client, Invoice, Reminder, ReminderPolicy, reminder_level
from ._shared import ZERO, _param, _param_history, _tell_coordinator
from .payments import payment_plans_check


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
    *, entity: LegalEntity, actor: User | None, audience: str, values: dict, on: date | None = None
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
        existing = (
            ReminderPolicy.objects.select_for_update()
            .filter(entity=entity, audience=audience)
            .first()
        )
        created = existing is None
        policy = existing or ReminderPolicy(entity=entity, audience=audience)
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


def reminder_policy_delete(*, entity: LegalEntity, actor: User | None, audience: str) -> bool:
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
    since = invoice.overdue_since
    if since is None:  # nothing to remind of an invoice without a due date
        return None
    due = None
    for level in levels:
        if since + timedelta(days=level.days) <= on:
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
    from ..selectors import invoices_due_for_reminder
    from ..tasks import reminder_send

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
                reminder_send.enqueue(reminder.pk, entity_id=reminder.entity_id)
                sent_count += 1
    return sent_count


def _reminder_create(*, invoice: Invoice, level: ReminderLevel, on: date) -> Reminder:
    kind = level.kind
    interest = fixed = rate = ZERO
    amount_due = invoice.amount_due
    if _is_business_document(invoice):
        # Between businesses interest runs from the due date without notice: every letter states
        # the rate in force on its date (reminders only tell it; the formal notice claims it).
        rate = _param(invoice.entity, "late_interest_rate_b2b", on=on, default=ZERO)
    if kind == "formal_notice":
        if _is_business_document(invoice):
            # Day by day at the rate of each semester the delay crosses.
            interest = calc.late_interest_by_period(
                amount=amount_due,
                rates=_param_history(invoice.entity, "late_interest_rate_b2b"),
                since=invoice.overdue_since or on,
                until=on,
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
    _tell_coordinator(
        invoice=invoice,
        kind="invoicing.reminder_sent",
        params={"due": amount_due, "formal_notice": kind == "formal_notice"},
    )
    return reminder


def reminder_mark_posted(*, reminder: Reminder, actor: User | None) -> Reminder:
    """Customer service put the letter of a client without an e-mail address in the post."""
    with transaction.atomic():
        locked = Reminder.objects.select_for_update().get(pk=reminder.pk)
        if locked.posted_at is None:
            locked.posted_at = timezone.now()
            locked.posted_by = actor
            locked.save(update_fields=["posted_at", "posted_by", "updated_at"])
            audit_log(
                actor=actor,
                action="invoicing.reminder.posted",
                target=locked.invoice,
                data={"step": locked.step},
            )
    return locked
