"""Activities: a member's economic activity inside the shared enterprise. This is the boundary
invoicing and payroll rely on (an Activity of an entity, with members and their rights), plus the
Activity's budget ledger, employment contracts, expense claims, loans and the solidarity fund.

Money: signed amounts in the ledger (credit > 0, debit < 0), DecimalField(14, 2) everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from smartcoop.core.models import BaseModel, EntityOwnedModel
from smartcoop.core.money import MoneyDigits, format_money, format_percent
from smartcoop.core.sectors import Sector
from smartcoop.core.steps import StatusSteps

MONEY: MoneyDigits = {"max_digits": 14, "decimal_places": 2}


class Activity(StatusSteps, EntityOwnedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    # "work": what its members do with the budget (salaries, expense claims, loans, the team).
    STEPS = {
        "work": (Status.ACTIVE,),
        "validate": (Status.DRAFT,),
        "suspend": (Status.ACTIVE,),
        "reactivate": (Status.SUSPENDED,),
        "close": (Status.DRAFT, Status.ACTIVE, Status.SUSPENDED),
    }

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sector = models.CharField(_("sector"), max_length=40, choices=Sector.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    coordinator = models.ForeignKey(
        "members.Member",
        verbose_name=_("coordinator"),
        on_delete=models.PROTECT,
        related_name="coordinated_activities",
    )
    reserve_amount = models.DecimalField(
        _("reserve"),
        default=Decimal("0.00"),
        help_text=_("Kept aside: not available for salaries or expenses."),
        **MONEY,
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(
        _("reason of the last status change"), max_length=300, blank=True
    )

    class Meta:
        verbose_name = _("Activity")
        verbose_name_plural = _("Activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(reserve_amount__gte=0), name="activity_reserve_gte_0"
            )
        ]
        # The back-office list is an entity's Activities by name, 30 a page: walked in order
        # and stopped, instead of sorting every Activity of the office (12 -> 0.5 ms at scale).
        indexes = [models.Index(fields=["entity", "name"], name="activity_entity_name")]

    def __str__(self) -> str:
        return self.name


class ActivityMembership(BaseModel):
    """A member of an Activity and what they may do in it."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="activity_memberships"
    )
    can_invoice = models.BooleanField(_("may invoice"), default=True)
    can_request_salary = models.BooleanField(_("may request salaries"), default=True)
    can_spend = models.BooleanField(_("may spend"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="activity_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member} in {self.activity}"


# --- The budget ledger --------------------------------------------------------------------------


class ActivityBalance(models.Model):
    """The sum of an Activity's ledger entries, kept by the database: a trigger adds each
    statement's new entries to it in the same transaction (migration 0008). Python never writes
    it; the ledger is the one source of truth (append-only, so an insert is the only change) and
    `reconciliation()` checks the two agree. An Activity without entries has no row (balance 0).

    It spares the pages that show many Activities' balances (the validation queues sum them
    over an office) from summing every Activity's entries on each request."""

    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, primary_key=True, related_name="ledger_balance"
    )
    balance = models.DecimalField(**MONEY)

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.balance}"


class LedgerEntry(EntityOwnedModel):
    """One immutable movement of an Activity's budget. Never updated nor deleted (a database
    trigger refuses it); a correction is a new entry that `reverses` the wrong one."""

    class Kind(models.TextChoices):
        CLIENT_PAYMENT = "client_payment", _("Client payment (excl. VAT)")
        MANAGEMENT_FEE = "management_fee", _("Management fee")
        SALARY_COST = "salary_cost", _("Salary cost")
        EXPENSE_REIMBURSEMENT = "expense_reimbursement", _("Expense reimbursement")
        PURCHASE = "purchase", _("Purchase")
        LOAN_DISBURSEMENT = "loan_disbursement", _("Loan disbursement")
        LOAN_REPAYMENT = "loan_repayment", _("Loan repayment")
        TRANSFER = "transfer", _("Transfer between Activities")
        SOLIDARITY_CONTRIBUTION = "solidarity_contribution", _("Solidarity contribution")
        ADJUSTMENT = "adjustment", _("Adjustment by staff")

    # The sign an original (non-reversing) entry of each kind must have.
    CREDIT_KINDS = (Kind.CLIENT_PAYMENT, Kind.LOAN_DISBURSEMENT)
    DEBIT_KINDS = (
        Kind.MANAGEMENT_FEE,
        Kind.SALARY_COST,
        Kind.EXPENSE_REIMBURSEMENT,
        Kind.PURCHASE,
        Kind.LOAN_REPAYMENT,
        Kind.SOLIDARITY_CONTRIBUTION,
    )

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    booked_on = models.DateField(_("date"), db_index=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # The document that caused the entry, in whichever app: e.g. ("invoicing.payment", "42").
    source_type = models.CharField(max_length=60)
    source_id = models.CharField(max_length=64)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    counterpart = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-booked_on", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            models.Index(fields=["activity", "booked_on"], name="ledger_activity_date"),
            models.Index(fields=["source_type", "source_id"], name="ledger_source"),
            # The key figures read one kind over a year (salary costs, solidarity contributions).
            models.Index(fields=["kind", "booked_on"], name="ledger_kind_date"),
            # An Activity's balance (summed for every Activity of an office on the validation
            # queues) read from the index alone, without visiting the table.
            models.Index(
                fields=["activity"], include=["entity", "amount"], name="ledger_activity_amount"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(reverses__isnull=False)
                | Q(kind__in=["transfer", "adjustment"])
                | Q(kind__in=["client_payment", "loan_disbursement"], amount__gt=0)
                | Q(
                    kind__in=[
                        "management_fee",
                        "salary_cost",
                        "expense_reimbursement",
                        "purchase",
                        "loan_repayment",
                        "solidarity_contribution",
                    ],
                    amount__lt=0,
                ),
                name="ledger_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | ~Q(description=""),
                name="ledger_adjustment_has_reason",
            ),
            # Idempotency: one original entry per kind and source document in an Activity.
            models.UniqueConstraint(
                fields=["activity", "kind", "source_type", "source_id"],
                condition=Q(reverses__isnull=True),
                name="ledger_one_entry_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booked_on} {self.get_kind_display()} {self.amount}"

    @property
    def note(self) -> str:
        """The description as the reader writes money, dates and numbers. The services store
        facts in a fixed form read in every language ("6.5 % x 1150.00", "2026-03-02/2026-03-02:
        603.22 x 1.55", "1200.00 / 12", "2026-04"); a page shows them written the page's way
        ("6,5 % times € 1.150,00"). Any other text (a reason, a title) is shown as typed."""
        return ledger_note(self.kind, self.description)


_NUMBER = r"\d+(?:\.\d+)?"
_FEE_NOTE = re.compile(rf"^({_NUMBER}) % x (-?\d+\.\d\d)$")
_SALARY_NOTE = re.compile(rf"^(\d{{4}}-\d\d-\d\d)/(\d{{4}}-\d\d-\d\d): (\d+\.\d\d) x ({_NUMBER})$")
_LOAN_NOTE = re.compile(r"^(\d+\.\d\d) / (\d+)$")
_MONTH_NOTE = re.compile(r"^(\d{4})-(\d\d)$")


def ledger_note(kind: str, description: str) -> str:
    """See LedgerEntry.note."""
    K = LedgerEntry.Kind
    try:
        if kind == K.MANAGEMENT_FEE and (found := _FEE_NOTE.match(description)):
            rate, base = found.groups()
            return f"{format_percent(Decimal(rate) / 100)} \u00d7 {format_money(Decimal(base))}"
        if kind == K.SALARY_COST and (found := _SALARY_NOTE.match(description)):
            start, end, gross, coefficient = found.groups()
            first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
            days = date_format(first, "SHORT_DATE_FORMAT")
            if last != first:
                days += f"\u2013{date_format(last, 'SHORT_DATE_FORMAT')}"
            factor = number_format(Decimal(coefficient), use_l10n=True)
            return f"{days}: {format_money(Decimal(gross))} \u00d7 {factor}"
        if kind == K.LOAN_DISBURSEMENT and (found := _LOAN_NOTE.match(description)):
            months = int(found.group(2))
            return ngettext(
                "Repaid in %(months)d monthly instalment",
                "Repaid in %(months)d monthly instalments",
                months,
            ) % {"months": months}
        if kind == K.LOAN_REPAYMENT and (found := _MONTH_NOTE.match(description)):
            year, month = found.groups()
            return date_format(dt.date(int(year), int(month), 1), "YEAR_MONTH_FORMAT")
    except ValueError:  # a date or amount that does not exist: show the text as stored
        pass
    return description


# --- Employment contracts -----------------------------------------------------------------------


class EmploymentContract(StatusSteps, EntityOwnedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        VALIDATED = "validated", _("Validated")
        DECLARED = "declared", _("Declared")
        PERFORMED = "performed", _("Performed")
        PAID = "paid", _("Paid")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    class Tool(models.TextChoices):
        CONTRACT = "contract", _("Contract tool (one performance, one invoice)")
        ACTIVITY = "activity", _("Activity tool (salary from the budget)")

    class PostingStatus(models.TextChoices):
        NOT_NEEDED = "not_needed", _("Not needed")
        MISSING = "missing", _("To provide")
        REQUESTED = "requested", _("Requested")
        IN_PLACE = "in_place", _("In place")
        REFUSED = "refused", _("Refused")

    # Contracts whose salary cost is planned but not yet in the ledger.
    PLANNED_STATUSES = (Status.DRAFT, Status.VALIDATED, Status.DECLARED, Status.PERFORMED)
    # Contracts that may still be cancelled, as long as work has not started (`cancel_refusal`).
    CANCELLABLE_STATUSES = (Status.DRAFT, Status.VALIDATED, Status.DECLARED)
    STEPS = {
        "validate": (Status.DRAFT,),
        "declare": (Status.VALIDATED,),
        "change_dates": (Status.VALIDATED, Status.DECLARED),
        "mark_performed": (Status.DECLARED,),
        "mark_paid": (Status.DECLARED, Status.PERFORMED),
        "close": (Status.PAID,),
    }

    def goes_on_undeclared(self) -> bool:
        """A validated contract whose hiring declaration is not accepted may still be marked
        performed: its pack does not block the start (`contract_events.goes_on_undeclared`),
        and no posting block stands (A1 / host-country declaration missing)."""
        from .contract_events import goes_on_undeclared

        if self.status != self.Status.VALIDATED:
            return False
        if self.posting_required and self.posting_blocks_start and not self.posting_in_place:
            return False
        return goes_on_undeclared(self)

    def can(self, step: str) -> bool:
        if step == "mark_performed" and self.goes_on_undeclared():
            return True
        return super().can(step)

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="employment_contracts"
    )
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="contracts")
    contract_type = models.CharField(_("contract type"), max_length=30)
    tool = models.CharField(_("tool"), max_length=20, choices=Tool.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2)
    days = models.PositiveSmallIntegerField(_("working days"))
    workplace_country = models.CharField(_("country of work"), max_length=2)
    workplace_address = models.CharField(_("place of work"), max_length=300, blank=True)
    joint_committee = models.CharField(_("joint committee"), max_length=20, blank=True)
    # France: executive status (cadre), set by staff; payroll then applies the cadres'
    # contributions (APEC). Only where the pack has the status (`CountryPack.executive_status`).
    cadre = models.BooleanField(_("executive (cadre)"), default=False)
    function = models.CharField(_("function"), max_length=200)
    sector = models.CharField(_("sector"), max_length=40, choices=Sector.choices)
    description = models.TextField(_("description"), blank=True)
    gross_wage = models.DecimalField(_("gross wage"), **MONEY)
    # Copied when the contract is made, so a later parameter change never rewrites it.
    coefficient = models.DecimalField(
        _("employer-cost coefficient"), max_digits=6, decimal_places=4
    )
    employer_cost = models.DecimalField(_("salary cost (work budget)"), **MONEY)
    wage_due_on = models.DateField(_("wage paid by"), null=True, blank=True)
    # Contract tool: the performance/invoice of the invoicing app behind this contract.
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # Posting abroad (A1 + host-country declaration).
    posting_required = models.BooleanField(_("posting abroad"), default=False)
    posting_blocks_start = models.BooleanField(
        _("start blocked until posting documents are in place"), default=True
    )
    a1_status = models.CharField(
        _("A1 certificate"), max_length=20, choices=PostingStatus.choices, default="not_needed"
    )
    a1_reference = models.CharField(_("A1 reference"), max_length=100, blank=True)
    host_declaration_status = models.CharField(
        _("host-country declaration"),
        max_length=20,
        choices=PostingStatus.choices,
        default="not_needed",
    )
    host_declaration_reference = models.CharField(
        _("host-country declaration reference"), max_length=100, blank=True
    )
    host_representative = models.CharField(
        _("representative in the host country"), max_length=200, blank=True
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason of cancellation"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("employment contract")
        verbose_name_plural = _("employment contracts")
        indexes = [
            models.Index(fields=["member", "start_date"], name="contract_member_start"),
            models.Index(fields=["activity", "status"], name="contract_activity_status"),
            # The key figures' work budget: contracts paid in a year.
            models.Index(fields=["paid_on"], name="contract_paid_on"),
            # The planned salaries of an Activity (contracts not paid yet: PLANNED_STATUSES).
            models.Index(
                fields=["activity"],
                include=["entity", "employer_cost"],
                condition=Q(status__in=["draft", "validated", "declared", "performed"]),
                name="contract_planned_cost",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="contract_dates_ordered"
            ),
            models.CheckConstraint(condition=Q(gross_wage__gte=0), name="contract_gross_gte_0"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="contract_hours_gt_0"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="contract_cancel_has_reason",
            ),
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=~Q(source_id=""),
                name="contract_one_per_source",
            ),
            # Plus `contract_no_overlap_per_member`, an EXCLUDE USING gist constraint added by
            # migration 0004 in SQL (ExclusionConstraint needs django.contrib.postgres in
            # INSTALLED_APPS): no two live contracts of one person on overlapping days.
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.start_date}-{self.end_date} ({self.contract_type})"

    def cancel_refusal(self, today: dt.date) -> tuple[str, str] | None:
        """The one contract-cancel rule, used by the service, the API and the pages: a draft,
        validated or declared contract can be cancelled until the day before it starts. Returns
        why it cannot on `today` (an error code and a sentence for the user), or None."""
        if self.status not in self.CANCELLABLE_STATUSES:
            return "conflict", gettext("This contract is %(status)s: it cannot become %(to)s.") % {
                "status": self.get_status_display(),
                "to": self.Status.CANCELLED.label,
            }
        if self.start_date <= today:
            return "contract_started", gettext(
                "The contract started on %(start)s: it can no longer be cancelled. Staff can "
                "record the cancelled work instead."
            ) % {"start": date_format(self.start_date, "SHORT_DATE_FORMAT")}
        return None

    def can_be_cancelled(self, today: dt.date) -> bool:
        return self.cancel_refusal(today) is None

    @property
    def posting_in_place(self) -> bool:
        return not self.posting_required or (
            self.a1_status == self.PostingStatus.IN_PLACE
            and self.host_declaration_status == self.PostingStatus.IN_PLACE
        )


class PostingDocument(BaseModel):
    class Kind(models.TextChoices):
        A1 = "a1", _("A1 certificate")
        HOST_DECLARATION = "host_declaration", _("Host-country declaration (e.g. SIPSI)")
        OTHER = "other", _("Other")

    contract = models.ForeignKey(
        EmploymentContract, on_delete=models.PROTECT, related_name="posting_documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="activities/posting/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )


class WorkInterruption(BaseModel):
    """Temporary unemployment (a period paid without wage) or cancelled work on a contract."""

    class Kind(models.TextChoices):
        TEMPORARY_UNEMPLOYMENT = "temporary_unemployment", _("Temporary unemployment")
        CANCELLED_WORK = "cancelled_work", _("Cancelled work")

    contract = models.ForeignKey(
        EmploymentContract, on_delete=models.PROTECT, related_name="interruptions"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2, default=0)
    reason = models.CharField(_("reason"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="interruption_dates_ordered"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="interruption_has_reason"),
        ]


# --- Expense claims -----------------------------------------------------------------------------


class ExpenseClaim(StatusSteps, EntityOwnedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved and reimbursed")
        REJECTED = "rejected", _("Rejected")

    # "edit": add or remove lines; "decide": approve or reject.
    STEPS = {"edit": (Status.DRAFT,), "submit": (Status.DRAFT,), "decide": (Status.SUBMITTED,)}

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="expense_claims")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    total = models.DecimalField(_("total incl. VAT"), default=Decimal("0.00"), **MONEY)
    total_vat = models.DecimalField(_("VAT"), default=Decimal("0.00"), **MONEY)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("expense claim")
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="expense_total_gte_0"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""),
                name="expense_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ExpenseLine(BaseModel):
    class Category(models.TextChoices):
        TRAVEL = "travel", _("Travel (tickets)")
        KILOMETRES = "km", _("Kilometre allowance")
        EQUIPMENT = "equipment", _("Equipment and tools")
        SUPPLIES = "supplies", _("Supplies and materials")
        MEALS = "meals", _("Meals and accommodation")
        TRAINING = "training", _("Training and documentation")
        OTHER = "other", _("Other")

    claim = models.ForeignKey(ExpenseClaim, on_delete=models.CASCADE, related_name="lines")
    spent_on = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("description"), max_length=200)
    amount_incl_vat = models.DecimalField(_("amount incl. VAT"), **MONEY)
    vat_amount = models.DecimalField(_("of which VAT"), default=Decimal("0.00"), **MONEY)
    km = models.DecimalField(_("kilometres"), max_digits=8, decimal_places=1, null=True, blank=True)
    km_rate = models.DecimalField(
        _("rate per km"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    receipt = models.FileField(_("receipt"), upload_to="activities/receipts/%Y/%m/", blank=True)

    class Meta:
        ordering = ["spent_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_incl_vat__gt=0), name="expense_line_gt_0"),
            models.CheckConstraint(
                condition=Q(vat_amount__gte=0, vat_amount__lte=F("amount_incl_vat")),
                name="expense_line_vat_within_amount",
            ),
            models.CheckConstraint(
                condition=~Q(category="km") | Q(km__gt=0, km_rate__gt=0),
                name="expense_line_km_has_distance_and_rate",
            ),
        ]


# --- Interest-free loans ------------------------------------------------------------------------


class Loan(StatusSteps, EntityOwnedModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        DISBURSED = "disbursed", _("Being repaid")
        REPAID = "repaid", _("Repaid")

    STEPS = {
        "decide": (Status.REQUESTED,),
        "disburse": (Status.APPROVED,),
        "repay": (Status.DISBURSED,),
    }

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="loans")
    requested_by = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    purpose = models.TextField(_("purpose"))
    amount = models.DecimalField(_("amount"), **MONEY)
    months = models.PositiveSmallIntegerField(_("repayment months"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default="requested", db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)
    disbursed_on = models.DateField(null=True, blank=True)
    repaid = models.DecimalField(_("repaid so far"), default=Decimal("0.00"), **MONEY)
    # First day of the next month whose instalment is due (the task's cursor).
    next_due_on = models.DateField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("loan")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="loan_amount_gt_0"),
            models.CheckConstraint(condition=Q(months__gte=1), name="loan_months_gte_1"),
            models.CheckConstraint(
                condition=Q(repaid__gte=0, repaid__lte=F("amount")), name="loan_repaid_in_range"
            ),
        ]

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.repaid


class LoanRepayment(BaseModel):
    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly instalment")
        EARLY = "early", _("Early repayment")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_month = models.DateField(null=True, blank=True)
    amount = models.DecimalField(**MONEY)
    ledger_entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan", "due_month"],
                condition=Q(kind="monthly"),
                name="loan_one_instalment_per_month",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="loan_repayment_gt_0"),
        ]


# --- Solidarity fund ----------------------------------------------------------------------------


class SolidarityRequest(StatusSteps, BaseModel):
    """A confidential request for help. Only the member and the committee see it; statistics
    never name anyone. Not entity-owned: the fund belongs to the cooperative."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        PAID = "paid", _("Paid")

    STEPS = {"decide": (Status.SUBMITTED,), "pay": (Status.ACCEPTED,)}

    class Reason(models.TextChoices):
        INCOME_LOSS = "income_loss", _("Loss of income")
        HEALTH = "health", _("Health")
        HOUSING = "housing", _("Housing")
        FAMILY = "family", _("Family circumstances")
        OTHER = "other", _("Other")

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="solidarity_requests"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    explanation = models.TextField(_("your situation"))
    amount_requested = models.DecimalField(_("amount requested"), **MONEY)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default="submitted", db_index=True
    )
    amount_granted = models.DecimalField(_("amount granted"), null=True, blank=True, **MONEY)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    committee_note = models.TextField(_("committee note"), blank=True)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested__gt=0), name="solidarity_requested_gt_0"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "paid"]) | Q(amount_granted__gt=0),
                name="solidarity_granted_when_accepted",
            ),
        ]
