"""People of the cooperative. This is the boundary other apps rely on: a Member (a natural or
legal person), linked to an account when they have one, followed by an office and an adviser.

Around it: the onboarding data, information sessions, share subscriptions and the register of
members (kept by the cooperative entity), adviser history, appointments and erasure requests.

Share subscriptions and register entries point at the cooperative entity but are not
`EntityOwnedModel`s: staff who confirm payments usually work in an employing entity, and members
see their own shares whatever entity is active. Every read filters by member or visibility in
`selectors.py` instead."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smartcoop.core.fields import EncryptedTextField
from smartcoop.core.models import BaseModel, LegalEntity, Office
from smartcoop.core.sectors import Sector


class Member(BaseModel):
    class Kind(models.TextChoices):
        PERSON = "person", _("Natural person")
        LEGAL_PERSON = "legal_person", _("Legal person")

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        MEMBER = "member", _("Member")
        ACTIVE = "active", _("Active member")
        RESIGNED = "resigned", _("Resigned")
        EXCLUDED = "excluded", _("Excluded")

    class HeardFrom(models.TextChoices):
        FRIEND = "friend", _("A friend or colleague")
        CLIENT = "client", _("A client or employer")
        SEARCH = "search", _("A web search")
        SOCIAL = "social", _("Social media")
        EVENT = "event", _("An event or information session")
        SCHOOL = "school", _("A school or training centre")
        PRESS = "press", _("The press")
        OTHER = "other", _("Other")

    class OnboardingStep(models.TextChoices):
        IDENTITY = "identity", _("Identity")
        BANK = "bank", _("Bank account")
        PROFILE = "profile", _("Profession")
        CONSENT = "consent", _("Privacy")
        DONE = "done", _("Done")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.APPLICANT, db_index=True
    )
    member_number = models.PositiveIntegerField(
        _("member number"), null=True, blank=True, unique=True
    )
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adviser"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="advised_members",
    )

    # --- Identity (onboarding step 1) ---
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # Encrypted at rest; `national_number_index` (a keyed hash) finds duplicates without
    # decrypting. Never logged, masked in every page unless the role may see it.
    national_number = EncryptedTextField(_("national number"), blank=True, default="")
    national_number_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    enterprise_number = models.CharField(
        _("enterprise number"), max_length=20, blank=True, default=""
    )
    nationality = models.CharField(_("nationality"), max_length=2, blank=True, default="")
    street = models.CharField(_("street and number"), max_length=200, blank=True, default="")
    postcode = models.CharField(_("postcode"), max_length=12, blank=True, default="")
    city = models.CharField(_("city"), max_length=120, blank=True, default="")
    country = models.CharField(_("country"), max_length=2, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=30, blank=True, default="")
    # --- Bank (step 2) ---
    iban = EncryptedTextField(_("IBAN"), blank=True, default="")
    bic = models.CharField(_("BIC"), max_length=11, blank=True, default="")
    # --- Profile (step 3) ---
    language = models.CharField(_("preferred language"), max_length=5, blank=True, default="")
    profession = models.CharField(_("profession"), max_length=150, blank=True, default="")
    sector = models.CharField(
        _("sector"), max_length=30, choices=Sector.choices, blank=True, default="", db_index=True
    )
    heard_from = models.CharField(
        _("how they heard of us"), max_length=20, choices=HeardFrom.choices, blank=True, default=""
    )
    # --- Consent (step 4) ---
    privacy_consent_version = models.CharField(
        _("privacy notice version"), max_length=20, blank=True, default=""
    )
    privacy_consent_at = models.DateTimeField(_("privacy consent given at"), null=True, blank=True)
    onboarding_step = models.CharField(
        _("onboarding step"),
        max_length=20,
        choices=OnboardingStep.choices,
        default=OnboardingStep.IDENTITY,
    )
    onboarding_completed_at = models.DateTimeField(null=True, blank=True)
    # --- Membership ---
    joined_on = models.DateField(_("member since"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leaving_reason = models.TextField(_("reason for leaving"), blank=True, default="")
    # Set when a member's personal data was anonymised after an erasure request.
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [
            models.Index(fields=["office", "status"]),
            models.Index(fields=["last_name"]),
            # The portfolio's first page: one office, ordered by name.
            models.Index(
                fields=["office", "last_name", "first_name", "id"], name="member_portfolio_idx"
            ),
            models.Index(fields=["adviser", "last_name"], name="member_adviser_idx"),
            models.Index(fields=["national_number_index"], name="member_nn_index_idx"),
        ]
        constraints = [
            # Two members can never share a national number (the blind index is its keyed hash).
            models.UniqueConstraint(
                fields=["national_number_index"],
                condition=~models.Q(national_number_index=""),
                name="member_national_number_unique",
            ),
            models.UniqueConstraint(
                fields=["enterprise_number"],
                condition=~models.Q(enterprise_number=""),
                name="member_enterprise_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.LEGAL_PERSON:
            return self.legal_name
        return f"{self.first_name} {self.last_name}".strip() or self.email

    @property
    def is_member(self) -> bool:
        return self.status in (self.Status.MEMBER, self.Status.ACTIVE)

    @property
    def is_former_member(self) -> bool:
        """Resigned or excluded: can neither subscribe nor receive shares."""
        return self.status in (self.Status.RESIGNED, self.Status.EXCLUDED)


class AdviserAssignment(BaseModel):
    """One change of office and adviser of a member (the history; the current pair is on Member)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="assignments")
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT)
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]


class InfoSession(BaseModel):
    class Mode(models.TextChoices):
        ONLINE = "online", _("Online")
        OFFICE = "office", _("At an office")

    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=90)
    language = models.CharField(_("language"), max_length=5)
    mode = models.CharField(_("where"), max_length=10, choices=Mode.choices, default=Mode.ONLINE)
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("office")
    )
    online_url = models.URLField(_("online link"), blank=True, default="")
    capacity = models.PositiveIntegerField(_("capacity"))
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="session_capacity"),
            models.CheckConstraint(
                condition=~models.Q(mode="office") | models.Q(office__isnull=False),
                name="office_session_has_office",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} ({self.language})"


class InfoSessionBooking(BaseModel):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(InfoSession, on_delete=models.PROTECT, related_name="bookings")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="session_bookings")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    # Set (in the same locked transaction) when the reminder e-mail is sent: never twice.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session__starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"],
                condition=models.Q(status="booked"),
                name="one_live_booking_per_session",
            )
        ]


class ShareSubscription(BaseModel):
    """A request to subscribe shares: pending until the payment is confirmed, then registered."""

    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription", _("Subscription")
        ADDITIONAL = "additional", _("Additional subscription")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    entity = models.ForeignKey(LegalEntity, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="subscriptions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=5)
    shares = models.PositiveIntegerField(_("number of shares"))
    unit_price = models.DecimalField(_("price per share"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    # Belgian structured communication, digits only (12): printed as +++ddd/dddd/ddddd+++.
    structured_reference = models.CharField(max_length=12, unique=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    certificate = models.FileField(upload_to="members/certificates/", blank=True)
    certificate_sha256 = models.CharField(max_length=64, blank=True, default="")
    certificate_generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(shares__gte=1), name="subscription_shares"),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(paid_on__isnull=False),
                name="paid_subscription_has_date",
            ),
        ]


class RegisterEntry(BaseModel):
    """One line of the register of members. Append-only: a database trigger refuses updates and
    deletes (migration 0003); a mistake is corrected by a new entry."""

    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription", _("Subscription")
        ADDITIONAL = "additional", _("Additional subscription")
        TRANSFER_IN = "transfer_in", _("Transfer received")
        TRANSFER_OUT = "transfer_out", _("Transfer given")
        REDEMPTION = "redemption", _("Redemption")

    entity = models.ForeignKey(LegalEntity, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="register_entries")
    entry_date = models.DateField(_("date"), db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=5)
    # Signed: positive for shares acquired, negative for shares given up.
    shares = models.IntegerField(_("shares"))
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    subscription = models.ForeignKey(
        ShareSubscription, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    counterpart = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["entry_date", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(shares=0), name="register_entry_nonzero"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["subscription", "additional", "transfer_in"], shares__gt=0)
                    | models.Q(kind__in=["transfer_out", "redemption"], shares__lt=0)
                ),
                name="register_entry_sign_matches_kind",
            ),
        ]


class Appointment(BaseModel):
    """A slot an adviser offers; booked when a member takes it. Notes are for staff only."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("appointment slot", "Open")
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")

    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=45)
    location = models.CharField(_("where"), max_length=200, blank=True, default="")
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="appointments"
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    booked_at = models.DateTimeField(null=True, blank=True)
    staff_notes = models.TextField(_("notes (staff only)"), blank=True, default="")

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="booked") | models.Q(member__isnull=False),
                name="booked_appointment_has_member",
            ),
            models.UniqueConstraint(
                fields=["adviser", "starts_at"],
                condition=~models.Q(status="cancelled"),
                name="adviser_slot_unique",
            ),
        ]


class ErasureRequest(BaseModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        DONE = "done", _("Done")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="erasure_requests")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    processed_at = models.DateTimeField(null=True, blank=True)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What was anonymised and what was kept, with the legal reason for each kept item.
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status="requested"),
                name="one_open_erasure_request",
            )
        ]
