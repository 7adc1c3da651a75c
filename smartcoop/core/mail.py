"""The local inbox of `make run`: e-mails are written as .eml files that /dev/inbox/ shows, so a
newcomer can confirm a new account without a mail server."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class DevInboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(settings.DEV_INBOX_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            (folder / f"{stamp}.eml").write_bytes(message.message().as_bytes())
            sent += 1
        return sent


def inbox_messages(limit: int = 100) -> list[dict]:
    folder = Path(settings.DEV_INBOX_DIR or "/nonexistent")
    if not folder.is_dir():
        return []
    result = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain", "html"))
        result.append(
            {
                "id": path.stem,
                "to": parsed["To"],
                "subject": parsed["Subject"],
                "date": parsed["Date"],
                "body": body.get_content() if body else "",
            }
        )
    return result
