"""Pages assembled from parts other apps contribute (dashboard figures and panels, the sections
of the member 360° page): each part is computed in order for this user; one that raises is
logged with its key and left out, so one broken part never takes the whole page down."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Protocol

from django.http import HttpRequest

from .roles import Permission, has_permission

logger = logging.getLogger(__name__)


class Part(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def order(self) -> int: ...

    @property
    def permission(self) -> Permission | None: ...


def computed_parts[P: Part, R](
    parts: Iterable[P], request: HttpRequest, compute: Callable[[P], R | None], *, kind: str
) -> list[tuple[P, R]]:
    """The parts the user may see (their permission), by `order`, with what `compute` returned;
    None means nothing to show. A part whose computation raises is logged ("<kind> <key>
    failed", with its traceback, for staff) and skipped; the others are still shown."""
    shown = []
    for part in sorted(parts, key=lambda p: p.order):
        if part.permission is not None and not has_permission(request.user, part.permission):
            continue
        try:
            result = compute(part)
        except Exception:
            logger.exception("%s %s failed", kind, part.key)
            continue
        if result is not None:
            shown.append((part, result))
    return shown
