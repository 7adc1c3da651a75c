"""Keeps national numbers and IBANs out of every log line."""

from __future__ import annotations

import logging
import re

# IBAN: two letters, two check digits, 11-30 alphanumerics (spaces allowed in print form).
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
# Belgian INSZ/BIS (11 digits, often YY.MM.DD-SSS.CC) and French NIR (13-15 chars).
NATIONAL_NUMBER_RE = re.compile(
    r"\b\d{2}[.\s]?\d{2}[.\s]?\d{2}[-.\s]?\d{3}[.\s]?\d{2}\b"
    r"|\b[12]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2A|2B)\s?\d{3}\s?\d{3}(?:\s?\d{2})?\b"
)


def redact(text: str) -> str:
    text = IBAN_RE.sub("[IBAN]", text)
    return NATIONAL_NUMBER_RE.sub("[NATIONAL-NUMBER]", text)


class RedactSensitiveData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
