"""Key-figures documents: request the PDF (a row, then the task after commit) and render it on
a worker. Writing the figures themselves never happens: they are read from the other apps."""

from __future__ import annotations

from dataclasses import asdict

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from smartcoop.core.models import LegalEntity, User

from . import report, stored
from .models import KeyFiguresExport
from .selectors import Scope


def export_request(*, user: User, entity: LegalEntity, scope: Scope) -> KeyFiguresExport:
    from .tasks import render_key_figures_pdf

    with transaction.atomic():
        export = KeyFiguresExport.objects.create(
            requested_by=user, entity=entity, year=scope.year, filters=asdict(scope)
        )
        render_key_figures_pdf.enqueue(export.pk, entity_id=entity.pk)
    return export


def _progress(export: KeyFiguresExport, percent: int, **fields) -> None:
    KeyFiguresExport.objects.filter(pk=export.pk).update(
        progress=percent, updated_at=timezone.now(), **fields
    )


def export_render(*, export_id: int) -> None:
    """Claims the row (PENDING → RUNNING, skipped if another worker has it), computes the
    figures, renders the PDF outside any transaction (in the requester's language), stores it:
    running twice renders once."""
    with transaction.atomic():
        export = (
            KeyFiguresExport.objects.select_for_update(skip_locked=True)
            .filter(pk=export_id, status=KeyFiguresExport.Status.PENDING)
            .first()
        )
        if export is None:
            return
        export.status = KeyFiguresExport.Status.RUNNING
        export.progress = 5
        export.save(update_fields=["status", "progress", "updated_at"])
    filters = dict(export.filters)
    filters["entity_ids"] = tuple(filters["entity_ids"])
    scope = Scope(**filters)
    language = export.requested_by.preferred_language or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            _render(export, scope)
    except Exception as error:
        _progress(export, 0, status=KeyFiguresExport.Status.FAILED, error=str(error)[:300])
        raise


def _render(export: KeyFiguresExport, scope: Scope) -> None:
    from smartcoop.core.pdf import render_pdf

    figures = report.build(scope, source=stored.figures_for)
    _progress(export, 60)
    entities = LegalEntity.objects.filter(pk__in=scope.entity_ids).order_by("name")
    content = render_pdf(
        "keyfigures/pdf/key_figures.html",
        {"figures": figures, "entities": entities, "generated_at": timezone.now()},
    )
    _progress(export, 90)
    export.file.save(
        f"key-figures-{scope.year}-{export.public_id}.pdf", ContentFile(content), save=False
    )
    _progress(export, 100, file=export.file.name, status=KeyFiguresExport.Status.DONE)
