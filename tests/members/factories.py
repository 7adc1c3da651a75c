"""Factories and identifier helpers of the members tests."""

from __future__ import annotations

import itertools
from datetime import date

import factory

from members.models import Member
from smartcoop.core.fields import blind_index

_counter = itertools.count(1)


def be_national_number(birth: date, serial: int) -> str:
    """A valid Belgian INSZ for a birth date and a day serial (001-997): check digits are
    97 - (first nine digits mod 97), with a 2 prefixed for people born from 2000 on."""
    first9 = f"{birth:%y%m%d}{serial:03d}"
    base = int(("2" if birth.year >= 2000 else "") + first9)
    return f"{first9}{97 - base % 97:02d}"


def next_national_number(birth: date = date(1990, 5, 17)) -> str:
    return be_national_number(birth, next(_counter) % 997 + 1)


class MemberFactory(factory.django.DjangoModelFactory):
    """An onboarded applicant (all four steps done) with a Belgian national number."""

    class Meta:
        model = Member

    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Member{n:05d}")
    email = factory.Sequence(lambda n: f"member{n}@example.org")
    kind = Member.Kind.PERSON
    birth_date = date(1990, 5, 17)
    national_number = factory.LazyAttribute(lambda o: next_national_number(o.birth_date))
    national_number_index = factory.LazyAttribute(lambda o: blind_index(o.national_number))
    street = "Rue Haute 1"
    postcode = "1000"
    city = "Bruxelles"
    country = "BE"
    nationality = "BE"
    iban = "BE68539007547034"
    bic = "GKCCBEBB"
    language = "en"
    profession = "Sound engineer"
    sector = "image_sound_stage"
    privacy_consent_version = "2024-01"
    onboarding_step = Member.OnboardingStep.DONE
