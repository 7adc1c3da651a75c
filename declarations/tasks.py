"""Declarations' tasks: thin, by id, in the entity's scope."""

from __future__ import annotations

from celery import shared_task

from smartcoop.core.tasks import SmartcoopTask

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

    return services.declaration_deliver(declaration_id=declaration_id).status
