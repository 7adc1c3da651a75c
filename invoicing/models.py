"""Invoicing: clients, invoices and credit notes with their lines, payments, bank statements,
reminders, client questions and e-invoice transmissions.

Issued documents are snapshots: every legal fact they print is copied into `snapshot` at issue
and the row is then immutable (services refuse, and a PostgreSQL trigger backs it up, see
migration 0002). Corrections are credit notes.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartcoop.core.fields import EncryptedTextField
from smartcoop.core.models import BaseModel, EntityOwnedModel
from smartcoop.core.money import MoneyDigits
from smartcoop.core.steps import StatusSteps

MONEY: MoneyDigits = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


def _new_link_key() -> str:
    return secrets.token_urlsafe(16)


class Client(EntityOwnedModel):
    """A client of one entity. Members see the clients linked to their Activities."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company or organisation")
        PERSON = "person", _("Private person (consumer)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    name = models.CharField(_("name"), max_length=200)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True, db_index=True)
    enterprise_number = models.CharField(
        _("enterprise number"), max_length=20, blank=True, db_index=True
    )
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=12)
    city = models.CharField(_("city"), max_length=120)
    country = models.CharField(_("country"), max_length=2)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="en")
    # Peppol participant: scheme (ISO 6523 ICD, e.g. 0208 = Belgian enterprise number) and id.
    peppol_scheme = models.CharField(_("Peppol scheme"), max_length=4, blank=True)
    peppol_id = models.CharField(_("Peppol identifier"), max_length=50, blank=True)
    activities = models.ManyToManyField(
        "activities.Activity", related_name="invoicing_clients", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "vat_number"],
                condition=~Q(vat_number=""),
                name="client_vat_unique_per_entity",
            ),
            models.UniqueConstraint(
                fields=["entity", "enterprise_number"],
                condition=~Q(enterprise_number=""),
                name="client_enterprise_unique_per_entity",
            ),
        ]
        indexes = [models.Index(fields=["entity", "name"])]

    # Set by services.client_create (not stored): whether an existing client was returned.
    was_duplicate: bool

    def __str__(self) -> str:
        return self.name

    @property
    def is_business(self) -> bool:
        return self.kind == self.Kind.COMPANY


class Invoice(StatusSteps, EntityOwnedModel):
    """An invoice or a credit note. Drafts have no number; issued ones never change."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        ISSUED = "issued", _("Issued")
        PARTLY_PAID = "partly_paid", _("Partly paid")
        PAID = "paid", _("Paid")
        CREDITED = "credited", _("Credited")

    # "submit": issue it, or send it for approval where the entity requires one.
    STEPS = {
        "edit": (Status.DRAFT,),
        "submit": (Status.DRAFT,),
        "approve": (Status.AWAITING_APPROVAL,),
    }

    class VatRegime(models.TextChoices):
        DOMESTIC = "domestic", _("Domestic VAT")
        EXEMPT = "exempt", _("Exempt")
        REVERSE_CHARGE = "reverse_charge", _("EU reverse charge")
        OUTSIDE_EU = "outside_eu", _("Outside the EU: not subject")

    class OperationCategory(models.TextChoices):
        """What the invoice is for (French reform, CGI ann. II art. 242 nonies A): it sets the
        printed category and the billing framework (BT-23) of the e-invoice."""

        SERVICES = "services", _("Provision of services")
        GOODS = "goods", _("Delivery of goods")
        MIXED = "mixed", _("Delivery of goods and provision of services")

    class Collection(models.TextChoices):
        NONE = "", _("—")
        PAYMENT_PLAN = "payment_plan", _("Payment plan")
        HANDED_OVER = "handed_over", _("Handed over to collection")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.PROTECT, related_name="invoicing_documents"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="invoices")
    credited_invoice = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("invoice corrected"),
    )
    series = models.CharField(_("series"), max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    reference = models.CharField(_("number"), max_length=40, blank=True, db_index=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    delivery_date = models.DateField(_("date of the service"), null=True, blank=True)
    operation_category = models.CharField(
        _("category of the operation"),
        max_length=10,
        choices=OperationCategory.choices,
        default=OperationCategory.SERVICES,
    )
    # Where the goods go or the service is performed, when it is not the client's address
    # (all four or none; printed and sent as the e-invoice's delivery address, BG-13/BG-15).
    delivery_street = models.CharField(_("delivery street and number"), max_length=200, blank=True)
    delivery_postcode = models.CharField(_("delivery postcode"), max_length=12, blank=True)
    delivery_city = models.CharField(_("delivery city"), max_length=120, blank=True)
    delivery_country = models.CharField(_("delivery country"), max_length=2, blank=True)
    payment_days = models.PositiveSmallIntegerField(_("payment term (days)"), null=True)
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    buyer_reference = models.CharField(_("client's reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    discount_rate = models.DecimalField(
        _("discount (%)"), max_digits=7, decimal_places=4, default=Decimal("0")
    )
    vat_regime = models.CharField(
        _("VAT treatment"), max_length=20, choices=VatRegime.choices, blank=True
    )
    vat_explanation = models.TextField(_("why this VAT treatment"), blank=True)
    vat_override_reason = models.TextField(_("reason for the VAT override"), blank=True)
    total_excl_vat = models.DecimalField(_("total excl. VAT"), default=ZERO, **MONEY)
    total_vat = models.DecimalField(_("VAT"), default=ZERO, **MONEY)
    total_incl_vat = models.DecimalField(_("total incl. VAT"), default=ZERO, **MONEY)
    amount_paid = models.DecimalField(_("paid"), default=ZERO, **MONEY)
    amount_credited = models.DecimalField(_("credited"), default=ZERO, **MONEY)
    # The payment reference transfers carry, in the pack's scheme: the Belgian structured
    # communication (12 digits) or an ISO 11649 creditor reference (RF…, up to 25 characters).
    structured_communication = models.CharField(
        _("payment reference"), max_length=25, blank=True, db_index=True
    )
    # A deposit invoice asks for part of the price in advance; the final invoice deducts it
    # through lines pointing to it (InvoiceLine.deposit_invoice).
    is_deposit = models.BooleanField(_("deposit invoice"), default=False)
    # Payment in instalments agreed on the invoice: [{"due_date": "YYYY-MM-DD", "amount": "…"}],
    # adding up to the total; the last date is the due date. Issuing prints it and starts the
    # PaymentPlan that the reminders follow.
    instalments = models.JSONField(_("instalments"), default=list, blank=True)
    # Not a printed fact: when an agreed schedule breaks, reminders count from the instalment
    # that was missed rather than from the (later) due date of the last one.
    reminders_from = models.DateField(null=True, blank=True)
    snapshot = models.JSONField(_("printed facts"), default=dict, blank=True)
    # Contract tool: the declared performance; issuing the invoice creates its contract.
    performance = models.JSONField(default=dict, blank=True)
    link_key = models.CharField(max_length=40, default=_new_link_key, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    disputed_at = models.DateTimeField(_("disputed on"), null=True, blank=True)
    collection = models.CharField(
        _("collection"), max_length=20, choices=Collection.choices, blank=True, default=""
    )
    pdf = models.FileField(upload_to="invoicing/pdf/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    ubl = models.FileField(upload_to="invoicing/ubl/%Y/", blank=True)
    ubl_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "series", "year", "number"], name="invoice_number_unique"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=["draft", "awaiting_approval"], number__isnull=True)
                    | (
                        ~Q(status__in=["draft", "awaiting_approval"])
                        & Q(number__isnull=False, issue_date__isnull=False, year__isnull=False)
                        & ~Q(series="")
                    )
                ),
                name="invoice_number_iff_issued",
            ),
            models.CheckConstraint(
                condition=Q(total_excl_vat__gte=0, total_incl_vat__gte=0),
                name="invoice_totals_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", credited_invoice__isnull=True)
                | Q(kind="credit_note", credited_invoice__isnull=False),
                name="credit_note_references_invoice",
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "status", "due_date"]),
            # The key figures' turnover: documents issued in a year.
            models.Index(fields=["issue_date"], name="invoice_issue_date"),
            models.Index(
                fields=["due_date"],
                name="invoice_open_due_idx",
                condition=Q(kind="invoice", status__in=["issued", "partly_paid"]),
            ),
        ]

    # Set by the issuing service between the VAT check and the snapshot (not stored).
    _decision: Any
    _totals: Any

    def __str__(self) -> str:
        return self.reference or str(_("Draft"))

    @property
    def is_issued(self) -> bool:
        return self.number is not None

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def amount_due(self) -> Decimal:
        if self.is_credit_note:
            return ZERO
        return max(self.total_incl_vat - self.amount_paid - self.amount_credited, ZERO)

    @property
    def overdue_since(self) -> date | None:
        """The date reminders count from: the due date, or the missed instalment of a broken
        schedule when that came first."""
        if self.reminders_from and self.due_date:
            return min(self.reminders_from, self.due_date)
        return self.reminders_from or self.due_date

    @property
    def structured_communication_display(self) -> str:
        from smartcoop.core.payments import payment_reference_format

        if not self.structured_communication:
            return ""
        return payment_reference_format(self.structured_communication)

    @property
    def payment_reference_label(self) -> str:
        from smartcoop.core.payments import payment_reference_label

        return payment_reference_label(self.structured_communication)


class InvoiceLine(BaseModel):
    class VatRate(models.TextChoices):
        STANDARD = "standard", _("Standard rate")
        REDUCED_INTERMEDIATE = "reduced_intermediate", _("Intermediate reduced rate")
        REDUCED = "reduced", _("Reduced rate")
        ZERO = "zero", _("Zero rate")
        EXEMPT = "exempt", _("Exempt (art. 44)")

    class Unit(models.TextChoices):
        # UN/ECE Recommendation 20 codes, as Peppol requires.
        UNIT = "C62", _("unit")
        HOUR = "HUR", _("hour")
        DAY = "DAY", _("day")
        PIECE = "H87", _("piece")
        LUMP_SUM = "LS", _("lump sum")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=3, choices=Unit.choices, default=Unit.UNIT)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    vat_rate_code = models.CharField(
        _("VAT rate"), max_length=24, choices=VatRate.choices, default=VatRate.STANDARD
    )
    # Set when the totals are computed (draft save and issue) from the VAT decision.
    vat_category = models.CharField(max_length=2, blank=True)
    vat_rate = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0"))
    line_total = models.DecimalField(default=ZERO, **MONEY)
    # On a final invoice: the deposit invoice this (negative) line deducts.
    deposit_invoice = models.ForeignKey(
        Invoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deducted_by",
        verbose_name=_("deposit invoice deducted"),
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position"),
        ]


class Payment(EntityOwnedModel):
    """Money received for an invoice (from a bank line, by hand, or online)."""

    class Source(models.TextChoices):
        BANK = "bank", _("Bank statement")
        MANUAL = "manual", _("Recorded by staff")
        ONLINE = "online", _("Online payment")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount"), **MONEY)
    received_on = models.DateField(_("received on"))
    source = models.CharField(max_length=10, choices=Source.choices)
    bank_transaction = models.ForeignKey(
        "BankTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
        ]


class BankStatement(EntityOwnedModel):
    class Format(models.TextChoices):
        CAMT053 = "camt053", "camt.053"
        CODA = "coda", "CODA"

    format = models.CharField(max_length=10, choices=Format.choices)
    statement_id = models.CharField(max_length=100)
    account_iban = models.CharField(max_length=34, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "sha256"], name="statement_file_once"),
        ]


class BankTransaction(EntityOwnedModel):
    class Status(models.TextChoices):
        UNMATCHED = "unmatched", _("To match")
        MATCHED = "matched", _("Matched")
        IGNORED = "ignored", _("Ignored")

    statement = models.ForeignKey(
        BankStatement, on_delete=models.PROTECT, related_name="transactions"
    )
    # The bank's own reference of the entry: the idempotency key across statements.
    bank_reference = models.CharField(max_length=100)
    booking_date = models.DateField()
    amount = models.DecimalField(**MONEY)  # credits positive, debits negative
    counterparty_name = models.CharField(max_length=200, blank=True)
    # The payer's account is personal data like a member's IBAN: encrypted at rest (Fernet, see
    # core.fields); shown to staff who match lines, never searched in SQL.
    counterparty_iban = EncryptedTextField(blank=True, default="")
    structured_reference = models.CharField(max_length=35, blank=True)
    free_text = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.UNMATCHED, db_index=True
    )
    # What of the amount was not applied to an invoice (over- or duplicate payment).
    unapplied_amount = models.DecimalField(default=ZERO, **MONEY)

    class Meta:
        ordering = ["-booking_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "bank_reference"], name="bank_transaction_once"
            ),
        ]


class Reminder(EntityOwnedModel):
    """One step of the reminder schedule sent for an invoice: at most once (unique step). Steps
    are fixed per level: 1 first reminder, 2 second reminder, 3 formal notice (rows written
    before policies existed may have a formal notice at step 2: the kind tells)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    step = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20)  # reminder | formal_notice
    sent_on = models.DateField()
    amount_due = models.DecimalField(**MONEY)
    interest = models.DecimalField(default=ZERO, **MONEY)
    fixed_costs = models.DecimalField(default=ZERO, **MONEY)
    interest_rate = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0"))
    # The entity's own paragraph for this level (ReminderPolicy), copied when the step is due.
    extra_text = models.TextField(blank=True)
    # The letter as sent (PDF), kept with its SHA-256: proof of what the client was told. A client
    # without an e-mail address gets it by post: staff download it from the invoice page.
    letter = models.FileField(upload_to="invoicing/reminders/%Y/", blank=True)
    letter_sha256 = models.CharField(max_length=64, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["invoice", "step"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "step"], name="reminder_step_once"),
        ]

    @property
    def level(self) -> str:
        return reminder_level(kind=self.kind, step=self.step)

    @property
    def by_post(self) -> bool:
        return not self.invoice.snapshot["client"].get("email")


def reminder_level(*, kind: str, step: int) -> str:
    """first_reminder, second_reminder or formal_notice (old rows: a notice may be step 2)."""
    if kind == "formal_notice":
        return "formal_notice"
    return "first_reminder" if step == 1 else "second_reminder"


class ClientMessage(EntityOwnedModel):
    """A question or dispute sent by a client from the payment page."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="messages")
    is_dispute = models.BooleanField(default=False)
    name = models.CharField(_("your name"), max_length=200)
    email = models.EmailField(_("your e-mail"))
    message = models.TextField(_("message"))
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The one-time token of the form it came from: the same form posted twice (a double click,
    # a replayed request) is stored once.
    submission = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "submission"], name="client_message_submitted_once"
            ),
        ]


class Transmission(EntityOwnedModel):
    """Sending an issued document through an external channel (Peppol access point, e-mail)."""

    class Channel(models.TextChoices):
        PEPPOL = "peppol", "Peppol"
        EMAIL = "email", _("E-mail")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        IN_FLIGHT = "in_flight", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="transmissions")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    idempotency_key = models.CharField(max_length=80, unique=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    external_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]


class Quote(StatusSteps, EntityOwnedModel):
    """A quote sent to a client through a link; accepted online (name and time recorded) or
    refused; an accepted quote becomes a draft invoice. Quotes are not legal documents: no
    number series, lines kept as submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        INVOICED = "invoiced", _("Invoiced")

    # "decide": the client accepts or refuses; "invoice": the draft invoice of an accepted quote.
    STEPS = {
        "send": (Status.DRAFT, Status.SENT),
        "decide": (Status.SENT,),
        "invoice": (Status.ACCEPTED,),
    }

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.PROTECT, related_name="invoicing_quotes"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="quotes")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    title = models.CharField(_("title"), max_length=200)
    lines = models.JSONField(default=list)
    total_excl_vat = models.DecimalField(_("total excl. VAT"), default=ZERO, **MONEY)
    total_incl_vat = models.DecimalField(_("total incl. VAT"), default=ZERO, **MONEY)
    valid_until = models.DateField(_("valid until"))
    link_key = models.CharField(max_length=40, default=_new_link_key, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_name = models.CharField(_("accepted by"), max_length=200, blank=True)
    invoice = models.OneToOneField(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="quote"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "refused"]) | Q(decided_at__isnull=False),
                name="quote_decision_dated",
            ),
        ]


class PaymentPlan(EntityOwnedModel):
    """Instalments agreed with a client for one invoice. While it is kept, reminders stop; a
    missed instalment (7 days of grace) breaks it and the reminders resume."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        BROKEN = "broken", _("Broken")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payment_plans")
    instalments = models.JSONField(default=list)  # [{"due_date": "YYYY-MM-DD", "amount": "10.00"}]
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(status="active"), name="one_active_plan"
            ),
        ]


class ReminderPolicy(EntityOwnedModel):
    """An entity's own reminder schedule for business clients or for consumers: for each level
    (first reminder, second reminder, formal notice) whether it is used, its delay in days after
    the due date and a paragraph added to the e-mail and the letter. It must stay within the
    bounds of the law (`invoice_reminder_bounds_b2b|b2c` in the country pack, checked by
    `services.reminder_policy_save`); without a policy the pack's schedule applies."""

    class Audience(models.TextChoices):
        BUSINESS = "business", _("Business clients")
        CONSUMER = "consumer", _("Consumers")

    audience = models.CharField(_("clients"), max_length=10, choices=Audience.choices)
    first_reminder_enabled = models.BooleanField(_("send a first reminder"), default=True)
    first_reminder_days = models.PositiveSmallIntegerField(
        _("first reminder: days after the due date"), default=7
    )
    first_reminder_text = models.TextField(_("first reminder: extra paragraph"), blank=True)
    second_reminder_enabled = models.BooleanField(_("send a second reminder"), default=True)
    second_reminder_days = models.PositiveSmallIntegerField(
        _("second reminder: days after the due date"), default=21
    )
    second_reminder_text = models.TextField(_("second reminder: extra paragraph"), blank=True)
    formal_notice_enabled = models.BooleanField(_("send a formal notice"), default=True)
    formal_notice_days = models.PositiveSmallIntegerField(
        _("formal notice: days after the due date"), default=35
    )
    formal_notice_text = models.TextField(_("formal notice: extra paragraph"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    LEVELS = ("first_reminder", "second_reminder", "formal_notice")

    class Meta:
        ordering = ["entity", "audience"]
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policies")
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "audience"], name="reminder_policy_once_per_audience"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} — {self.get_audience_display()}"
