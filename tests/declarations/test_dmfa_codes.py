"""DmfA worker lines of manual workers, artists and students: an artist's ordinary contribution is
declared at 108 % (type 1) and includes the quarterly holiday-fund contribution, not the annual
one (debit notice); a student under a manual workers' joint committee is 840, else 841."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from activities.models import EmploymentContract
from declarations import dmfa, services
from tests.activities.factories import make_member

from .helpers import worker_activity
from .test_dmfa import next_month_start, paid

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("entity")]


def records(declaration) -> dict[str, etree._Element]:
    root = etree.fromstring(declaration.payload.encode())
    return {r.findtext("../INSS"): r for r in root.iter("WorkerRecord")}


def line(payslip, code: str) -> Decimal:
    return sum((Decimal(x["amount"]) for x in payslip.lines if x["code"] == code), Decimal("0"))


def test_an_artist_is_declared_at_108_percent_with_the_quarterly_holiday_contribution(entity):
    activity = worker_activity(entity)
    artist = make_member(national_number="91031599961", birth_date=dt.date(1991, 3, 15))
    payslip = paid(activity, artist, "artistic", [6])
    quarterly, annual = (
        line(payslip, "holiday_fund_quarterly"),
        line(payslip, "holiday_fund_annual"),
    )
    assert quarterly > 0 and annual > 0
    # staff recorded the performing arts' committee with a sub-committee on the contract
    EmploymentContract.objects.with_scopes_disabled().filter(
        pk__in=payslip.paid_contracts.values("contract_id")
    ).update(joint_committee="304.01")
    declaration = services.dmfa_build_quarter(
        entity=entity, quarter=dmfa.quarter_of(next_month_start()), actor=None
    )
    assert declaration.status == "ready", declaration.problems
    assert dmfa.dmfa_errors(declaration.payload.encode()) == []
    occupation = records(declaration)["91031599961"]
    assert [e.text for e in occupation.iter("JointCommissionNbr")] == ["304.01"]
    contribution = records(declaration)["91031599961"].find("WorkerContribution")
    assert contribution.findtext("ContributionType") == "1"
    expected = sum(line(payslip, code) for code in dmfa.CONTRIBUTIONS)
    assert int(contribution.findtext("ContributionAmount")) == int(expected * 100)
    without_holiday = expected - quarterly
    assert int(contribution.findtext("ContributionAmount")) > int(without_holiday * 100)
    basis = int(contribution.findtext("ContributionCalculationBasis"))
    assert basis == int(payslip.gross * Decimal("1.08") * 100)


def test_a_student_on_a_manual_workers_committee_is_840_else_841(entity):
    activity = worker_activity(entity)
    manual = make_member(national_number="90020199745", birth_date=dt.date(2005, 3, 1))
    office = make_member(national_number="91031599961", birth_date=dt.date(2005, 6, 1))
    on_site = paid(activity, manual, "student", [4])
    paid(activity, office, "student", [5])
    EmploymentContract.objects.with_scopes_disabled().filter(
        pk__in=on_site.paid_contracts.values("contract_id")
    ).update(joint_committee="124.00")  # staff recorded a sub-committee
    declaration = services.dmfa_build_quarter(
        entity=entity, quarter=dmfa.quarter_of(next_month_start()), actor=None
    )
    assert declaration.status == "ready", declaration.problems
    assert dmfa.dmfa_errors(declaration.payload.encode()) == []
    found = records(declaration)
    assert found["90020199745"].findtext("WorkerCode") == "840"
    assert found["91031599961"].findtext("WorkerCode") == "841"
    assert found["90020199745"].find("StudentContribution") is not None


def test_a_young_artist_is_047_and_a_manual_worker_015_both_at_108_percent(entity):
    activity = worker_activity(entity)
    month = next_month_start()
    # turns 18 in the quarter's year: an artist up to the year of 18 is 047, from 19 on 046
    born = dt.date(month.year - 18, 3, 15)
    first9 = born.strftime("%y%m%d") + "001"
    inss = first9 + f"{97 - int('2' + first9) % 97:02d}"  # born from 2000: "2" in front
    young = make_member(national_number=inss, birth_date=born)
    paid(activity, young, "artistic", [6])
    declaration = services.dmfa_build_quarter(
        entity=entity, quarter=dmfa.quarter_of(month), actor=None
    )
    assert declaration.status == "ready", declaration.problems
    assert dmfa.dmfa_errors(declaration.payload.encode()) == []
    record = records(declaration)[inss]
    assert record.findtext("WorkerCode") == "047"
    assert record.findtext("WorkerContribution/ContributionType") == "1"

    # No contract type of the Belgian pack is a manual worker's yet: the builder's line for one
    assert dmfa.worker_code("manual_worker", birth_date=dt.date(1990, 1, 1), year=2026) == "015"
    occupation = dmfa.Occupation(
        start=dt.date(2026, 4, 2),
        end=dt.date(2026, 4, 2),
        joint_committee="124",
        hours=Decimal("8"),
        gross=Decimal("200.00"),
    )
    line = dmfa.WorkerLine(
        inss="85073003328",
        worker_code="015",
        occupations=(occupation,),
        gross=Decimal("200.00"),
        contribution_basis=Decimal("216.00"),
        contributions=Decimal("80.00"),
        work_bonus=Decimal("0"),
        structural_reduction=Decimal("0"),
    )
    document = dmfa.dmfa_xml(
        dmfa.DmfaInput(
            reference="r015",
            created_at=dt.datetime(2026, 7, 1, 9, 0),
            quarter="20262",
            employer_noss="175110801",
            company_id="0403170701",
            workers=(line,),
        )
    )
    assert dmfa.dmfa_errors(document) == []
    contribution = etree.fromstring(document).find(".//WorkerContribution")
    assert contribution.findtext("ContributionWorkerCode") == "015"
    assert contribution.findtext("ContributionType") == "1"
    assert contribution.findtext("ContributionCalculationBasis") == "00000021600"


def test_an_artist_is_047_only_as_a_part_time_pupil_until_the_year_they_turn_18():
    """Annex 2 (AN2022-2): 047 for artists who are part-time pupils until 31 December of the
    year they turn 18; 046 for the others. Without a pupil status, by age alone."""
    turns_18 = dt.date(2008, 11, 30)  # 18 in 2026
    turns_19 = dt.date(2007, 1, 1)
    code = dmfa.worker_code
    assert code("artist", birth_date=turns_18, year=2026, part_time_pupil=True) == "047"
    assert code("artist", birth_date=turns_18, year=2026, part_time_pupil=False) == "046"
    assert code("artist", birth_date=turns_19, year=2026, part_time_pupil=True) == "046"
    # no pupil status recorded (smartcoop has none): the approximation by age
    assert code("artist", birth_date=turns_18, year=2026) == "047"
    assert code("artist", birth_date=turns_19, year=2026) == "046"
