"""Pages: the onboarding wizard, subscribing and paying, the staff portfolio and 360° page."""

from datetime import date

import pytest
from django.urls import reverse

from members import services
from members.models import Member, ShareSubscription
from tests.factories import UserFactory
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_the_wizard_walks_a_newcomer_through_four_steps_and_keeps_their_answers(
    client, coop, office_a, adviser_a
):
    user = UserFactory(email="nina@example.org")
    client.force_login(user)
    response = client.get(reverse("members:member_index"))
    assert response.url == reverse("members:onboarding", args=["identity"])
    # Skipping ahead is not possible.
    assert client.get(reverse("members:onboarding", args=["consent"])).url.endswith(
        "/join/identity/"
    )
    page = client.get(reverse("members:onboarding", args=["identity"])).content.decode()
    assert "Step 1 of 4" in page and 'name="viewport"' in page

    refused = client.post(
        reverse("members:onboarding", args=["identity"]),
        {
            "kind": "person",
            "first_name": "Nina",
            "last_name": "Peeters",
            "birth_date": "2015-01-01",
            "national_number": "15010100123",
            "street": "Rue 1",
            "postcode": "1050",
            "city": "Ixelles",
            "country": "BE",
        },
    )
    assert "at least 16 years old" in refused.content.decode()

    ok = client.post(
        reverse("members:onboarding", args=["identity"]),
        {
            "kind": "person",
            "first_name": "Nina",
            "last_name": "Peeters",
            "birth_date": "1985-07-30",
            "national_number": "85.07.30-033.28",
            "street": "Rue 1",
            "postcode": "1050",
            "city": "Ixelles",
            "country": "BE",
            "nationality": "BE",
        },
    )
    assert ok.url.endswith("/join/bank/")
    # Coming back later: the answers are there.
    again = client.get(reverse("members:onboarding", args=["identity"])).content.decode()
    assert "Peeters" in again
    client.post(reverse("members:onboarding", args=["bank"]), {"iban": "BE68539007547034"})
    client.post(
        reverse("members:onboarding", args=["profile"]),
        {
            "language": "fr",
            "profession": "Light designer",
            "sector": "image_sound_stage",
            "heard_from": "friend",
        },
    )
    done = client.post(reverse("members:onboarding", args=["consent"]), {"accept": "on"})
    assert done.url == reverse("members:member_index")
    member = Member.objects.get(user=user)
    assert member.onboarding_step == "done" and member.office == office_a
    page = client.get(reverse("members:member_index")).content.decode()
    assert "Subscribe your share" in page and "Ada Adviser" in page


def test_subscribe_then_see_payment_instructions_with_the_qr_code(client, coop, applicant):
    client.force_login(applicant.user)
    response = client.post(reverse("members:shares_subscribe"), {"shares": 2, "category": "A"})
    subscription = ShareSubscription.objects.get(member=applicant)
    assert response.url == reverse("members:subscription", args=[subscription.public_id])
    page = client.get(response.url).content.decode()
    assert coop.iban in page
    assert "+++" in page and subscription.structured_reference[-5:] in page
    assert "<svg" in page and "EPC QR code" in page
    assert "60" in page


def test_a_full_session_is_refused_clearly_on_the_page(client, applicant, session_tomorrow):
    for _ in range(2):
        services.info_session_book(session=session_tomorrow, member=MemberFactory(), actor=None)
    client.force_login(applicant.user)
    response = client.post(
        reverse("members:session_book", args=[session_tomorrow.public_id]), follow=True
    )
    assert "This session is full. Please choose another date." in response.content.decode()


def test_staff_confirm_a_payment_from_the_member_page(client, coop, applicant, accountant):
    subscription = services.share_subscribe(member=applicant, actor=None, shares=1)
    client.force_login(accountant)
    page = client.get(reverse("members:staff_payments")).content.decode()
    assert "Ann Applicant" in page
    response = client.post(
        reverse("members:staff_payment_confirm", args=[subscription.public_id]),
        {"paid_on": "2026-11-20", "next": "//evil.example/"},
        follow=True,
    )
    assert "member number 1" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("members:staff_payments")
    applicant.refresh_from_db()
    assert applicant.status == "member"


def test_portfolio_search_filters_and_pagination(client, office_a, adviser_a):
    for n in range(30):
        MemberFactory(
            office=office_a,
            adviser=adviser_a,
            last_name=f"Zed{n:02d}",
            sector="music" if n % 2 else "training",
        )
    MemberFactory(office=office_a, adviser=None, last_name="Alone")
    client.force_login(adviser_a)
    url = reverse("members:staff_index")
    first = client.get(url).content.decode()
    assert "31 members" in first and "Page 1 of 2" in first and "Alone" in first
    assert "Zed23" in first and "Zed24" not in first
    assert "Zed24" in client.get(url, {"page": 2}).content.decode()
    found = client.get(url, {"q": "zed07"}).content.decode()
    assert "Zed07" in found and "Zed08" not in found
    music = client.get(url, {"sector": "music"}).content.decode()
    assert "15 members" in music
    attention = client.get(url, {"attention": "1"}).content.decode()
    assert "Alone" in attention and "1 member" in attention


def test_portfolio_query_count_does_not_grow_with_the_page(
    client, office_a, adviser_a, django_assert_max_num_queries
):
    for _ in range(25):
        MemberFactory(office=office_a, adviser=adviser_a)
    client.force_login(adviser_a)
    with django_assert_max_num_queries(14):
        client.get(reverse("members:staff_index"))


def test_the_360_page_shows_profile_shares_history_and_audit(
    client, coop, applicant, accountant, adviser_a, office_b, adviser_b
):
    subscription = services.share_subscribe(member=applicant, actor=None, shares=1)
    services.share_payment_confirm(
        subscription=subscription, actor=accountant, paid_on=date(2026, 11, 2)
    )
    client.force_login(adviser_a)
    url = reverse("members:staff_member", args=[applicant.public_id])
    page = client.get(url).content.decode()
    for text in (
        "Ann Applicant",
        "Shares and register",
        "Subscription",
        "Audit trail",
        "members.shares.payment_confirmed",
        "Sound engineer",
    ):
        assert text in page
    client.post(
        reverse("members:staff_assign", args=[applicant.public_id]),
        {"office": office_b.pk, "adviser": adviser_b.pk, "reason": "Moved to Liège"},
    )
    applicant.refresh_from_db()
    assert applicant.adviser == adviser_b
    assert applicant.assignments.first().reason == "Moved to Liège"
    # Now in another office: the former adviser no longer sees the file.
    assert client.get(url).status_code == 404
