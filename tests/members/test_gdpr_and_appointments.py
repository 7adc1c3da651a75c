"""GDPR export and erasure; appointments with advisers."""

import json
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members import selectors, services
from members.models import Appointment, ErasureRequest, Member
from smartcoop.core.errors import Conflict, PermissionDenied
from smartcoop.core.models import User
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_a_member_downloads_all_their_data_as_json_and_pdf(client, applicant, coop):
    services.share_subscribe(member=applicant, actor=None, shares=1)
    client.force_login(applicant.user)
    response = client.get(reverse("members:export_json"))
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert data["member"]["national_number"] == applicant.national_number
    assert data["member"]["iban"] == "BE68539007547034"
    assert data["share_subscriptions"][0]["amount"] == "30.00"
    pdf = client.get(reverse("members:export_pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_erasure_of_an_applicant_who_never_held_shares_anonymises_everything(
    client, applicant, adviser_a
):
    client.force_login(applicant.user)
    client.post(reverse("members:erasure_request"))
    request = ErasureRequest.objects.get(member=applicant)
    done = services.member_erasure_process(request=request, actor=adviser_a)
    member = Member.objects.get(pk=applicant.pk)
    assert member.national_number == "" and member.national_number_index == ""
    assert member.last_name == "" and member.street == "" and member.iban == ""
    assert member.email.endswith("@invalid")
    user = User.objects.get(pk=applicant.user_id)
    assert not user.is_active and user.email.endswith("@invalid")
    assert "National number and birth date" in done.report["erased"]
    assert all(item["why"] for item in done.report["kept"])
    with pytest.raises(Conflict):
        services.member_erasure_process(request=done, actor=adviser_a)


def test_erasure_of_a_former_member_keeps_the_register_and_says_why(
    applicant, adviser_a, accountant, coop
):
    subscription = services.share_subscribe(member=applicant, actor=None, shares=1)
    services.share_payment_confirm(
        subscription=subscription, actor=accountant, paid_on=date(2026, 1, 5)
    )
    request = services.member_erasure_request(member=applicant, actor=applicant.user)
    with pytest.raises(Conflict, match="still holds shares"):
        services.member_erasure_process(request=request, actor=adviser_a)
    services.member_leave(member=applicant, actor=adviser_a, status="resigned", on=date(2026, 6, 1))
    done = services.member_erasure_process(request=request, actor=adviser_a)
    member = Member.objects.get(pk=applicant.pk)
    assert (member.first_name, member.last_name, member.member_number) == ("Ann", "Applicant", 1)
    assert member.iban == "" and member.phone == "" and member.email.endswith("@invalid")
    assert member.register_entries.count() == 2
    kept = " ".join(item["data"] + " " + item["why"] for item in done.report["kept"])
    assert "register" in kept and "6:24" in kept
    assert selectors.register_at(on=date(2026, 3, 1))[0]["name"] == "Ann Applicant"


def test_only_staff_who_manage_members_process_erasures(applicant, accountant):
    request = services.member_erasure_request(member=applicant, actor=None)
    with pytest.raises(PermissionDenied):
        services.member_erasure_process(request=request, actor=accountant)


def test_an_adviser_offers_slots_the_member_books_and_both_get_an_email(
    client, applicant, adviser_a, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(adviser_a)
    starts = (timezone.localtime() + timedelta(days=4)).replace(second=0, microsecond=0)
    client.post(
        reverse("members:staff_appointments"),
        {
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 45,
            "location": "Office room 2",
        },
    )
    slot = Appointment.objects.get()
    assert slot.office == adviser_a.office and slot.status == "open"

    client.force_login(applicant.user)
    page = client.get(reverse("members:appointments")).content.decode()
    assert "Office room 2" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("members:appointment_book", args=[slot.public_id]),
            {"topic": "My first invoice"},
        )
    slot.refresh_from_db()
    assert (slot.member, slot.status, slot.topic) == (applicant, "booked", "My first invoice")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([applicant.email, adviser_a.email])
    other = MemberFactory(office=adviser_a.office)
    with pytest.raises(Conflict, match="just been taken"):
        services.appointment_book(appointment=slot, member=other, actor=None)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:appointment_cancel", args=[slot.public_id]))
    slot.refresh_from_db()
    assert slot.status == "open" and slot.member is None
    assert any("cancelled" in m.subject.lower() for m in mail.outbox)
