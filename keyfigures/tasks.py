from __future__ import annotations

from celery import shared_task

from smartcoop.core.tasks import SmartcoopTask


@shared_task(base=SmartcoopTask, name="keyfigures.tasks.render_key_figures_pdf")
def render_key_figures_pdf(export_id: int, *, entity_id: int) -> None:
    """Render the PDF of one export request (see services.export_render)."""
    from . import services

    services.export_render(export_id=export_id)
