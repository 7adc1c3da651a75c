"""Social declarations: one record per message to an authority (Dimona IN/OUT/UPDATE/CANCEL,
DPAE), its file as sent with its SHA-256, its status and the authority's answer; the channel an
entity files through; the answers staff upload."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartcoop.core.models import EntityOwnedModel
from smartcoop.core.steps import StatusSteps


class Declaration(StatusSteps, EntityOwnedModel):
    class Kind(models.TextChoices):
        DIMONA_IN = "dimona_in", _("Dimona IN")
        DIMONA_UPDATE = "dimona_update", _("Dimona UPDATE")
        DIMONA_CANCEL = "dimona_cancel", _("Dimona CANCEL")
        DIMONA_OUT = "dimona_out", _("Dimona OUT")
        DPAE = "dpae", _("DPAE")
        DPAE_CANCEL = "dpae_cancel", _("DPAE cancellation")
        DMFA = "dmfa", _("DmfA (quarter)")
        BELCOTAX = "belcotax_28110", _("Belcotax 281.10 (year)")
        DMFA_UPDATE = "dmfa_update", _("DmfA update (correction)")
        DSN = "dsn", _("DSN (month)")
        DSN_FCTU = "dsn_fctu", _("DSN end of contract (FCTU)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        READY = "ready", _("Ready to send")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        CORRECTED = "corrected", _("Corrected")
        WITHDRAWN = "withdrawn", _("Withdrawn before sending")

    class Channel(models.TextChoices):
        FILE = "file", _("File outbox (download, upload the answer)")
        HTTP = "http", _("Web service")

    STEPS = {
        "build": (Status.DRAFT,),
        "send": (Status.READY,),
        "answer": (Status.SENT,),
        "correct": (Status.REJECTED,),
        "withdraw": (Status.DRAFT, Status.READY),
        # A person records the authority's acknowledgement or refusal (file channel): once the
        # file is ready to upload or sent (`services.declaration_record_answer` takes both).
        "record_answer": (Status.READY, Status.SENT),
    }
    # Kinds whose answer (acknowledgement or refusal) a person records on the page.
    ANSWERED_BY_HAND = (
        Kind.DPAE,
        Kind.DPAE_CANCEL,
        Kind.DMFA,
        Kind.DMFA_UPDATE,
        Kind.BELCOTAX,
        Kind.DSN,
        Kind.DSN_FCTU,
    )
    # Periodic kinds staff may withdraw in draft or ready, with a reason (`declaration_withdraw`):
    # a hiring declaration is withdrawn by cancelling its contract.
    WITHDRAWN_BY_STAFF = (Kind.DMFA, Kind.DMFA_UPDATE, Kind.DSN, Kind.BELCOTAX)
    # The colour of a declaration's badge: ok, bad, or warn (anything else).
    TONES: ClassVar[dict[str, str]] = {
        Status.ACCEPTED: "ok",
        Status.REJECTED: "bad",
        Status.DRAFT: "bad",
    }
    OPEN_STATES = (Status.DRAFT, Status.READY, Status.SENT, Status.REJECTED)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    contract = models.ForeignKey(
        "activities.EmploymentContract",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="declarations",
    )
    # Periodic declarations (DmfA, DSN) cover a period instead of a contract.
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    corrects = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
        verbose_name=_("corrects"),
    )
    # The frozen inputs the payload was built from (no national number: it is re-read from the
    # member when built; the payload holds it, as the authority needs it).
    inputs = models.JSONField(default=dict, blank=True)
    # Why it cannot be built: [{"field", "message"}]; empty once ready.
    problems = models.JSONField(default=list, blank=True)
    payload = models.TextField(blank=True)
    payload_sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    due_at = models.DateTimeField(_("due by"), null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The authority's identifiers: its declaration (ticket) number and the Dimona period.
    authority_reference = models.CharField(max_length=64, blank=True)
    dimona_period_id = models.CharField(max_length=12, blank=True)
    authority_codes = models.JSONField(default=list, blank=True)
    authority_message = models.TextField(blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # When the entity's payroll officers were told its deadline is near (once per declaration).
    alerted_at = models.DateTimeField(null=True, blank=True)
    # Re-polling a declaration sent by a web service that has no answer yet (beat:
    # `tasks.poll_sent_declarations`): when its status is asked next, how many times it was
    # asked, and when the sweep stopped asking (no answer within the settings' age limit).
    next_poll_at = models.DateTimeField(null=True, blank=True)
    polls = models.PositiveSmallIntegerField(default=0)
    unanswered_at = models.DateTimeField(_("no answer since"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        indexes = [
            models.Index(fields=["entity", "status", "due_at"], name="declaration_queue"),
            # The poll sweep's query: sent by the web service, still asked, due now.
            models.Index(
                fields=["entity", "next_poll_at"],
                name="declaration_poll_due",
                condition=Q(status="sent", channel="http", unanswered_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "withdrawn"]) | ~Q(payload_sha256=""),
                name="declaration_built_has_hash",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(authority_codes=[]) | ~Q(authority_message=""),
                name="declaration_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def tone(self) -> str:
        return self.TONES.get(self.status, "warn")

    @property
    def held_until(self):
        """When a ready declaration held back by the rules may be sent (a DPAE: no earlier than
        `fr.dpae_earliest_days_before` days before the hiring), or None."""
        from .services import held_until

        return held_until(self)

    def can(self, step: str) -> bool:
        """As `StatusSteps.can`; a held declaration can be neither sent nor answered yet."""
        if step in ("send", "record_answer") and self.held_until is not None:
            return False
        return super().can(step)

    @property
    def withdrawable_by_staff(self) -> bool:
        return (
            self.kind in self.WITHDRAWN_BY_STAFF
            and self.corrects_id is None
            and self.can("withdraw")
        )

    @property
    def answered_by_hand(self) -> bool:
        """Whether a person records the authority's answer on the declaration's page (the
        authority answers on its own portal for these kinds)."""
        return self.kind in self.ANSWERED_BY_HAND

    @property
    def accepted_with_warnings(self) -> bool:
        """Accepted, with non-blocking anomalies noted by the authority."""
        return self.status == self.Status.ACCEPTED and bool(self.authority_codes)

    @property
    def reference(self) -> str:
        """Our reference, sent in the file (ReferenceNbr, 20 characters at most) and used as the
        idempotency key: the first 80 bits of the random public id."""
        return self.public_id.hex[:20]

    @property
    def is_late(self) -> bool:
        from django.utils import timezone

        return (
            self.due_at is not None
            and self.status in self.OPEN_STATES
            and self.status != self.Status.SENT
            and self.due_at < timezone.now()
        )


class ChannelSetting(EntityOwnedModel):
    """How an entity files: the file outbox (default, no row needed) or a web service. The
    credentials are never stored here: `credentials_name` names an entry of the setting
    SMARTCOOP_DECLARATION_CREDENTIALS (read from the environment)."""

    channel = models.CharField(
        _("channel"), max_length=10, choices=Declaration.Channel.choices, default="file"
    )
    base_url = models.URLField(_("web service address"), blank=True)
    credentials_name = models.CharField(
        _("credentials (name of the setting)"), max_length=60, blank=True
    )
    timeout_seconds = models.DecimalField(max_digits=5, decimal_places=2, default=10)
    max_attempts = models.PositiveSmallIntegerField(default=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity"], name="declaration_channel_one_per_entity"),
            models.CheckConstraint(
                condition=Q(channel="file") | ~Q(base_url=""), name="declaration_http_has_url"
            ),
        ]


class AuthorityAnswer(EntityOwnedModel):
    """An answer file as received (uploaded by staff or read from the web service), kept whether
    it parsed or not; applied only when it parsed."""

    class Kind(models.TextChoices):
        DECLARATIONS = "declarations", _("Answer to declarations")
        PAS_RATES = "pas_rates", _("Withholding rates (CRM)")

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DECLARATIONS)
    raw = models.TextField()
    sha256 = models.CharField(max_length=64)
    parsed = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True)
    applied = models.PositiveIntegerField(default=0)
    unmatched = models.JSONField(default=list, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]


class DsnSettings(EntityOwnedModel):
    """What a French entity's DSN needs beyond the entity itself (its SIRET is the entity's
    employer number): the APE code, the bodies paid, the contact, and whether files are sent as
    tests. No row, or an empty field: the DSN stays in draft naming the field."""

    naf_code = models.CharField(_("APE/NAF code"), max_length=5, blank=True)
    urssaf_id = models.CharField(_("URSSAF identifier (SIRET)"), max_length=14, blank=True)
    retirement_id = models.CharField(
        _("AGIRC-ARRCO institution identifier"), max_length=14, blank=True
    )
    leave_fund_id = models.CharField(
        _("Congés Spectacles identifier"),
        max_length=14,
        blank=True,
        help_text=_("Needed when artists or technicians on CDDU are paid."),
    )
    contact_name = models.CharField(_("contact name"), max_length=80, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    test_mode = models.BooleanField(_("send as test files"), default=True)

    class Meta:
        verbose_name = _("DSN settings")
        verbose_name_plural = _("DSN settings")
        constraints = [
            models.UniqueConstraint(fields=["entity"], name="declaration_dsn_settings_one"),
        ]


class PasRate(EntityOwnedModel):
    """A personalised withholding rate the tax administration returned (CRM "taux PAS"), as
    applied to the member's tax profile from `valid_from`; its identifier goes back in the DSN."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    rate = models.DecimalField(max_digits=5, decimal_places=4)
    valid_from = models.DateField()
    identifier = models.CharField(max_length=18)
    answer = models.ForeignKey(AuthorityAnswer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["member", "-valid_from"]


def period_label(period: str) -> str:
    """A filing period as people write it: a quarter "YYYYQ" as "2026 Q3", a month as is."""
    if len(period) == 5 and period.isdigit():
        return f"{period[:4]} Q{period[4:]}"
    return period


class FilingJob(StatusSteps, EntityOwnedModel):
    """One "file the quarter / the month" action of a payroll officer, run by a worker: its
    state and, once done, the declaration it built. Live progress (step, done / total) is in
    the cache while it runs (`declarations.filing`); the row keeps the outcome."""

    class Kind(models.TextChoices):
        DMFA = "dmfa", _("DmfA of a quarter")
        DSN = "dsn", _("DSN of a month")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)
    # What the page does with the job: follow it while a worker runs it, open the declaration
    # it built, or file again after a failure.
    STEPS = {
        "follow": ACTIVE_STATES,
        "open": (State.DONE,),
        "retry": (State.FAILED,),
    }

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=7)  # YYYYQ or YYYY-MM
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    message = models.TextField(blank=True)
    declaration = models.ForeignKey(
        Declaration, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def can(self, step: str) -> bool:
        """As `StatusSteps.can`, on the job's `state` (it has no `status`)."""
        return self.state in self.STEPS[step]

    @property
    def waiting(self) -> bool:
        return self.state == self.State.QUEUED

    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def needs_data(self) -> int:
        """Done, but the declaration it built stays in draft: how many things are missing (each
        of its problems names a worker or the employer and a field); 0 otherwise."""
        declaration = self.declaration
        if (
            self.state != self.State.DONE
            or declaration is None
            or declaration.status != Declaration.Status.DRAFT
        ):
            return 0
        return max(len(declaration.problems), 1)

    @property
    def state_tone(self) -> str:
        """The badge of the job alone (lists): ok when done and complete, warn when done with
        data missing, bad when failed."""
        if self.needs_data:
            return "warn"
        tones: dict[str, str] = {self.State.DONE: "ok", self.State.FAILED: "bad"}
        return tones.get(self.state, "warn")

    @property
    def tone(self) -> str:
        """ok: built and ready to file; bad: failed, or built with something missing."""
        if self.state == self.State.DONE:
            return "ok" if self.declaration is not None and self.declaration.can("send") else "bad"
        return "bad" if self.state == self.State.FAILED else "warn"

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "kind", "period"],
                condition=Q(state__in=["queued", "running"]),
                name="filing_one_active_per_period",
            ),
        ]
