"""Joining: identity (with national-number checks), bank account, profile, consent."""

from datetime import date

import pytest
from django.db import connection

from members import services
from members.models import AdviserAssignment, Member
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import AuditLogEntry
from smartcoop.countries import load_pack
from tests.factories import UserFactory
from tests.members.factories import MemberFactory, be_national_number

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)


def identity(**overrides):
    data = {
        "kind": Member.Kind.PERSON,
        "first_name": "Lena",
        "last_name": "Janssens",
        "birth_date": date(1985, 7, 30),
        "national_number": "85.07.30-033.28",
        "nationality": "be",
        "street": "Koolmijnenkaai 30",
        "postcode": "1080",
        "city": "Brussel",
        "country": "be",
        "on": TODAY,
    }
    return {**data, **overrides}


@pytest.fixture
def newcomer(db):
    user = UserFactory(email="lena@example.org", first_name="", last_name="")
    return services.member_start_onboarding(user=user)


@pytest.mark.parametrize(
    "number",
    [
        "85.07.30-033.28",  # INSZ, example published with python-stdnum and the KSZ docs
        "85073003328",
        "98.47.28-997.65",  # BIS number (month + 40)
        "17 07 30 033 84",  # born in 2017: the check uses the "2" prefix
    ],
)
def test_published_belgian_national_numbers_are_accepted(newcomer, number):
    birth = date(1985, 7, 30)
    if number.startswith("17"):
        birth = date(2008, 1, 1)  # the number's own date would make a 9-year-old
    member = services.member_save_identity(
        member=newcomer, actor=newcomer.user, **identity(national_number=number, birth_date=birth)
    )
    assert member.national_number == "".join(ch for ch in number if ch.isdigit())


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("85.07.30-033.29", "check digits do not match"),
        ("85.07.30-033", "wrong length"),
        ("12345678901", "not"),
    ],
)
def test_invalid_belgian_national_numbers_are_refused_with_a_clear_message(
    newcomer, number, message
):
    with pytest.raises(ValidationFailed, match=message) as exc:
        services.member_save_identity(
            member=newcomer, actor=newcomer.user, **identity(national_number=number)
        )
    assert exc.value.field == "national_number"


def test_french_nir_is_checked_by_the_french_pack(newcomer, settings):
    settings.COUNTRY_PACK = load_pack("FR")
    member = services.member_save_identity(
        member=newcomer,
        actor=newcomer.user,
        **identity(national_number="2 95 10 99 126 111 93", country="FR", postcode="75010"),
    )
    assert member.national_number == "295109912611193"
    with pytest.raises(ValidationFailed, match="check digits"):
        services.member_save_identity(
            member=newcomer,
            actor=newcomer.user,
            **identity(national_number="2 95 10 99 126 111 94"),
        )


@pytest.mark.parametrize(
    ("birth", "accepted"),
    [
        (date(2010, 11, 27), False),  # 15, turns 16 tomorrow
        (date(2010, 11, 26), True),  # 16 today
        (date(1906, 11, 26), True),  # 120 today
        (date(1905, 11, 25), False),  # 121
    ],
)
def test_age_must_be_between_16_and_120(newcomer, birth, accepted):
    number = be_national_number(birth, 33)
    args = identity(birth_date=birth, national_number=number)
    if accepted:
        services.member_save_identity(member=newcomer, actor=newcomer.user, **args)
    else:
        with pytest.raises(ValidationFailed) as exc:
            services.member_save_identity(member=newcomer, actor=newcomer.user, **args)
        assert exc.value.field == "birth_date"
        assert "16" in exc.value.message or "120" in exc.value.message


def test_a_national_number_already_registered_is_refused_whatever_its_formatting(newcomer):
    MemberFactory(national_number="85073003328", national_number_index="")  # index set below
    existing = Member.objects.exclude(pk=newcomer.pk).get()
    services.member_save_identity(
        member=existing, actor=None, **identity(national_number="85073003328")
    )
    with pytest.raises(ValidationFailed, match="already registered") as exc:
        services.member_save_identity(
            member=newcomer, actor=newcomer.user, **identity(national_number="85 07 30 033 28")
        )
    assert exc.value.code == "duplicate_national_number"


def test_national_number_and_iban_are_encrypted_at_rest_and_absent_from_the_audit(newcomer):
    services.member_save_identity(member=newcomer, actor=newcomer.user, **identity())
    services.member_save_bank(
        member=newcomer, actor=newcomer.user, iban="BE68 5390 0754 7034", bic="gkccbebb"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT national_number, iban FROM members_member WHERE id = %s", [newcomer.pk]
        )
        raw_nn, raw_iban = cursor.fetchone()
    assert "85073003328" not in raw_nn
    assert "539007547034" not in raw_iban
    member = Member.objects.get(pk=newcomer.pk)
    assert member.national_number == "85073003328"
    assert member.iban == "BE68539007547034"
    assert member.bic == "GKCCBEBB"
    logged = str(list(AuditLogEntry.objects.values_list("data", flat=True)))
    assert "85073003328" not in logged and "539007547034" not in logged


def test_office_and_adviser_are_suggested_from_the_postcode(newcomer, office_a, adviser_a):
    member = services.member_save_identity(member=newcomer, actor=newcomer.user, **identity())
    assert (member.office, member.adviser) == (office_a, adviser_a)
    history = AdviserAssignment.objects.get(member=member)
    assert history.reason == "Suggested from the postcode"


def test_the_suggestion_reason_is_shown_in_the_advisers_language_not_the_members(
    client, newcomer, office_a, adviser_a
):
    """A member joining in Dutch left "Voorgesteld op basis van de postcode" on the French
    adviser's page: the reason is kept in English and translated when shown."""
    from django.urls import reverse
    from django.utils import translation

    with translation.override("nl"):
        member = services.member_save_identity(member=newcomer, actor=newcomer.user, **identity())
    assert AdviserAssignment.objects.get(member=member).reason == "Suggested from the postcode"
    client.force_login(adviser_a)
    client.cookies["smartcoop_language"] = "fr"
    page = client.get(reverse("members:staff_member", args=[member.public_id])).content.decode()
    assert "Suggéré à partir du code postal" in page
    assert "Voorgesteld" not in page


def test_legal_person_joins_with_an_enterprise_number(newcomer):
    member = services.member_save_identity(
        member=newcomer,
        actor=newcomer.user,
        **identity(
            kind=Member.Kind.LEGAL_PERSON,
            legal_name="Atelier Lumière asbl",
            enterprise_number="0403.170.701",
            birth_date=None,
            national_number="",
        ),
    )
    assert member.display_name == "Atelier Lumière asbl"
    assert member.enterprise_number == "0403170701"
    with pytest.raises(ValidationFailed, match="enterprise number"):
        services.member_save_identity(
            member=newcomer,
            actor=newcomer.user,
            **identity(
                kind=Member.Kind.LEGAL_PERSON,
                legal_name="X",
                enterprise_number="0403.170.702",
            ),
        )


def test_the_wizard_saves_progress_at_each_step_and_records_consent_with_its_version(newcomer):
    assert newcomer.onboarding_step == "identity"
    services.member_save_identity(member=newcomer, actor=newcomer.user, **identity())
    assert Member.objects.get(pk=newcomer.pk).onboarding_step == "bank"
    with pytest.raises(Conflict):
        services.member_give_consent(member=newcomer, actor=newcomer.user, accepted=True)
    services.member_save_bank(member=newcomer, actor=newcomer.user, iban="BE68539007547034")
    with pytest.raises(ValidationFailed, match="IBAN"):
        services.member_save_bank(member=newcomer, actor=newcomer.user, iban="BE68539007547035")
    services.member_save_profile(
        member=newcomer,
        actor=newcomer.user,
        language="fr",
        profession="Costume designer",
        sector="costume_makeup_set",
        heard_from="friend",
    )
    with pytest.raises(ValidationFailed):
        services.member_give_consent(member=newcomer, actor=newcomer.user, accepted=False)
    member = services.member_give_consent(member=newcomer, actor=newcomer.user, accepted=True)
    assert member.onboarding_step == "done"
    assert member.privacy_consent_version == "2024-01"
    assert member.privacy_consent_at is not None
    assert member.status == Member.Status.APPLICANT
    actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {
        "members.member.created",
        "members.member.identity_saved",
        "members.member.bank_saved",
        "members.member.profile_saved",
        "members.member.consent_given",
    } <= actions


@pytest.mark.parametrize(("field", "value"), [("country", "ZZ"), ("nationality", "XX")])
def test_an_unknown_country_code_is_refused_at_its_field(member_user, field, value):
    member = services.member_start_onboarding(user=member_user)
    with pytest.raises(ValidationFailed) as error:
        services.member_save_identity(
            member=member, actor=member_user, **identity(**{field: value})
        )
    assert error.value.field == field
    assert error.value.message == (
        f"{value} is not a country code (ISO 3166-1, two letters such as BE)."
    )
    member.refresh_from_db()
    assert member.street == ""


def test_a_line_break_in_a_name_is_refused(member_user):
    member = services.member_start_onboarding(user=member_user)
    with pytest.raises(ValidationFailed) as error:
        services.member_save_identity(
            member=member, actor=member_user, **identity(last_name="Peeters\nBcc: x")
        )
    assert error.value.field == "last_name" and "fit on one line" in error.value.message
