from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from smartcoop.countries import ParameterError, ParameterNotInForce, param, parameter_tables
from smartcoop.countries.params import load_file


def every_change():
    """(key, previous value or None, value, date of the change) for every value in every table."""
    for key, table in sorted(parameter_tables().items()):
        previous = None
        for entry in table.values:
            yield pytest.param(
                key, previous, entry.value, entry.valid_from, id=f"{key}@{entry.valid_from}"
            )
            previous = entry.value


@pytest.mark.parametrize(("key", "before", "after", "changed_on"), list(every_change()))
def test_every_change_applies_from_its_day_and_not_the_day_before(key, before, after, changed_on):
    assert param(key, on=changed_on) == after
    day_before = changed_on - timedelta(days=1)
    if before is None:
        with pytest.raises(ParameterNotInForce, match=key):
            param(key, on=day_before)
    else:
        assert param(key, on=day_before) == before


def test_belgian_student_quota_follows_the_law():
    assert param("be.student_hours_quota", on=date(2022, 12, 31)) == 475
    assert param("be.student_hours_quota", on=date(2023, 1, 1)) == 600
    assert param("be.student_hours_quota", on=date(2024, 12, 31)) == 600
    assert param("be.student_hours_quota", on=date(2025, 1, 1)) == 650


def test_values_are_decimals_and_every_value_names_its_source():
    assert param("be.fee_rate", on=date(2026, 3, 1)) == Decimal("0.065")
    assert isinstance(param("be.coefficient_employee", on=date(2026, 3, 1)), Decimal)
    assert param("be.vat_rates", on=date(2026, 1, 1))["standard"] == Decimal("0.21")
    for table in parameter_tables().values():
        for entry in table.values:
            assert len(entry.source) >= 5, table.key


def test_an_unknown_parameter_is_an_error_naming_it():
    with pytest.raises(ParameterNotInForce, match=r"be\.no_such_thing"):
        param("be.no_such_thing", on=date(2026, 1, 1))


def write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "smartcoop" / "countries" / "xx" / "params"
    folder.mkdir(parents=True)
    file = folder / "broken.yaml"
    file.write_text(text)
    return file


@pytest.fixture
def packs_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "smartcoop.countries.params.PACKS_DIR", tmp_path / "smartcoop" / "countries"
    )
    return tmp_path


VALID_VALUE = '    - from: 2020-01-01\n      value: "0.1"\n      source: "Law of 1 Jan 2020"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "rate:\n  description: d\n  unit: ratio\n  values:\n    - from: 2020-01-01\n      value: 0.1\n"
            "      source: Law of 2020\n",
            "float 0.1 is not allowed",
        ),
        (
            "rate:\n  description: d\n  unit: ratio\n  colour: red\n  values:\n" + VALID_VALUE,
            "unknown keys ['colour']",
        ),
        (
            'rate:\n  description: d\n  unit: ratio\n  values:\n    - value: "0.1"\n      source: Law x\n',
            "missing 'from'",
        ),
        (
            'rate:\n  description: d\n  unit: ratio\n  values:\n    - from: 2020-01-01\n      value: "0.1"\n',
            "missing 'source'",
        ),
        (
            "rate:\n  description: d\n  unit: ratio\n  values:\n" + VALID_VALUE + VALID_VALUE,
            "strictly increasing",
        ),
        (
            'rate:\n  description: d\n  unit: ratio\n  values:\n    - from: soon\n      value: "1"\n'
            "      source: Law of 2020\n",
            "'from' must be a date",
        ),
        (
            "rate:\n  description: d\n  unit: ratio\n  values:\n    - from: 2020-01-01\n      value: lots\n"
            "      source: Law of 2020\n",
            "is not a decimal number",
        ),
        ("rate:\n  description: d\n  unit: furlongs\n  values:\n" + VALID_VALUE, "unknown unit"),
    ],
)
def test_a_broken_table_is_refused_naming_the_file_and_the_key(packs_dir, text, message):
    file = write(packs_dir, text)
    with pytest.raises(ParameterError) as error:
        load_file(file, "xx")
    assert "smartcoop/countries/xx/params/broken.yaml" in str(error.value)
    assert "xx.rate" in str(error.value)
    assert message in str(error.value)


def test_a_valid_table_loads(packs_dir):
    tables = load_file(
        write(packs_dir, "rate:\n  description: d\n  unit: ratio\n  values:\n" + VALID_VALUE), "xx"
    )
    assert tables["xx.rate"].at(date(2021, 1, 1)).value == Decimal("0.1")
