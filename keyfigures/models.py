"""A key-figures document (the PDF of the whole set) rendered on the workers."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartcoop.core.models import BaseModel, LegalEntity
from smartcoop.core.steps import StatusSteps


class KeyFiguresExport(StatusSteps, BaseModel):
    """One request for the key-figures PDF: the task fills `progress` (0-100) table by table
    and stores the file; only the person who asked may download it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    # What the requester may do with the job: download the ready PDF, or follow it while a
    # worker prepares it (the status page refreshes itself).
    STEPS = {
        "download": (Status.DONE,),
        "follow": (Status.PENDING, Status.RUNNING),
    }
    # The colour of its badge: ok, bad, or warn (anything else).
    TONES: ClassVar[dict[str, str]] = {Status.DONE: "ok", Status.FAILED: "bad"}

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The entity the requester worked in (the task's scope); the figures may cover several.
    entity = models.ForeignKey(LegalEntity, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    # The Scope of the figures: entity ids, sector, contract type, tool, office id.
    filters = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="keyfigures/%Y/", blank=True)
    error = models.CharField(max_length=300, blank=True)

    @property
    def tone(self) -> str:
        return self.TONES.get(self.status, "warn")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="keyfigures_export_progress_range"
            )
        ]


class YearFigures(models.Model):
    """The figures of a closed year for one scope (entities and filters), kept so that the page
    reads them instead of scanning the year again: filled by `store_year_figures` (nightly for
    the last closed years, or when staff ask), recomputed on demand. `figures` is what
    `selectors.year_figures` returns, with its Decimals kept exact (`stored.encode`)."""

    year = models.PositiveSmallIntegerField()
    # The scope without its year: entity ids and filters (`stored.scope_key`).
    scope_key = models.CharField(max_length=300)
    # The same scope as `selectors.Scope` fields (without the year), to compute it again.
    scope = models.JSONField()
    figures = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "scope_key"], name="keyfigures_year_scope")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.scope_key}"
