"""CSV exports that a spreadsheet opens safely: a text cell starting with `=`, `+`, `-`, `@`, a tab
or a carriage return is a formula to Excel or LibreOffice (CSV injection, OWASP), so it is written
with a leading apostrophe. Numbers (int, Decimal) are written as they are."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """`value` as a cell no spreadsheet runs: text that starts like a formula gets a `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose text cells pass through `csv_safe`."""

    def __init__(self, stream, **kwargs: Any) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_safe(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(stream, **kwargs: Any) -> SafeWriter:
    return SafeWriter(stream, **kwargs)
