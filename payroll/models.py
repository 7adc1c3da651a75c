"""Payroll data. Today: the member's tax profile, dated so that a change applies from a date and
the values a payment used stay readable (payslips, to come, will copy them when issued)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartcoop.core.models import BaseModel


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
