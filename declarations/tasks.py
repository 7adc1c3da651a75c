"""Declarations' tasks: thin, by id, in the entity's scope."""

from __future__ import annotations

from celery import shared_task

from smartcoop.core.tasks import SmartcoopTask, in_each_entity

from .channels import ChannelUnavailable


@shared_task(
    base=SmartcoopTask,
    name="declarations.tasks.send_declaration",
    autoretry_for=(ChannelUnavailable,),
    retry_backoff=30,
    max_retries=8,
)
def send_declaration(*, entity_id: int, declaration_id: int) -> str:
    """Send a ready declaration by its entity's web service and read the answer. A retry sends
    the same idempotency key: the authority files it once."""
    from . import services

    declaration = services.declaration_deliver(declaration_id=declaration_id)
    return declaration.status if declaration is not None else "skipped"


@shared_task(base=SmartcoopTask, name="declarations.tasks.file_period", autoretry_for=())
def file_period(*, entity_id: int, job_id: int) -> str:
    """Build the quarter's DmfA (or the month's DSN) of a payroll officer's filing job. Not
    retried: a failure is shown on the job's page (and the health page); the officer files it
    again."""
    from . import services

    job = services.filing_run(job_id=job_id)
    return job.state if job is not None else "skipped"


@shared_task(
    base=SmartcoopTask,
    name="declarations.tasks.deadline_alerts",
    without_entity="beat sweep: one scope per entity (in_each_entity)",
)
def deadline_alerts() -> int:
    """Hourly: tell each entity's payroll officers of the declarations due soon and not filed
    (once per declaration)."""
    from . import services

    return in_each_entity(lambda entity: services.deadline_alerts_send(entity=entity))


@shared_task(
    base=SmartcoopTask,
    name="declarations.tasks.dimona_out_sweep",
    without_entity="beat sweep: one scope per entity (in_each_entity)",
)
def dimona_out_sweep() -> int:
    """Daily: queue the Dimona OUT of the open-ended employments that end (idempotent)."""
    from . import services

    return in_each_entity(lambda entity: len(services.dimona_out_queue(entity=entity)))


@shared_task(
    base=SmartcoopTask,
    name="declarations.tasks.poll_sent_declarations",
    without_entity="beat sweep: one scope per entity (in_each_entity)",
)
def poll_sent_declarations() -> int:
    """Every minute (SMARTCOOP_DECLARATION_POLL_EVERY_SECONDS): send by the web service the
    declarations held until a date that has come, and ask the web service again for
    the answers of declarations sent and not answered, each on its own backoff, and apply them;
    flag "no answer" the ones past the age limit. Returns how many answers were applied."""
    from . import services, services_poll

    def sweep(entity) -> int:
        # the held ones whose date has come (a DPAE no earlier than 8 days before the hiring)
        services.held_declarations_release(entity=entity)
        return services_poll.sent_declarations_poll(entity=entity).get("applied", 0)

    return in_each_entity(sweep)
