from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from smartcoop.core.templatetags.smartcoop import money

from ..report import Column, Table, TableRow
from ..report import chart_height as _chart_height

register = template.Library()


@register.simple_tag
def cell_value(value, column: Column) -> str:
    if value is None:
        return ""
    if column.kind == "money":
        return money(value)
    if column.kind == "decimal":
        return number_format(
            Decimal(value), decimal_pos=1 if value % 1 else 0, use_l10n=True, force_grouping=True
        )
    return number_format(value, use_l10n=True, force_grouping=True)


@register.simple_tag
def cell(row: TableRow, column: Column) -> str:
    return cell_value(row.values.get(column.key), column)


@register.filter
def chart_height(table: Table) -> int:
    return _chart_height(table)
