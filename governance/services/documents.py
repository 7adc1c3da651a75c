"""Documents attached to resolutions: uploaded by staff until the vote closes, checked by
their content like every upload (PDF, PNG or JPEG, size-limited), stored with their SHA-256."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import User
from smartcoop.core.uploads import validate_upload
from smartcoop.core.validators import check_texts

from ..models import Assembly, Resolution, ResolutionDocument


def document_attach(
    *, actor: User | None, resolution: Resolution, title: str, file
) -> ResolutionDocument:
    check_texts(title=title)
    title = title.strip()
    if not title:
        raise ValidationFailed(_("Give the document a title."), field="title")
    content_type = validate_upload(file, field="file")
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=resolution.assembly_id)
        if not assembly.can("attach_document"):
            raise Conflict(_("The vote is closed."), code="vote_closed")
        document = ResolutionDocument.objects.create(
            resolution=resolution,
            title=title,
            file=file,
            content_type=content_type,
            size=file.size,
            sha256=digest.hexdigest(),
        )
        audit_log(
            actor=actor,
            action="governance.document.attached",
            target=document,
            entity=assembly.entity,
            data={"resolution": str(resolution.public_id), "sha256": document.sha256},
        )
    return document
