"""Status machines declared once. A model lists, for each step a user can take, the statuses the
step may start from (`STEPS`); its services refuse the step from any other status (checked under
the row lock) and its pages offer the step only when `obj.can(step)` — in templates
`{% if obj|can:"validate" %}` — so a button never appears for a step the service would refuse."""

from __future__ import annotations

from typing import ClassVar, Protocol


class _HasSteps(Protocol):
    STEPS: ClassVar[dict[str, tuple[str, ...]]]

    @property
    def status(self) -> str: ...


class StatusSteps:
    STEPS: ClassVar[dict[str, tuple[str, ...]]] = {}

    def can(self: _HasSteps, step: str) -> bool:
        """Whether `step` may start from the current status (KeyError for an unknown step)."""
        return self.status in self.STEPS[step]
