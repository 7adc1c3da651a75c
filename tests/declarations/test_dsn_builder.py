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


def test_the_deadline_is_the_5th_from_50_workers_else_the_15th_at_noon(settings):
    import datetime as dt

    from django.utils import timezone

    from declarations import services_dsn
    from smartcoop.countries.registry import load_pack

    settings.COUNTRY_PACK = load_pack("FR")
    large = timezone.localtime(services_dsn.dsn_due(dt.date(2026, 3, 1), 50))
    small = timezone.localtime(services_dsn.dsn_due(dt.date(2026, 3, 1), 49))
    assert (large.date(), large.hour) == (dt.date(2026, 4, 5), 12)
    assert (small.date(), small.hour) == (dt.date(2026, 4, 15), 12)
    december = timezone.localtime(services_dsn.dsn_due(dt.date(2026, 12, 1), 3))
    assert december.date() == dt.date(2027, 1, 15)


def test_a_nir_the_dsn_refuses_is_named_before_any_file_is_made():
    import datetime as dt
    from types import SimpleNamespace

    from declarations import services_dsn

    def fields(nir: str, born: dt.date | None):
        member = SimpleNamespace(national_number=nir, birth_date=born)
        return [p.field for p in services_dsn._member_problems(member, "Sam")]

    assert fields("185077505612345", dt.date(1985, 7, 30)) == []
    assert fields("185077505612345", dt.date(1986, 7, 30)) == ["member.birth_date"]
    assert fields("785077505612345", dt.date(1985, 7, 30)) == ["member.national_number"]
    assert fields("", None) == ["member.national_number", "member.birth_date"]
