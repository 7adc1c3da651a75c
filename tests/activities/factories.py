"""Factories of Activities' tests. Members are created with the ORM (the members app owns them)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import factory
from django_scopes import scope

from activities import services
from activities.models import Activity, ActivityMembership
from members.models import Member
from smartcoop.core.models import LegalEntity
from smartcoop.core.sectors import Sector
from tests.factories import LegalEntityFactory, UserFactory

_numbers = itertools.count(50_000)


def make_member(*, user=None, office=None, status=Member.Status.ACTIVE, **fields) -> Member:
    """A member with paid shares (status active unless told), with an account by default."""
    if user is None:
        user = UserFactory()
    return Member.objects.create(
        user=user,
        status=status,
        member_number=next(_numbers),
        first_name=fields.pop("first_name", user.first_name if user else "Sam"),
        last_name=fields.pop("last_name", user.last_name if user else "Member"),
        email=fields.pop("email", user.email if user else f"m{next(_numbers)}@example.org"),
        office=office,
        **fields,
    )


ACTIVITIES_ENTITY_SLUG = "activities-tests"


def activities_entity() -> LegalEntity:
    """The entity of the Activities tests: Activities are made there unless a test says
    otherwise, and test bodies run in its scope (`entity_scope("activities_entity")`)."""
    existing = LegalEntity.objects.filter(slug=ACTIVITIES_ENTITY_SLUG).first()
    return existing or LegalEntityFactory(slug=ACTIVITIES_ENTITY_SLUG)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    entity = factory.LazyFunction(activities_entity)
    name = factory.Sequence(lambda n: f"Activity {n}")
    sector = Sector.MUSIC
    status = Activity.Status.ACTIVE
    coordinator = factory.LazyFunction(make_member)

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        if create:
            ActivityMembership.objects.get_or_create(
                activity=self,
                member=self.coordinator,
                defaults={"can_invoice": True, "can_request_salary": True, "can_spend": True},
            )


def credit(activity, amount, *, on=None, source=None):
    """Credit a client payment (and its fee) to the Activity (set-up: in the Activity's scope)."""
    with scope(entity=activity.entity_id):
        return _credit(activity, amount, on=on, source=source)


def _credit(activity, amount, *, on=None, source=None):
    return services.activity_credit_client_payment(
        activity=activity,
        amount_excl_vat=Decimal(amount),
        on=on or dt.date.today(),
        source_type="tests.payment",
        source_id=source or str(next(_numbers)),
        actor=None,
    )


def salary_contract(
    activity, *, gross="100.00", start=None, days=1, contract_type="employee", member=None, **kwargs
):
    with scope(entity=activity.entity_id):  # set-up: in the Activity's scope
        return _salary_contract(
            activity,
            gross=gross,
            start=start,
            days=days,
            contract_type=contract_type,
            member=member,
            **kwargs,
        )


def _salary_contract(activity, *, gross, start, days, contract_type, member, **kwargs):
    start = start or dt.date.today() + dt.timedelta(days=7 + next(_numbers) % 3000)
    return services.contract_request_salary(
        activity=activity,
        member=member or activity.coordinator,
        contract_type=contract_type,
        start_date=start,
        end_date=start + dt.timedelta(days=days - 1),
        hours=Decimal("8"),
        gross_wage=Decimal(gross),
        function="Musician",
        actor=None,
        **kwargs,
    )
