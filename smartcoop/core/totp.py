"""The current TOTP code of a secret (RFC 6238: SHA-1, 30-second steps, six digits — the
parameters allauth's MFA uses). Standard library only, so scripts without Django can use it:
`make totp`, the screenshot script and browser journeys log staff in with it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time


def current_code(secret: str, *, at: float | None = None) -> str:
    counter = int(time.time() if at is None else at) // 30
    digest = hmac.new(
        base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1
    ).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
