"""The shared kernel: people and roles, offices, legal entities (the tenants), the audit log,
number sequences and task failures."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from . import validators
from .roles import STAFF_ROLES, Role


class BaseModel(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class EntityOwnedModel(BaseModel):
    """A row owned by one legal entity. Its default manager needs an active entity scope
    (django-scopes): a query that forgets to say which entity fails loudly."""

    entity = models.ForeignKey("core.LegalEntity", on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(entity="entity")  # type: ignore[django-manager-missing]

    class Meta:
        abstract = True


class Office(BaseModel):
    """One of the cooperative's offices (a city) with its advisers."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    city = models.CharField(_("city"), max_length=120)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    # Postcode ranges served by this office, e.g. "1000-1299,1500-1999": used to suggest an office
    # and adviser to a new member.
    postcode_ranges = models.CharField(_("postcodes served"), max_length=400, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return self.name

    def serves_postcode(self, postcode: str) -> bool:
        digits = "".join(ch for ch in postcode if ch.isdigit())
        if not digits:
            return False
        value = int(digits)
        for part in filter(None, (p.strip() for p in self.postcode_ranges.split(","))):
            low, _sep, high = part.partition("-")
            if int(low) <= value <= int(high or low):
                return True
        return False


class LegalEntity(BaseModel):
    """A legal entity of the deployment: the cooperative itself (holds shares and the register)
    or an entity that employs members and invoices their clients."""

    slug = models.SlugField(_("short code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=120)
    is_cooperative = models.BooleanField(
        _("the cooperative"),
        default=False,
        help_text=_(
            "Holds the members' shares and keeps the register of members (one per deployment)."
        ),
    )
    is_employer = models.BooleanField(
        _("employs and invoices"),
        default=True,
        help_text=_("Employs members and issues invoices to their clients."),
    )
    enterprise_number = models.CharField(
        _("enterprise number"), max_length=20, validators=[validators.validate_enterprise_number]
    )
    vat_number = models.CharField(
        _("VAT number"), max_length=20, blank=True, validators=[validators.validate_vat_number]
    )
    register_court = models.CharField(
        _("register court"),
        max_length=120,
        blank=True,
        help_text=_(
            "Where the entity is registered, printed after the register's name on every "
            "document: the enterprise court of the registered office in Belgium (RPR Brussel / "
            "RPM Bruxelles), the city of the trade register in France (RCS Paris)."
        ),
    )
    share_capital = models.DecimalField(
        _("share capital"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Printed on the documents of a French company with a fixed capital."),
    )
    variable_capital = models.BooleanField(
        _("variable capital"),
        default=False,
        help_text=_(
            "A cooperative with a variable capital: its documents say so instead of an amount."
        ),
    )
    vat_on_debits_from = models.DateField(
        _("VAT on debits since"),
        null=True,
        blank=True,
        help_text=_(
            "France: the date from which the entity opted to pay VAT on its services when "
            "invoiced (d'après les débits) rather than when paid. Invoices issued from that date "
            "state the option where the country's rules ask for it."
        ),
    )
    employer_number = models.CharField(
        _("employer number"),
        max_length=20,
        blank=True,
        validators=[validators.validate_employer_number],
    )
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=12)
    city = models.CharField(_("city"), max_length=120)
    country = models.CharField(_("country"), max_length=2)
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validators.validate_iban])
    bic = models.CharField(
        _("BIC"), max_length=11, blank=True, validators=[validators.validate_bic]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    default_language = models.CharField(_("default language"), max_length=5)
    logo = models.ImageField(_("logo"), upload_to="entities/logos/", blank=True)
    invoice_series_prefix = models.CharField(
        _("invoice series prefix"),
        max_length=10,
        help_text=_("Printed before the year and number, e.g. VP → VP2026-000123."),
    )
    credit_note_series_prefix = models.CharField(_("credit note series prefix"), max_length=10)
    invoice_approval_required = models.BooleanField(
        _("adviser approval before an invoice is issued"), default=False
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-is_cooperative", "name"]
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise_number"], name="entity_enterprise_number_unique"
            ),
            models.UniqueConstraint(
                fields=["is_cooperative"],
                condition=models.Q(is_cooperative=True),
                name="one_cooperative_entity",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("role", Role.ADMINISTRATOR)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account: a member or a staff member (by role). Logs in by e-mail."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.MEMBER)
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    # Entities a staff member may work in; administrators may work in all.
    entities = models.ManyToManyField(
        LegalEntity, blank=True, related_name="staff", verbose_name=_("entities")
    )
    preferred_language = models.CharField(_("preferred language"), max_length=5, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # e-mail and password only

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="adviser") | models.Q(office__isnull=False),
                name="adviser_has_office",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_staff(self) -> bool:
        """Staff in the cooperative's sense (any back-office role), used by Django's admin too."""
        return self.role in STAFF_ROLES

    def has_perm(self, perm, obj=None) -> bool:  # Django admin model permissions
        return self.is_active and self.role == Role.ADMINISTRATOR

    def has_module_perms(self, app_label) -> bool:
        return self.is_active and self.role == Role.ADMINISTRATOR


class AuditLogEntry(models.Model):
    """Who did what, to what, when. Written in the transaction of the change it records."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entity = models.ForeignKey(
        LegalEntity, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class NumberSequence(EntityOwnedModel):
    """The last number given in a series of an entity for a year (see numbering.number_allocate)."""

    series = models.CharField(_("series"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        ordering = ["-year", "series"]
        verbose_name = _("number series")
        verbose_name_plural = _("number series")
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "series", "year"], name="number_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last_number}"


class TaskFailure(models.Model):
    """A Celery task that failed for good (after its retries): visible to staff on the health page."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    task_name = models.CharField(max_length=200)
    task_id = models.CharField(max_length=64)
    arguments = models.JSONField(default=dict)
    error = models.TextField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.task_name} {self.task_id}"


class Notification(BaseModel):
    """Something that happened to a person (a contract validated, a client who paid…), shown in
    their account and, unless they opted out of that kind, sent by e-mail after commit.

    `kind` is a key registered by an app (smartcoop.core.notifications); the text is rendered
    from the kind's message and `params` in the reader's language when shown or sent."""

    class Email(models.TextChoices):
        NOT_WANTED = "not_wanted", _("Not wanted")
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    in_account = models.BooleanField(default=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=12, choices=Email.choices, default=Email.NOT_WANTED)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                condition=models.Q(in_account=True, read_at__isnull=True),
                name="notification_unread",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification; no row means both channels on."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    in_account = models.BooleanField(default=True)
    by_email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"
