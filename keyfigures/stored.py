"""Closed years kept as stored yearly aggregates.

The figures of a year before the current one hardly move once the year is over, and computing
them means reading the whole year (at ten times Smart, 1.5 M invoices and 1.4 M contracts). So
the figures of a closed year are computed once by a worker (`store_year`: nightly for the last
closed years, or when staff ask from the page) and kept in `YearFigures`, one row per year and
scope; the page reads that row and says when it was computed. The current year is always
computed live. A stored row is exactly what the live computation gives (Decimals kept as their
text, so 1300.00 comes back as 1300.00), which a test checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, replace
from decimal import Decimal
from typing import Any

from django.utils import timezone

from smartcoop.core.models import LegalEntity

from . import selectors
from .models import YearFigures
from .selectors import Scope

DECIMAL = "__decimal__"
COMPUTED_AT = "computed_at"


def scope_key(scope: Scope) -> str:
    """The scope without its year, as the row's key: the same filters give the same key."""
    entities = ",".join(str(pk) for pk in sorted(scope.entity_ids))
    return (
        f"entities={entities};sector={scope.sector};contract_type={scope.contract_type};"
        f"tool={scope.tool};office={scope.office_id or ''}"
    )


def encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {DECIMAL: str(value)}
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {DECIMAL}:
            return Decimal(value[DECIMAL])
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


def is_closed(year: int) -> bool:
    return year < timezone.localdate().year


def stored(scope: Scope) -> YearFigures | None:
    if not is_closed(scope.year):
        return None
    return YearFigures.objects.filter(year=scope.year, scope_key=scope_key(scope)).first()


def figures_for(scope: Scope) -> dict[str, Any]:
    """A year's figures for the page: the stored aggregate of a closed year when there is one
    (with its `computed_at`), otherwise computed live (`computed_at` None)."""
    row = stored(scope)
    if row is not None:
        return decode(row.figures) | {COMPUTED_AT: row.computed_at}
    return selectors.year_figures(scope) | {COMPUTED_AT: None}


def store_year(scope: Scope) -> YearFigures:
    """Compute a closed year's figures live and keep them (replacing what was kept)."""
    if not is_closed(scope.year):
        raise ValueError(f"{scope.year} is not closed: its figures are computed live")
    figures = encode(selectors.year_figures(scope))
    row, _created = YearFigures.objects.update_or_create(
        year=scope.year,
        scope_key=scope_key(scope),
        defaults={
            "scope": {k: v for k, v in asdict(scope).items() if k != "year"},
            "figures": figures,
            "computed_at": timezone.now(),
        },
    )
    return row


def scope_of(row: YearFigures) -> Scope:
    fields = row.scope | {"year": row.year}
    return Scope(**(fields | {"entity_ids": tuple(fields["entity_ids"])}))


def nightly_scopes(today: dt.date) -> list[Scope]:
    """What the nightly task computes again: the two last closed years (the page for last year
    compares it with the year before) for all entities together and for each entity alone,
    unfiltered, and every other scope of those years that staff asked to keep."""
    entity_ids = tuple(LegalEntity.objects.order_by("pk").values_list("pk", flat=True))
    scopes: dict[tuple[int, str], Scope] = {}
    for year in (today.year - 1, today.year - 2):
        every = Scope(year=year, entity_ids=entity_ids)
        for scope in [every, *(replace(every, entity_ids=(pk,)) for pk in entity_ids)]:
            scopes[(year, scope_key(scope))] = scope
    for row in YearFigures.objects.filter(year__gte=today.year - 2).order_by("year", "pk"):
        scopes.setdefault((row.year, row.scope_key), scope_of(row))
    return list(scopes.values())
