"""Where a person should go first after logging in, when something is waiting for them
(e.g. a newcomer's onboarding). Apps register a function; the first one that answers wins."""

from __future__ import annotations

from collections.abc import Callable

_NEXT_STEPS: list[Callable[[object], str | None]] = []


def register_next_step(step: Callable[[object], str | None]) -> None:
    if step not in _NEXT_STEPS:
        _NEXT_STEPS.append(step)


def next_step_url(user) -> str | None:
    for step in _NEXT_STEPS:
        url = step(user)
        if url:
            return url
    return None
