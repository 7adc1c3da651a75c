"""Payroll data. Today: the member's tax profile, dated so that a change applies from a date and
the values a payment used stay readable (payslips, to come, will copy them when issued)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartcoop.core.models import BaseModel, EntityOwnedModel
from smartcoop.core.money import MoneyDigits


class TaxProfile(BaseModel):
    """What withholding needs to know about a member's household, from `valid_from` until the
    next entry. Members are shared by the entities, so the profile is too. Never edited in
    place once in force: a change is a new row (the service updates only a row not yet in
    force)."""

    class MaritalStatus(models.TextChoices):
        SINGLE = "single", _("Single, divorced, separated or widowed")
        COUPLE = "couple", _("Married or legally cohabiting")

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="tax_profiles"
    )
    valid_from = models.DateField(_("applies from"))
    marital_status = models.CharField(
        _("marital status"), max_length=10, choices=MaritalStatus.choices
    )
    partner_has_income = models.BooleanField(
        _("my partner has a professional income"),
        default=False,
        help_text=_("Wages, benefits or a pension of their own; leave unticked if single."),
    )
    dependent_children = models.PositiveSmallIntegerField(_("dependent children"), default=0)
    disabled_children = models.PositiveSmallIntegerField(_("of whom with a disability"), default=0)
    other_dependants = models.PositiveSmallIntegerField(_("other dependants"), default=0)
    disabled = models.BooleanField(_("I have a recognised disability"), default=False)
    fr_pas_rate = models.DecimalField(
        _("personalised withholding rate (France)"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "The rate the tax administration gave you, e.g. 7.5 %; leave empty for the neutral rate."
        ),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("member", "-valid_from")
        constraints = [
            models.UniqueConstraint(
                fields=("member", "valid_from"), name="payroll_taxprofile_one_per_date"
            ),
            models.CheckConstraint(
                condition=Q(disabled_children__lte=models.F("dependent_children")),
                name="payroll_taxprofile_disabled_children_counted",
            ),
            models.CheckConstraint(
                condition=Q(fr_pas_rate__isnull=True)
                | Q(fr_pas_rate__gte=Decimal("0"), fr_pas_rate__lte=Decimal("1")),
                name="payroll_taxprofile_pas_rate_ratio",
            ),
            models.CheckConstraint(
                condition=Q(marital_status="couple") | Q(partner_has_income=False),
                name="payroll_taxprofile_partner_only_in_couple",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} from {self.valid_from}"


MONEY: MoneyDigits = {"max_digits": 14, "decimal_places": 2}


class Payslip(EntityOwnedModel):
    """One payment of one worker by one entity on one pay date, listing the contracts it pays.

    It copies what it was computed from: every line (code, base, rate, amount, side, legal
    source), every parameter value read, and the tax profile used. A draft can be recomputed;
    an approved payslip is immutable (a database trigger refuses UPDATE and DELETE), and the
    contracts it pays can never be paid by another payslip (one row per contract)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="payslips")
    pay_date = models.DateField(_("pay date"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    category = models.CharField(_("worker category"), max_length=20)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    gross = models.DecimalField(_("gross"), **MONEY)
    employee_deductions = models.DecimalField(_("deductions"), **MONEY)
    net_taxable = models.DecimalField(_("taxable"), **MONEY)
    net_social = models.DecimalField(_("net before income tax"), **MONEY)
    net_pay = models.DecimalField(_("net paid"), **MONEY)
    employer_contributions = models.DecimalField(_("employer contributions"), **MONEY)
    employer_cost = models.DecimalField(_("employer cost"), **MONEY)
    student_hours_in_quota = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    lines = models.JSONField(default=list)
    parameters = models.JSONField(default=list)
    tax_profile = models.JSONField(default=dict)
    notes = models.JSONField(default=list)
    # Given on approval, gap-free per entity and year of the pay date (series PAYSLIP_SERIES).
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    reference = models.CharField(_("number"), max_length=40, blank=True, db_index=True)
    # A correction reverses an approved payslip: its amounts are the first's, negated.
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-pay_date", "member")
        constraints = [
            models.UniqueConstraint(
                fields=("entity", "member", "pay_date"),
                condition=Q(corrects__isnull=True),
                name="payroll_payslip_one_per_worker_entity_date",
            ),
            models.UniqueConstraint(
                fields=("entity", "year", "number"), name="payroll_payslip_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True)
                | Q(status="approved", number__isnull=False, year__isnull=False),
                name="payroll_payslip_number_iff_approved",
            ),
            models.CheckConstraint(
                condition=Q(net_pay=models.F("gross") - models.F("employee_deductions")),
                name="payroll_payslip_net_is_gross_minus_deductions",
            ),
            models.CheckConstraint(
                condition=Q(employer_cost=models.F("gross") + models.F("employer_contributions")),
                name="payroll_payslip_cost_is_gross_plus_contributions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.pay_date}"


PAYSLIP_SERIES = "PAYSLIP"


class PayslipDocument(EntityOwnedModel):
    """The PDF of an approved payslip, rendered once (the payslip itself is immutable, so the
    document lives beside it), in the worker's language, with its SHA-256."""

    payslip = models.OneToOneField(Payslip, on_delete=models.PROTECT, related_name="document")
    language = models.CharField(max_length=5)
    pdf = models.FileField(upload_to="payroll/payslips/%Y/")
    sha256 = models.CharField(max_length=64)
    renderer = models.CharField(max_length=40)

    def __str__(self) -> str:
        return f"{self.payslip} PDF"


class PayslipContract(models.Model):
    """A contract on a payslip. A contract is paid once per payslip that is not reversed:

    - its first payment is a row with neither `reverses` nor `replaces` (one per contract);
    - a correction's row `reverses` one payment row (each is reversed at most once);
    - a replacement payment `replaces` one reversal row (each allows one new payment).

    A trigger (migration 0007) checks that `reverses` names a payment and `replaces` a
    reversal, both of the same contract, so at most one payment of a contract is in force."""

    payslip = models.ForeignKey(Payslip, on_delete=models.CASCADE, related_name="paid_contracts")
    contract = models.ForeignKey(
        "activities.EmploymentContract", on_delete=models.PROTECT, related_name="+"
    )
    gross = models.DecimalField(**MONEY)
    hours = models.DecimalField(max_digits=7, decimal_places=2)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("contract",),
                condition=Q(reverses__isnull=True, replaces__isnull=True),
                name="payroll_payslipcontract_first_payment_once",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | Q(replaces__isnull=True),
                name="payroll_payslipcontract_reverses_or_replaces",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payslip} — contract {self.contract_id}"


# --- Pay runs (payroll/runs/) --------------------------------------------------------------------


class PayRun(EntityOwnedModel):
    """The payment of the contracts due on one pay date of one entity, executed by the Celery
    workers in steps (`payroll/runs/`). Each step re-reads what is done and does the rest, so
    running it again changes nothing and a killed worker's step is finished by the next one."""

    class State(models.TextChoices):
        COLLECTING = "collecting", _("Collecting")
        COMPUTING = "computing", _("Computing")
        REVIEW = "review", _("To review")
        APPROVED = "approved", _("Approved")
        RENDERING = "rendering", _("Rendering payslips")
        PAYING = "paying", _("Payment file")
        POSTED = "posted", _("Posted to the ledger")
        CLOSED = "closed", _("Closed")
        FAILED = "failed", _("Failed")

    pay_date = models.DateField(_("pay date"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.COLLECTING
    )
    message = models.TextField(_("message"), blank=True, default="")
    # A failed run: the state of the step that failed ("computing", "approved" = render,
    # "rendering" = payment file, "paying" = ledger), where "Try again" takes it back.
    failed_step = models.CharField(max_length=12, blank=True, default="")
    items_total = models.PositiveIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)
    totals = models.JSONField(default=dict)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The SEPA credit transfer file (pain.001.001.09) of the approved nets, built once from the
    # approved payslips: building it again gives the same bytes.
    sepa_xml = models.TextField(blank=True, default="")
    sepa_sha256 = models.CharField(max_length=64, blank=True, default="")
    # The bank's reference of the debit that paid the batch (one debit pays one run).
    paid_by_debit = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ("-pay_date",)
        constraints = [
            models.UniqueConstraint(
                fields=("entity", "pay_date"), name="payroll_payrun_one_per_entity_date"
            ),
            models.UniqueConstraint(
                fields=("entity", "paid_by_debit"),
                condition=~Q(paid_by_debit=""),
                name="payroll_payrun_one_run_per_debit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity_id} {self.pay_date}"


class PayRunItem(models.Model):
    """One worker in a run: the contracts it pays, the payslip computed for them and what stops
    or questions it (anomalies: a list of {"code", "blocking", "detail"})."""

    class State(models.TextChoices):
        PENDING = "pending", _("To compute")
        COMPUTED = "computed", _("Computed")
        REFUSED = "refused", _("Not computed")
        HELD = "held", _("Held back")
        APPROVED = "approved", _("Approved")

    run = models.ForeignKey(PayRun, on_delete=models.CASCADE, related_name="items")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    contract_ids = models.JSONField(default=list)
    contract_type = models.CharField(max_length=30, blank=True, default="")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    payslip = models.ForeignKey(
        Payslip, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    anomalies = models.JSONField(default=list)
    computed_at = models.DateTimeField(null=True, blank=True)
    # The day the salary batch's debit appeared on the bank statement (the payslip itself is
    # immutable once approved, so its payment is recorded here).
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("run", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("run", "member"), name="payroll_payrunitem_one_per_worker"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.member_id}"

    @property
    def blocking(self) -> bool:
        return any(a.get("blocking") for a in self.anomalies)


class WorkAccidentRate(EntityOwnedModel):
    """France: the work-accident and occupational-disease (AT/MP) rate the CARSAT notified the
    entity, from `valid_from` until the next row. Without a row in force, payslips use the
    pack's default (`fr.at_mp_default_rate`, the national average) and say so."""

    valid_from = models.DateField(_("applies from"))
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=5)
    reference = models.CharField(_("notification reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("entity", "-valid_from")
        verbose_name = _("work-accident rate")
        verbose_name_plural = _("work-accident rates")
        constraints = [
            models.UniqueConstraint(
                fields=("entity", "valid_from"), name="payroll_atmp_one_per_date"
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=Decimal("0"), rate__lte=Decimal("1")),
                name="payroll_atmp_rate_ratio",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rate} from {self.valid_from}"


class CorrectionSettlement(EntityOwnedModel):
    """How a correction's net difference moves: once the replacement payslip of a corrected one
    is approved, the difference (replacement net - corrected net) is either paid to the worker
    by its own SEPA transfer file (end-to-end id = the replacement's reference) or recorded as
    an amount the worker owes. One row per replacement (one-to-one), so the difference is
    settled once whatever calls the step again."""

    class Kind(models.TextChoices):
        PAY = "pay", _("Paid to the worker")
        OWED = "owed", _("Owed by the worker")
        NONE = "none", _("No difference")

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    replacement = models.OneToOneField(Payslip, on_delete=models.PROTECT, related_name="settlement")
    corrected = models.OneToOneField(Payslip, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    difference = models.DecimalField(**MONEY)
    message_id = models.CharField(max_length=35, blank=True, default="")
    sepa_xml = models.TextField(blank=True, default="")
    sepa_sha256 = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="pay", difference__gt=0) & ~Q(sepa_sha256="")
                | Q(kind="owed", difference__lt=0, sepa_sha256="")
                | Q(kind="none", difference=0, sepa_sha256=""),
                name="payroll_correctionsettlement_kind_matches_difference",
            ),
            models.UniqueConstraint(
                fields=("entity", "message_id"),
                condition=~Q(message_id=""),
                name="payroll_correctionsettlement_message_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.replacement} {self.kind} {self.difference}"

    @property
    def owed(self) -> Decimal:
        return -self.difference if self.kind == self.Kind.OWED else Decimal("0")
