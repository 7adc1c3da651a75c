from __future__ import annotations

from celery import shared_task

from smartcoop.core.tasks import SmartcoopTask

READS_ALL = (
    "reads every entity's rows through selectors that lift the scope explicitly and writes "
    "only the stored yearly aggregate, which belongs to no entity"
)


@shared_task(base=SmartcoopTask, name="keyfigures.tasks.render_key_figures_pdf")
def render_key_figures_pdf(export_id: int, *, entity_id: int) -> None:
    """Render the PDF of one export request (see services.export_render)."""
    from . import services

    services.export_render(export_id=export_id)


@shared_task(
    base=SmartcoopTask, name="keyfigures.tasks.store_year_figures", without_entity=READS_ALL
)
def store_year_figures(scope: dict) -> None:
    """Compute and keep one closed year's figures for one scope (asked from the page)."""
    from . import stored
    from .selectors import Scope

    stored.store_year(Scope(**(scope | {"entity_ids": tuple(scope["entity_ids"])})))


@shared_task(
    base=SmartcoopTask, name="keyfigures.tasks.store_closed_years", without_entity=READS_ALL
)
def store_closed_years() -> int:
    """Nightly: keep the last closed years' figures (all entities, and each one) up to date."""
    from django.utils import timezone

    from . import stored

    scopes = stored.nightly_scopes(timezone.localdate())
    for scope in scopes:
        stored.store_year(scope)
    return len(scopes)
