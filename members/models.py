"""People of the cooperative. This is the boundary other apps rely on: a Member (a natural or
legal person), linked to an account when they have one, followed by an office and an adviser."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartcoop.core.models import BaseModel, Office


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

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [models.Index(fields=["office", "status"]), models.Index(fields=["last_name"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.LEGAL_PERSON:
            return self.legal_name
        return f"{self.first_name} {self.last_name}".strip() or self.email
