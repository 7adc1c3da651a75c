"""How declarations reach the authority. One interface, `deliver`, two channels:

- `FileOutbox` (the default): the declarations ready to go are written into one batch file that
  staff download and hand to the authority; the authority's answer file is uploaded back
  (`services.answer_upload`).
- `HttpChannel`: the authority's web service. Each message is POSTed with an `Idempotency-Key`
  (our reference), so a retry after a timeout never files it twice; transient failures (timeout,
  connection refused, 5xx, 429) are retried with exponential backoff; the status is read back with
  GET. The bearer token comes from the settings, named by the entity's channel setting.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests
from django.conf import settings

from . import builders
from .answers import AnswerUnreadable, Outcome, parse_rest_status


class ChannelUnavailable(Exception):
    """The web service could not be reached after every attempt (transient: try again later)."""


class ChannelRefused(Exception):
    """The web service refused the message outright (4xx): a rejection with its codes."""

    def __init__(self, codes: tuple[str, ...], messages: tuple[str, ...]):
        super().__init__(
            "; ".join(f"{c} {m}".strip() for c, m in zip(codes, messages, strict=False))
        )
        self.codes = codes
        self.messages = messages


@dataclass(frozen=True)
class FileOutbox:
    name = "file"

    def deliver(self, payloads: list[str]) -> bytes:
        """The batch file of these Dimona payloads (each one document of its own)."""
        return builders.dimona_batch(payloads)


@dataclass(frozen=True)
class HttpChannel:
    base_url: str
    token: str
    timeout: float = 10.0
    max_attempts: int = 4
    backoff: float = 2.0
    name = "http"

    def _headers(self, **extra) -> dict:
        headers = {"Accept": "application/json", **extra}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _call(self, method: str, url: str, **kwargs) -> requests.Response:
        last: Exception | None = None
        for attempt in range(self.max_attempts):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = requests.request(method, url, timeout=self.timeout, **kwargs)
            except (requests.Timeout, requests.ConnectionError) as error:
                last = error
                continue
            if response.status_code >= 500 or response.status_code == 429:
                last = ChannelUnavailable(f"{method} {url}: HTTP {response.status_code}")
                continue
            return response
        raise ChannelUnavailable(f"{method} {url}: {self.max_attempts} attempts failed ({last})")

    def deliver(self, *, reference: str, body: str, content_type: str) -> str:
        """POST one message; returns the authority's declaration id."""
        response = self._call(
            "POST",
            f"{self.base_url}/declarations",
            data=body.encode(),
            headers=self._headers(**{"Content-Type": content_type, "Idempotency-Key": reference}),
        )
        if response.status_code in (200, 201, 202):
            location = response.headers.get("Location", "")
            if location:
                return location.rstrip("/").rsplit("/", 1)[-1][:64]
            try:
                return str(response.json()["declarationId"])[:64]
            except (ValueError, KeyError, TypeError) as error:
                raise ChannelUnavailable("the answer names no declaration") from error
        try:
            anomalies = response.json().get("anomalies") or []
        except (ValueError, AttributeError):
            anomalies = []
        codes = tuple(str(a.get("code", "")) for a in anomalies) or (
            f"HTTP {response.status_code}",
        )
        messages = tuple(str(a.get("label", "")) for a in anomalies) or (response.text[:300],)
        raise ChannelRefused(codes, messages)

    def status(self, *, reference: str, authority_reference: str) -> Outcome:
        response = self._call(
            "GET", f"{self.base_url}/declarations/{authority_reference}", headers=self._headers()
        )
        if response.status_code == 404:  # not processed yet
            return Outcome(reference=reference, accepted=None)
        try:
            data = response.json()
        except ValueError as error:
            raise AnswerUnreadable(
                f"the status answer is not JSON (HTTP {response.status_code})", raw=response.text
            ) from error
        try:
            return parse_rest_status(reference, data)
        except AnswerUnreadable as error:
            error.raw = response.text
            raise


def http_channel(setting) -> HttpChannel:
    credentials = getattr(settings, "SMARTCOOP_DECLARATION_CREDENTIALS", {})
    return HttpChannel(
        base_url=setting.base_url.rstrip("/"),
        token=credentials.get(setting.credentials_name, "") if setting.credentials_name else "",
        timeout=float(setting.timeout_seconds),
        max_attempts=setting.max_attempts,
        backoff=getattr(settings, "SMARTCOOP_DECLARATION_BACKOFF_SECONDS", 2.0),
    )
