"""Dated parameter tables: rates, ceilings, scales and coefficients, each value with its source.

Each country keeps YAML files in `smartcoop/countries/<cc>/params/`. A file maps parameter names to
a table::

    fee_rate:
      description: Management fee kept on invoiced amounts excluding VAT
      unit: ratio
      values:
        - from: 2015-01-01
          value: "0.065"
          source: "Smart annual report 2020, income statement: 'Afhouding 6,5%'"

The full key is `<cc>.<name>` (e.g. `be.fee_rate`). A value holds from its `from` date until the
next entry's `from`. The loader is strict because a wrong rate silently pays people wrongly:
unknown keys, floats (write decimals as quoted strings), missing or unordered dates and missing
sources are errors naming the file and key.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

PACKS_DIR = Path(__file__).resolve().parent

NUMERIC_UNITS = {
    "ratio",
    "coefficient",
    "currency",
    "hours",
    "days",
    "months",
    "count",
    "percent_points",
}
# `table` holds structured values (scales, brackets, per-category maps): numeric-looking strings
# become Decimals, other strings stay text. `text` holds a plain string, `boolean` a yes/no.
UNITS = NUMERIC_UNITS | {"table", "text", "boolean"}
TABLE_KEYS = {"description", "unit", "values"}
VALUE_KEYS = {"from", "value", "source", "note"}


class ParameterError(Exception):
    """A parameter file is broken; the message names the file and the key."""


class ParameterNotInForce(LookupError):
    """No value of this parameter applies on the date asked for."""


@dataclass(frozen=True)
class ParameterValue:
    valid_from: date
    value: Any
    source: str
    note: str = ""


@dataclass(frozen=True)
class ParameterTable:
    key: str
    description: str
    unit: str
    values: tuple[ParameterValue, ...]
    file: Path

    def at(self, on: date) -> ParameterValue:
        found = None
        for entry in self.values:
            if entry.valid_from <= on:
                found = entry
            else:
                break
        if found is None:
            raise ParameterNotInForce(
                f"{self.key} has no value on {on.isoformat()} (first value from "
                f"{self.values[0].valid_from.isoformat()})"
            )
        return found


def _fail(file: Path, key: str, message: str) -> ParameterError:
    return ParameterError(f"{file.relative_to(PACKS_DIR.parent.parent)}: {key}: {message}")


def _convert(raw: Any, unit: str, file: Path, key: str) -> Any:
    if isinstance(raw, float):
        raise _fail(file, key, f"float {raw!r} is not allowed; write it as a quoted decimal string")
    if isinstance(raw, bool):
        if unit not in {"boolean", "table"}:
            raise _fail(file, key, f"boolean {raw!r} in a table of unit {unit!r}")
        return raw
    if unit == "boolean":
        raise _fail(file, key, f"expected true or false, got {raw!r}")
    if isinstance(raw, dict):
        if unit != "table":
            raise _fail(file, key, f"a mapping needs unit 'table', not {unit!r}")
        return {str(k): _convert(v, unit, file, f"{key}.{k}") for k, v in raw.items()}
    if isinstance(raw, list):
        if unit != "table":
            raise _fail(file, key, f"a list needs unit 'table', not {unit!r}")
        return tuple(_convert(v, unit, file, f"{key}[{i}]") for i, v in enumerate(raw))
    if isinstance(raw, int):
        return Decimal(raw) if unit != "text" else str(raw)
    if isinstance(raw, str):
        if unit == "text":
            return raw
        try:
            number = Decimal(raw)
        except InvalidOperation:
            if unit == "table":
                return raw
            raise _fail(file, key, f"{raw!r} is not a decimal number (unit {unit!r})") from None
        if not number.is_finite():
            raise _fail(file, key, f"{raw!r} is not a finite number")
        return number
    raise _fail(file, key, f"unsupported value {raw!r}")


def load_file(file: Path, country: str) -> dict[str, ParameterTable]:
    try:
        document = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterError(f"{file}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise ParameterError(f"{file}: expected a mapping of parameter names to tables")
    tables: dict[str, ParameterTable] = {}
    for name, table in document.items():
        key = f"{country}.{name}"
        if not isinstance(table, dict):
            raise _fail(file, key, "expected a mapping with description, unit and values")
        unknown = set(table) - TABLE_KEYS
        if unknown:
            raise _fail(
                file, key, f"unknown keys {sorted(unknown)} (allowed: {sorted(TABLE_KEYS)})"
            )
        missing = TABLE_KEYS - set(table)
        if missing:
            raise _fail(file, key, f"missing {sorted(missing)}")
        unit = table["unit"]
        if unit not in UNITS:
            raise _fail(file, key, f"unknown unit {unit!r} (allowed: {sorted(UNITS)})")
        raw_values = table["values"]
        if not isinstance(raw_values, list) or not raw_values:
            raise _fail(file, key, "values must be a non-empty list")
        values: list[ParameterValue] = []
        for index, entry in enumerate(raw_values):
            where = f"{key}.values[{index}]"
            if not isinstance(entry, dict):
                raise _fail(file, where, "expected a mapping with from, value and source")
            unknown = set(entry) - VALUE_KEYS
            if unknown:
                raise _fail(
                    file, where, f"unknown keys {sorted(unknown)} (allowed: {sorted(VALUE_KEYS)})"
                )
            for required in ("from", "value", "source"):
                if required not in entry or entry[required] in (None, ""):
                    raise _fail(file, where, f"missing {required!r}")
            if not isinstance(entry["from"], date):
                raise _fail(
                    file, where, f"'from' must be a date (YYYY-MM-DD), got {entry['from']!r}"
                )
            if not isinstance(entry["source"], str) or len(entry["source"].strip()) < 5:
                raise _fail(file, where, "'source' must name the legal or published source")
            if values and entry["from"] <= values[-1].valid_from:
                raise _fail(file, where, "dates must be strictly increasing")
            values.append(
                ParameterValue(
                    valid_from=entry["from"],
                    value=_convert(entry["value"], unit, file, where),
                    source=entry["source"].strip(),
                    note=str(entry.get("note", "")),
                )
            )
        if key in tables:
            raise _fail(file, key, "defined twice")
        tables[key] = ParameterTable(key, str(table["description"]), unit, tuple(values), file)
    return tables


def load_directory(directory: Path, country: str) -> dict[str, ParameterTable]:
    tables: dict[str, ParameterTable] = {}
    for file in sorted(directory.glob("*.yaml")):
        for key, table in load_file(file, country).items():
            if key in tables:
                raise _fail(file, key, f"already defined in {tables[key].file.name}")
            tables[key] = table
    return tables


@functools.cache
def parameter_tables() -> dict[str, ParameterTable]:
    """Every country's tables, loaded once; a broken file stops start-up."""
    tables: dict[str, ParameterTable] = {}
    for params_dir in sorted(PACKS_DIR.glob("*/params")):
        tables.update(load_directory(params_dir, params_dir.parent.name))
    return tables


def param_entry(key: str, *, on: date) -> ParameterValue:
    try:
        table = parameter_tables()[key]
    except KeyError:
        raise ParameterNotInForce(f"unknown parameter {key!r}") from None
    return table.at(on)


def legal_reference(source: str) -> str:
    """The legal text a parameter's source names, short enough for a message to a person: the
    part before any parenthesis or ";" ("Code de commerce art. L441-10 II (loi LME 2008)" →
    "Code de commerce art. L441-10 II")."""
    for stop in ("(", ";"):
        source = source.split(stop, 1)[0]
    return source.strip().rstrip(",.:") or source


_REQUIRED = object()


def param(key: str, *, on: date, default: Any = _REQUIRED) -> Any:
    """The value of a dated parameter on the date of the fact, e.g. `param("be.fee_rate", on=d)`;
    `default` when given is returned for a parameter the pack does not have on that date."""
    try:
        return param_entry(key, on=on).value
    except ParameterNotInForce:
        if default is _REQUIRED:
            raise
        return default
