"""Keeps national numbers, IBANs and the secret tokens of client links out of every log line
(Django's loggers, runserver's and gunicorn's access logs)."""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger as _GunicornLogger

# IBAN: two letters, two check digits, 11-30 alphanumerics (spaces allowed in print form).
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
# Belgian INSZ/BIS (11 digits, often YY.MM.DD-SSS.CC) and French NIR (13-15 chars).
NATIONAL_NUMBER_RE = re.compile(
    r"\b\d{2}[.\s]?\d{2}[.\s]?\d{2}[-.\s]?\d{3}[.\s]?\d{2}\b"
    r"|\b[12]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2A|2B)\s?\d{3}\s?\d{3}(?:\s?\d{2})?\b"
)


# The signed token of a payment or quote link is the path segment after /pay/ or /quote/:
# whoever reads it can open the client's invoice, so it is as secret as a password.
LINK_TOKEN_RE = re.compile(r"(/(?:pay|quote)/)[^/\s?#\"']+")


def redact(text: str) -> str:
    text = LINK_TOKEN_RE.sub(r"\1[TOKEN]", text)
    text = IBAN_RE.sub("[IBAN]", text)
    return NATIONAL_NUMBER_RE.sub("[NATIONAL-NUMBER]", text)


class RedactSensitiveData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class GunicornLogger(_GunicornLogger):
    """gunicorn's access log with the link tokens (and any IBAN in a query) redacted from the
    request line, the path, the query and the referrer (gunicorn.conf.py selects it)."""

    def atoms(self, resp, req, environ, request_time):
        # Every atom a log format may name: the request line, path, query, referrer, and the
        # header and environ atoms (`{referer}i`, `{raw_uri}e`, …).
        return {
            key: redact(value) if isinstance(value, str) else value
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }
