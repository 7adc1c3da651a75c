"""The DSN builder alone (no database): workers paid by the real French engine, intermittents
included, make a file the checker accepts, whose payments to the bodies add up to every payslip
line and the PAS; the same inputs give the same bytes."""

from __future__ import annotations

from decimal import Decimal

from declarations import dsn

from . import dsn_checker
from .dsn_samples import synthetic_month


def test_a_month_of_every_kind_of_worker_passes_the_checker():
    data = synthetic_month(25)
    content = dsn.dsn_text(data)
    assert dsn_checker.check(content) == []
    assert content == dsn.dsn_text(synthetic_month(25))
    # Intermittents: the Congés Spectacles base and contribution, paid to their fund.
    assert "27" in dsn_checker.values(content, "S21.G00.78.001")
    assert "066" in dsn_checker.values(content, "S21.G00.81.001")
    assert "CCS75" in dsn_checker.values(content, "S21.G00.20.001")
    assert "35" in dsn_checker.values(content, "S21.G00.53.003")  # hours of intermittents
    lines = sum(
        (item.amount for p in data.individuals for pay in p.payments for item in pay.contributions),
        Decimal("0"),
    )
    pas = sum((pay.pas_amount for p in data.individuals for pay in p.payments), Decimal("0"))
    assert sum(dsn_checker.amounts(content, "S21.G00.20.005"), Decimal("0")) == lines + pas
    assert sum(dsn_checker.amounts(content, "S21.G00.81.004"), Decimal("0")) == lines
    assert dsn_checker.values(content, "S90.G00.90.001") == [str(len(content.split("\r\n")) - 1)]


def test_text_fields_are_made_safe_for_the_flat_file():
    assert dsn.text("O'Brien  Zoë ", 80) == "O Brien Zoë"
    assert dsn.text("Zzzz top", 80) == "Zzz top"
    assert dsn.plain("Saint-Étienne", 50) == "Saint Etienne"
    assert dsn.percent(Decimal("0.00024"), 3) == "0.024"
