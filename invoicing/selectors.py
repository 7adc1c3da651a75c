"""Reads, always scoped to what the user may see.

- A member sees the clients and documents of the Activities they belong to.
- An adviser sees, in the entity they work in, the documents of Activities whose coordinator is
  followed by their office.
- Customer service, accountants and administrators see every document of the entity they work in.
Anything else is not found (views answer 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Greatest
from django.http import Http404

from activities.models import Activity, ActivityMembership
from smartcoop.core.models import LegalEntity, User
from smartcoop.core.roles import Permission, Role, has_permission

from .models import BankTransaction, Client, Invoice, Payment, PaymentPlan, Reminder

WHOLE_ENTITY_ROLES = {Role.CUSTOMER_SERVICE, Role.ACCOUNTANT, Role.ADMINISTRATOR}


def member_activities(*, user: User, invoicing: bool = False) -> QuerySet[Activity]:
    memberships = ActivityMembership.objects.filter(member__user=user)
    if invoicing:
        memberships = memberships.filter(can_invoice=True)
    return Activity.objects.filter(pk__in=memberships.values("activity_id")).exclude(
        status=Activity.Status.CLOSED
    )


def activity_for_invoicing(*, user: User, public_id) -> Activity:
    activity = member_activities(user=user, invoicing=True).filter(public_id=public_id).first()
    if activity is None:
        raise Http404
    return activity


def _staff_filter(*, user: User, entity: LegalEntity | None) -> Q | None:
    """The rows a staff member may see, or None when they see nothing."""
    if entity is None or not has_permission(user, Permission.BACKOFFICE_ACCESS):
        return None
    if user.role in WHOLE_ENTITY_ROLES:
        return Q(entity=entity)
    if user.role == Role.ADVISER and user.office_id:
        return Q(entity=entity, activity__coordinator__office_id=user.office_id)
    return None


def invoice_list(*, user: User, entity: LegalEntity | None = None) -> QuerySet[Invoice]:
    """Documents visible to `user` (member: their Activities; staff: in `entity`)."""
    rows = Invoice.objects.select_related("client", "activity")
    if has_permission(user, Permission.BACKOFFICE_ACCESS):
        condition = _staff_filter(user=user, entity=entity)
        return rows.filter(condition) if condition is not None else rows.none()
    return rows.filter(activity__in=member_activities(user=user).values("pk"))


def invoice_get(*, user: User, public_id, entity: LegalEntity | None = None) -> Invoice:
    invoice = invoice_list(user=user, entity=entity).filter(public_id=public_id).first()
    if invoice is None:
        raise Http404
    return invoice


def client_list(*, user: User, entity: LegalEntity | None = None) -> QuerySet[Client]:
    if has_permission(user, Permission.BACKOFFICE_ACCESS):
        if entity is None:
            return Client.objects.none()
        if user.role in WHOLE_ENTITY_ROLES:
            return Client.objects.filter(entity=entity)
        if user.role == Role.ADVISER and user.office_id:
            return Client.objects.filter(
                entity=entity, activities__coordinator__office_id=user.office_id
            ).distinct()
        return Client.objects.none()
    return Client.objects.filter(
        activities__in=member_activities(user=user).values("pk")
    ).distinct()


def client_get(*, user: User, public_id, entity: LegalEntity | None = None) -> Client:
    client = client_list(user=user, entity=entity).filter(public_id=public_id).first()
    if client is None:
        raise Http404
    return client


def client_open_invoices(*, client: Client, exclude: Invoice | None = None) -> QuerySet[Invoice]:
    """The client's unpaid invoices with the same entity (the statement on the payment page)."""
    rows = Invoice.objects.filter(
        entity_id=client.entity_id,
        client=client,
        kind=Invoice.Kind.INVOICE,
        status__in=[Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID],
    ).order_by("due_date", "number")
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    return rows


def invoice_payments(*, invoice: Invoice) -> QuerySet[Payment]:
    return Payment.objects.filter(invoice=invoice).order_by("received_on", "id")


def payment_plan_paid(*, plan: PaymentPlan) -> Decimal:
    """What was paid on the plan's invoice since the plan was agreed."""
    paid = Payment.objects.filter(invoice_id=plan.invoice_id, created_at__gte=plan.created_at)
    return paid.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


@dataclass(frozen=True)
class Instalment:
    due_date: date
    amount: Decimal
    outstanding: Decimal  # what is still to pay of it, paying the earliest instalments first

    @property
    def is_paid(self) -> bool:
        return self.outstanding <= 0


def payment_plan_schedule(*, invoice: Invoice) -> list[Instalment]:
    """The active payment plan of `invoice`, instalment by instalment, with what is still to pay
    of each (payments since the plan settle the earliest first); [] without an active plan."""
    plan = invoice.payment_plans.filter(status=PaymentPlan.Status.ACTIVE).first()
    if plan is None:
        return []
    left = payment_plan_paid(plan=plan)
    schedule = []
    for row in plan.instalments:
        amount = Decimal(row["amount"])
        settled = min(left, amount)
        left -= settled
        schedule.append(Instalment(date.fromisoformat(row["due_date"]), amount, amount - settled))
    return schedule


def reminders_recent(*, entity: LegalEntity, limit: int = 50) -> QuerySet[Reminder]:
    """The latest reminders of `entity`, newest first, for customer service's overview."""
    return (
        Reminder.objects.filter(entity=entity)
        .select_related("invoice")
        .order_by("-sent_on", "-pk")[:limit]
    )


def reminders_to_post(*, entity: LegalEntity) -> QuerySet[Reminder]:
    """Reminder letters of `entity` for clients without an e-mail address, not posted yet."""
    return (
        Reminder.objects.filter(
            entity=entity,
            emailed_at__isnull=True,
            posted_at__isnull=True,
            invoice__snapshot__client__email="",
        )
        .exclude(letter="")
        .select_related("invoice")
        .order_by("sent_on", "pk")
    )


def unmatched_transactions(*, entity: LegalEntity) -> QuerySet[BankTransaction]:
    return BankTransaction.objects.filter(
        entity=entity, status=BankTransaction.Status.UNMATCHED, amount__gt=0
    ).order_by("-booking_date", "id")


def open_invoices_of_entity(*, entity: LegalEntity) -> QuerySet[Invoice]:
    return Invoice.objects.filter(
        entity=entity,
        kind=Invoice.Kind.INVOICE,
        status__in=[Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID],
    ).select_related("client")


def invoices_due_for_reminder(*, on: date) -> QuerySet[Invoice]:
    """Open, undisputed, not handed over invoices past their due date, or past the missed
    instalment of a broken schedule (index: open due dates)."""
    return Invoice.objects.filter(
        Q(due_date__lt=on) | Q(reminders_from__lt=on),
        kind=Invoice.Kind.INVOICE,
        status__in=[Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID],
        disputed_at__isnull=True,
        collection="",
    )


def aging_report(*, entity: LegalEntity, on: date) -> list[dict]:
    """Open amounts by days past due: not due, 1-30, 31-60, 61-90, > 90. One aggregate in
    PostgreSQL: the back-office invoice list shows it, and an entity has thousands of open
    invoices at Smart's size (loading them took most of the page)."""
    buckets = [
        ("not_due", None, 0),
        ("1-30", 1, 30),
        ("31-60", 31, 60),
        ("61-90", 61, 90),
        ("90+", 91, None),
    ]
    amount_due = Greatest(
        F("total_incl_vat") - F("amount_paid") - F("amount_credited"),
        Value(Decimal("0.00")),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )
    figures: dict[str, Any] = {}
    for i, (_name, low, high) in enumerate(buckets):
        # Days late = on - due date (0 without a due date).
        if low is None:
            window = Q(due_date__isnull=True) | Q(due_date__gte=on)
        else:
            window = Q(due_date__lte=on - timedelta(days=low))
            if high is not None:
                window &= Q(due_date__gte=on - timedelta(days=high))
        figures[f"count_{i}"] = Count("pk", filter=window)
        figures[f"amount_{i}"] = Sum(amount_due, filter=window)
    totals = (
        open_invoices_of_entity(entity=entity).select_related(None).order_by().aggregate(**figures)
    )
    return [
        {
            "bucket": name,
            "count": totals[f"count_{i}"],
            "amount": totals[f"amount_{i}"] or Decimal("0.00"),
        }
        for i, (name, _low, _high) in enumerate(buckets)
    ]


def quote_list(*, user: User) -> QuerySet:
    """The quotes of the member's Activities (quotes are the member's working documents)."""
    from .models import Quote

    return Quote.objects.filter(
        activity__in=member_activities(user=user).values("pk")
    ).select_related("client", "activity")


def quote_get(*, user: User, public_id):
    quote = quote_list(user=user).filter(public_id=public_id).first()
    if quote is None:
        raise Http404
    return quote


def deposits_available(*, user: User, invoice: Invoice | None) -> list[Invoice]:
    """Issued deposit invoices the member sees, not deducted by another (live) invoice."""
    taken = Invoice.objects.filter(
        deducted_by__isnull=False,
        deducted_by__invoice__status__in=[
            s for s in Invoice.Status.values if s != Invoice.Status.CREDITED
        ],
    )
    if invoice is not None:
        taken = taken.exclude(deducted_by__invoice=invoice)
    return list(
        invoice_list(user=user)
        .filter(is_deposit=True, kind=Invoice.Kind.INVOICE, number__isnull=False)
        .exclude(pk__in=taken.values("pk"))
        .order_by("issue_date", "pk")
    )


@dataclass(frozen=True)
class MatchSuggestion:
    invoice: Invoice
    score: int
    reasons: tuple[str, ...]  # "amount", "reference", "name"


def _words(text: str) -> set[str]:
    """Significant words of a name: lower case, letters and digits, 3 characters or more, no
    legal-form noise (nv, bv, sa, sas, sprl, gmbh…)."""
    noise = {"nv", "bv", "bvba", "sa", "sas", "sarl", "sprl", "srl", "gmbh", "vzw", "asbl", "the"}
    cleaned = "".join(ch.lower() if ch.isalnum() else " " for ch in text)
    return {w for w in cleaned.split() if len(w) >= 3 and w not in noise}


def match_score(*, transaction: BankTransaction, invoice: Invoice) -> tuple[int, tuple[str, ...]]:
    """How well a bank line fits an open invoice: the exact amount still due (3), the invoice's
    number in the communication (4), the client's name in the payer's name (2)."""
    score, reasons = 0, list[str]()
    if transaction.amount == invoice.amount_due:
        score, reasons = score + 3, [*reasons, "amount"]
    text = f"{transaction.free_text} {transaction.structured_reference}".upper()
    compact = "".join(ch for ch in text if ch.isalnum())
    reference = "".join(ch for ch in invoice.reference.upper() if ch.isalnum())
    if reference and reference in compact:
        score, reasons = score + 4, [*reasons, "reference"]
    if _words(transaction.counterparty_name) & _words(invoice.client.name):
        score, reasons = score + 2, [*reasons, "name"]
    return score, tuple(reasons)


def match_suggestions(
    *, entity: LegalEntity, transactions: list[BankTransaction], limit: int = 3
) -> dict[int, list[MatchSuggestion]]:
    """For each bank line to match by hand, the open invoices of the entity that fit it best
    (one query for the invoices, scored in Python: a page shows at most 100 lines)."""
    invoices = list(open_invoices_of_entity(entity=entity))
    suggestions: dict[int, list[MatchSuggestion]] = {}
    for transaction in transactions:
        scored = []
        for invoice in invoices:
            score, reasons = match_score(transaction=transaction, invoice=invoice)
            if score:
                scored.append(MatchSuggestion(invoice, score, reasons))
        scored.sort(key=lambda s: (-s.score, s.invoice.due_date or date.max))
        suggestions[transaction.pk] = scored[:limit]
    return suggestions
