"""The French pack: the Activity tool only, CDDU/CAPE/CDI."""

import datetime as dt
from decimal import Decimal

import pytest

from activities import calculations, services
from smartcoop.core.errors import ValidationFailed
from smartcoop.countries.registry import load_pack
from tests.activities.factories import ActivityFactory, credit

# Code under test runs in the scope of the Activities tests' entity (see factories).
pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]


@pytest.fixture
def france(settings):
    settings.COUNTRY_PACK = load_pack("FR")
    return settings.COUNTRY_PACK


def test_contract_tool_is_not_offered_in_france(france):
    activity = ActivityFactory()
    start = dt.date.today() + dt.timedelta(days=3)
    with pytest.raises(ValidationFailed):
        services.contract_create_for_performance(
            activity=activity,
            member=activity.coordinator,
            contract_type="cddu",
            start_date=start,
            end_date=start,
            hours=Decimal("7"),
            price_excl_vat=Decimal("500"),
            function="x",
            source_type="t",
            source_id="1",
            actor=None,
        )


def test_cddu_salary_from_the_budget(france):
    activity = ActivityFactory()
    credit(activity, "1000.00")
    start = dt.date.today() + dt.timedelta(days=3)
    contract = services.contract_request_salary(
        activity=activity,
        member=activity.coordinator,
        contract_type="cddu",
        start_date=start,
        end_date=start,
        hours=Decimal("7"),
        gross_wage=Decimal("500"),
        function="x",
        actor=None,
    )
    assert contract.coefficient == Decimal("1.45")
    assert contract.employer_cost == Decimal("725.00")
    # FR wage rule: the 10th of the next month.
    assert contract.wage_due_on.day == 10


def test_simulator_in_france(france):
    simulation = calculations.simulate(
        amount_excl_vat=Decimal("1000"), pack=france, on=dt.date(2026, 3, 1)
    )
    assert {line.contract_type for line in simulation.lines} == {"cddu", "cape", "cdi"}
