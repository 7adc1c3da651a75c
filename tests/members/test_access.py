"""Privacy: a member sees only their own data, an adviser only their office's members. Every
view and API endpoint answers 404 for anything else."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import Appointment, InfoSession
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(coop, applicant, other_member, adviser_a, adviser_b, accountant, settings, tmp_path):
    """Both members hold a paid share with a certificate, a booking and an appointment."""
    settings.MEDIA_ROOT = tmp_path
    session = InfoSession.objects.create(
        starts_at=timezone.now() + timedelta(days=5),
        language="en",
        mode="online",
        online_url="https://x.example",
        capacity=10,
    )
    objects = {"session": session}
    for key, member, adviser in (
        ("mine", applicant, adviser_a),
        ("theirs", other_member, adviser_b),
    ):
        subscription = services.share_subscribe(member=member, actor=None, shares=1)
        services.share_payment_confirm(
            subscription=subscription, actor=accountant, paid_on=date(2026, 11, 1)
        )
        services.share_certificate_generate(subscription_id=subscription.pk)
        booking = services.info_session_book(session=session, member=member, actor=None)
        slot = services.appointment_slot_create(
            adviser=adviser,
            actor=adviser,
            starts_at=timezone.now() + timedelta(days=2, hours=len(key)),
        )
        services.appointment_book(appointment=slot, member=member, actor=None, topic="Hello")
        erasure = services.member_erasure_request(member=member, actor=None)
        objects[key] = {
            "member": member,
            "subscription": subscription,
            "booking": booking,
            "slot": slot,
            "erasure": erasure,
        }
    objects["open_slot_b"] = services.appointment_slot_create(
        adviser=adviser_b, actor=adviser_b, starts_at=timezone.now() + timedelta(days=3)
    )
    return objects


MEMBER_URLS_ON_OTHERS = [
    ("get", "members:subscription", "subscription"),
    ("post", "members:subscription_cancel", "subscription"),
    ("get", "members:certificate", "subscription"),
    ("post", "members:booking_cancel", "booking"),
    ("post", "members:appointment_cancel", "slot"),
]


@pytest.mark.parametrize(("method", "name", "key"), MEMBER_URLS_ON_OTHERS)
def test_a_member_gets_404_for_another_members_objects(client, world, method, name, key):
    client.force_login(world["mine"]["member"].user)
    own = reverse(name, args=[world["mine"][key].public_id])
    other = reverse(name, args=[world["theirs"][key].public_id])
    assert getattr(client, method)(other).status_code == 404
    assert getattr(client, method)(own).status_code in (200, 302)


def test_a_member_cannot_book_a_slot_of_another_office(client, world):
    client.force_login(world["mine"]["member"].user)
    url = reverse("members:appointment_book", args=[world["open_slot_b"].public_id])
    assert client.post(url, {"topic": "x"}).status_code == 404
    world["open_slot_b"].refresh_from_db()
    assert world["open_slot_b"].status == Appointment.Status.OPEN


def test_the_member_certificate_is_the_stored_pdf(client, world):
    client.force_login(world["mine"]["member"].user)
    response = client.get(
        reverse("members:certificate", args=[world["mine"]["subscription"].public_id])
    )
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


STAFF_URLS_ON_MEMBER = [
    ("get", "members:staff_member", "member"),
    ("post", "members:staff_assign", "member"),
    ("post", "members:staff_leave", "member"),
    ("post", "members:staff_transfer", "member"),
    ("get", "members:staff_certificate", "subscription"),
    ("get", "members:staff_appointment", "slot"),
    ("post", "members:staff_appointment", "slot"),
    ("post", "members:staff_erasure_process", "erasure"),
]


@pytest.mark.parametrize(("method", "name", "key"), STAFF_URLS_ON_MEMBER)
def test_an_adviser_gets_404_for_members_of_another_office(
    client, world, adviser_a, method, name, key
):
    client.force_login(adviser_a)
    other = reverse(name, args=[world["theirs"][key].public_id])
    assert getattr(client, method)(other).status_code == 404


@pytest.mark.parametrize(("method", "name", "key"), STAFF_URLS_ON_MEMBER)
def test_a_member_gets_404_for_every_staff_page_even_their_own_file(
    client, world, method, name, key
):
    client.force_login(world["mine"]["member"].user)
    own = reverse(name, args=[world["mine"][key].public_id])
    assert getattr(client, method)(own).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "members:staff_index",
        "members:staff_payments",
        "members:staff_register",
        "members:staff_sessions",
        "members:staff_appointments",
        "members:staff_erasures",
    ],
)
def test_staff_lists_are_404_for_members(client, world, name):
    client.force_login(world["mine"]["member"].user)
    assert client.get(reverse(name)).status_code == 404


def test_staff_session_pages_are_404_for_members(client, world):
    client.force_login(world["mine"]["member"].user)
    assert (
        client.get(reverse("members:staff_session", args=[world["session"].public_id])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("members:staff_attendance", args=[world["mine"]["booking"].public_id]),
            {"attended": "1"},
        ).status_code
        == 404
    )


def test_payment_confirmation_is_404_for_advisers(client, world, adviser_a):
    pending = services.share_subscribe(member=world["mine"]["member"], actor=None, shares=1)
    client.force_login(adviser_a)
    url = reverse("members:staff_payment_confirm", args=[pending.public_id])
    assert client.post(url, {"paid_on": "2026-11-20"}).status_code == 404


def test_the_adviser_portfolio_lists_only_their_office(client, world, adviser_a):
    client.force_login(adviser_a)
    page = client.get(reverse("members:staff_index")).content.decode()
    assert "Ann Applicant" in page and "Otto Other" not in page
    page = client.get(
        reverse("members:staff_member", args=[world["mine"]["member"].public_id])
    ).content.decode()
    assert "Ann Applicant" in page


def test_national_numbers_are_masked_except_for_roles_that_need_them(
    client, world, adviser_a, payroll_officer
):
    member = world["mine"]["member"]
    url = reverse("members:staff_member", args=[member.public_id])
    client.force_login(adviser_a)
    page = client.get(url).content.decode()
    assert member.national_number not in page
    assert "•" + member.national_number[-2:] in page
    client.force_login(payroll_officer)
    assert member.national_number in client.get(url).content.decode()
    client.force_login(member.user)
    assert (
        member.national_number not in client.get(reverse("members:member_index")).content.decode()
    )


def test_staff_notes_of_appointments_are_never_shown_to_the_member(client, world, adviser_a):
    slot = world["mine"]["slot"]
    client.force_login(adviser_a)
    client.post(
        reverse("members:staff_appointment", args=[slot.public_id]),
        {"staff_notes": "Seems stressed about VAT"},
    )
    slot.refresh_from_db()
    assert slot.staff_notes == "Seems stressed about VAT"
    client.force_login(world["mine"]["member"].user)
    for name in ("members:appointments", "members:member_index"):
        assert "stressed" not in client.get(reverse(name)).content.decode()
    assert "stressed" not in client.get(reverse("members:export_json")).content.decode()


# --- API ----------------------------------------------------------------------------------------


def test_api_own_profile_and_shares(client, world):
    member = world["mine"]["member"]
    client.force_login(member.user)
    profile = client.get("/api/v1/members/me/").json()
    assert profile["display_name"] == "Ann Applicant"
    member.refresh_from_db()
    assert profile["member_number"] == member.member_number == 1
    assert profile["national_number"] != member.national_number  # masked
    shares = client.get("/api/v1/members/me/shares/").json()
    assert shares["holdings"] == [{"category": "A", "shares": 1, "amount": "30.00"}]
    assert shares["subscriptions"][0]["structured_communication"].startswith("+++")
    assert shares["subscriptions"][0]["certificate_available"] is True


def test_api_me_is_404_for_someone_who_has_not_started_joining(client, db):
    client.force_login(UserFactory())
    response = client.get("/api/v1/members/me/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_api_staff_endpoints_follow_the_same_rules(client, world, adviser_a, payroll_officer):
    mine, theirs = world["mine"]["member"], world["theirs"]["member"]
    client.force_login(adviser_a)
    listed = client.get("/api/v1/members/").json()
    assert [m["display_name"] for m in listed["results"]] == ["Ann Applicant"]
    assert client.get(f"/api/v1/members/{mine.public_id}/").status_code == 200
    assert client.get(f"/api/v1/members/{theirs.public_id}/").status_code == 404
    client.force_login(payroll_officer)
    detail = client.get(f"/api/v1/members/{theirs.public_id}/").json()
    assert detail["national_number"] == theirs.national_number
    client.force_login(mine.user)
    assert client.get("/api/v1/members/").status_code == 404
    assert client.get(f"/api/v1/members/{mine.public_id}/").status_code == 404


def test_api_is_documented_in_the_openapi_schema(client, db, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/v1/members/me/",
        "/api/v1/members/me/shares/",
        "/api/v1/members/",
        "/api/v1/members/{public_id}/",
    ):
        assert path in schema


def test_an_adviser_records_attendance_only_for_members_of_their_office(client, world, adviser_a):
    """Sessions are shared, their participants are not: an adviser records the attendance of
    their own office's members, and another office's booking answers 404 untouched."""
    client.force_login(adviser_a)
    theirs, mine = world["theirs"]["booking"], world["mine"]["booking"]
    url = reverse("members:staff_attendance", args=[theirs.public_id])
    assert client.post(url, {"attended": "1"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.attended is None
    url = reverse("members:staff_attendance", args=[mine.public_id])
    assert client.post(url, {"attended": "1"}).status_code == 302
    mine.refresh_from_db()
    assert mine.attended is True


@pytest.mark.parametrize(
    "name", ["members:member_index", "members:sessions", "members:appointments", "members:privacy"]
)
def test_a_staff_member_opening_a_member_page_creates_nothing(client, adviser_a, name):
    from members.models import Member
    from smartcoop.core.models import AuditLogEntry

    client.force_login(adviser_a)
    assert client.get(reverse(name)).status_code == 404
    assert not Member.objects.filter(user=adviser_a).exists()
    assert not AuditLogEntry.objects.exists()
