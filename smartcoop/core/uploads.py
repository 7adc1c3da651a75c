"""Uploads (receipts, posting documents, documents of resolutions): PDF, PNG or JPEG only,
size-limited, type checked by the file's content (its first bytes), never by its name or the
browser's declared type."""

from __future__ import annotations

from django.utils.translation import gettext as _

from smartcoop.core.errors import ValidationFailed

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


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
    # Stored under a name whose extension is the content's (a PDF named `.html` becomes `.pdf`).
    name = getattr(file, "name", "") or "document"
    file.name = name.rsplit("/", 1)[-1].rsplit(".", 1)[0][:80] + EXTENSIONS[content_type]
    return content_type


def serve_upload(file_field, *, inline: bool = True):
    """An uploaded file as a response typed by its content, never by its stored name: a file
    named `.html` that starts with `%PDF-` is a PDF (`application/pdf`, `receipt.pdf`); content
    that is none of the accepted types is an opaque download. Browsers may not sniff another type
    (`nosniff`) nor run it as a page (`sandbox`)."""
    from django.http import FileResponse

    handle = file_field.open("rb")
    head = handle.read(16)
    handle.seek(0)
    content_type = sniff_content_type(head)
    stem = file_field.name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "document"
    if content_type is None:
        content_type, inline, extension = "application/octet-stream", False, ".bin"
    else:
        extension = EXTENSIONS[content_type]
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=stem + extension,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
