"""Activities: a member's economic activity inside the shared enterprise. This is the boundary
invoicing and payroll rely on (an Activity of an entity, with members and their rights)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from smartcoop.core.models import BaseModel, EntityOwnedModel
from smartcoop.core.sectors import Sector


class Activity(EntityOwnedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

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

    class Meta:
        verbose_name = _("Activity")
        verbose_name_plural = _("Activities")

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
