"""The key figures as CSV and XLSX. Text cells that a spreadsheet would take for a formula
(= + - @ tab CR) are written with a leading apostrophe (smartcoop.core.spreadsheets)."""

from __future__ import annotations

import io
from decimal import Decimal

from smartcoop.core.spreadsheets import csv_safe, safe_writer

from .report import KeyFigures, flat_rows


def to_csv(figures: KeyFigures) -> str:
    stream = io.StringIO()
    writer = safe_writer(stream)
    writer.writerows(flat_rows(figures))
    return stream.getvalue()


def to_xlsx(figures: KeyFigures) -> bytes:
    """One sheet per table (title row, columns, rows, total), amounts as numbers."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for table in figures.tables:
        sheet = book.create_sheet(title=_sheet_name(table.title, book.sheetnames))
        sheet.append([csv_safe(table.title), str(figures.scope.year)])
        header = ["", *[c.label for c in table.columns]]
        header += [str(figures.scope.year - 1), "%"]
        sheet.append([csv_safe(str(h)) for h in header])
        for row in [*table.rows, *([table.total] if table.total else [])]:
            cells: list = [csv_safe(row.label)]
            cells += [_number(row.values[c.key]) for c in table.columns]
            cells += [_number(row.previous), _number(row.change)]
            sheet.append(cells)
        sheet.column_dimensions["A"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _number(value):
    # openpyxl writes Decimal as a number cell; None stays empty.
    if isinstance(value, Decimal | int) or value is None:
        return value
    return csv_safe(str(value))


def _sheet_name(title: str, taken: list[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28]
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name[:25]} {n}", n + 1
    return candidate
