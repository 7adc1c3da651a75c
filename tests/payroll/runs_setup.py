"""Set-up of the pay-run tests: an Activity with budget and workers who have declared
contracts of next month (IBAN and national number given unless told)."""

from __future__ import annotations

import datetime as dt
import itertools

from django_scopes import scope

from activities.models import ActivityMembership
from activities.services import contract_declare, contract_validate
from tests.activities.factories import ActivityFactory, credit, make_member, salary_contract

_numbers = itertools.count(1)
IBANS = ["BE71096123456769", "BE68539007547034", "BE62510007547061", "NL91ABNA0417164300"]


def next_month_start() -> dt.date:
    today = dt.date.today()
    return (today.replace(day=28) + dt.timedelta(days=40)).replace(day=1)


def funded_activity(amount: str = "500000.00"):
    activity = ActivityFactory()
    credit(activity, amount)
    return activity


def worker(activity, *, iban: str | None = None, national_number: str = "auto"):
    n = next(_numbers)
    member = make_member(
        iban=IBANS[n % len(IBANS)] if iban is None else iban,
        national_number=f"85{n:09d}"[:11] if national_number == "auto" else national_number,
    )
    ActivityMembership.objects.create(activity=activity, member=member, can_request_salary=True)
    return member


def due_contract(
    activity,
    member,
    *,
    day: int = 2,
    gross: str = "400.00",
    declare: bool = True,
    joint_committee: str | None = None,
):
    """`joint_committee`: what the contract names instead of the default of its type that it
    gets when it is made (PC 200 for an employee; "": none, the run warns)."""
    made = salary_contract(
        activity, member=member, gross=gross, start=next_month_start() + dt.timedelta(days=day)
    )
    with scope(entity=activity.entity_id):
        if joint_committee is not None:
            type(made).objects.filter(pk=made.pk).update(joint_committee=joint_committee)
            made.refresh_from_db()
        made = contract_validate(contract=made, actor=None)
        if declare:
            made = contract_declare(contract=made, actor=None)
    return made
