"""Receipts and posting documents: PDF, PNG or JPEG only, size-limited, type checked by the
file's content (its first bytes), never by its name or the browser's declared type."""

from __future__ import annotations

from django.utils.translation import gettext as _

from smartcoop.core.errors import ValidationFailed

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def sniff_content_type(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def validate_upload(file, *, field: str) -> str:
    """The content type of an accepted upload; raises ValidationFailed otherwise."""
    size = getattr(file, "size", None) or 0
    if size > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(size / 1024 / 1024, 1), "limit": MAX_UPLOAD_BYTES // 1024 // 1024},
            field=field,
            code="file_too_large",
        )
    if size == 0:
        raise ValidationFailed(_("The file is empty."), field=field, code="file_empty")
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationFailed(
            _("Only PDF, PNG or JPEG files are accepted."), field=field, code="file_type"
        )
    return content_type
