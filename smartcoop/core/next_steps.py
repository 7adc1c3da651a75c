"""Where a person should go first after logging in, when something is waiting for them
(e.g. a newcomer's onboarding): apps register a function; the first one that answers wins.

And the member dashboard's list of next steps: apps register a provider of `Step`s (join,
pay the shares, create an Activity, add a client, invoice, pay yourself…)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.functional import Promise

if TYPE_CHECKING:
    from .models import User

logger = logging.getLogger(__name__)

_NEXT_STEPS: list[Callable[[User], str | None]] = []


def register_next_step(step: Callable[[User], str | None]) -> None:
    if step not in _NEXT_STEPS:
        _NEXT_STEPS.append(step)


def next_step_url(user: User) -> str | None:
    for step in _NEXT_STEPS:
        url = step(user)
        if url:
            return url
    return None


# --- The member dashboard's "what to do next" -------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One thing the person can do now, with where to do it."""

    label: str | Promise
    url: str
    note: str | Promise = ""
    # "todo" (do it), "waiting" (someone else acts; shown so the person knows), "done".
    state: str = "todo"


@dataclass(frozen=True)
class _Provider:
    order: int
    steps: Callable[[HttpRequest], list[Step]]


_PROVIDERS: dict[str, _Provider] = {}


def register_dashboard_steps(
    key: str, steps: Callable[[HttpRequest], list[Step]], *, order: int = 100
) -> None:
    """An app says what a person could do next in its part of the platform (from its
    AppConfig.ready()); `steps(request)` uses the app's scoped selectors."""
    _PROVIDERS[key] = _Provider(order, steps)


def dashboard_steps(request: HttpRequest, *, limit: int = 4) -> list[Step]:
    """The first steps to do (then the ones waiting on someone else), in the apps' order."""
    todo: list[Step] = []
    waiting: list[Step] = []
    for provider in sorted(_PROVIDERS.values(), key=lambda p: p.order):
        try:
            steps = provider.steps(request)
        except Exception:
            logger.exception("next steps of %s failed", provider.steps)
            continue
        for step in steps:
            (waiting if step.state == "waiting" else todo).append(step)
    return (todo + waiting)[:limit]
