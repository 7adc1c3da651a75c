"""Moved to `smartcoop.core.uploads` (governance checks its uploads the same way); re-exported
so activities' callers keep their imports."""

from smartcoop.core.uploads import (
    EXTENSIONS,
    MAX_UPLOAD_BYTES,
    SIGNATURES,
    serve_upload,
    sniff_content_type,
    validate_upload,
)

__all__ = [
    "EXTENSIONS",
    "MAX_UPLOAD_BYTES",
    "SIGNATURES",
    "serve_upload",
    "sniff_content_type",
    "validate_upload",
]
