"""The back-office page of share transfers (and of resignation / exclusion) on the member 360°
page: the transfer moves the shares in both members' holdings and in the register, refusals come
back at the field, and only the staff who keep the register reach it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members import selectors, services
from members.models import Member, RegisterEntry
from smartcoop.core.errors import Conflict, PermissionDenied, ValidationFailed
from smartcoop.core.models import AuditLogEntry
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db

JOINED = date(2026, 1, 15)


def make_member(member, accountant, shares, paid_on=JOINED):
    subscription = services.share_subscribe(member=member, actor=None, shares=shares)
    services.share_payment_confirm(subscription=subscription, actor=accountant, paid_on=paid_on)
    member.refresh_from_db()
    return member


@pytest.fixture
def giver(coop, applicant, accountant):
    return make_member(applicant, accountant, 3)


@pytest.fixture
def receiver(coop, other_member, accountant):
    return make_member(other_member, accountant, 1)


def transfer_url(member):
    return reverse("members:staff_transfer", args=[member.public_id])


def post_transfer(client, member, **fields):
    data = {"to_member": "", "category": "A", "shares": "1", "on": timezone.localdate()}
    data.update(fields)
    return client.post(transfer_url(member), data)


def shares_of(member, on=None):
    return {h.category: h.shares for h in selectors.member_holdings(member=member, on=on)}


def test_the_transfer_through_the_page_moves_the_shares(client, giver, receiver, accountant):
    client.force_login(accountant)
    page = client.get(reverse("members:staff_member", args=[giver.public_id])).content.decode()
    assert "Transfer shares to another member" in page
    assert f'action="{transfer_url(giver)}#transfer"' in page

    today = timezone.localdate()
    response = post_transfer(
        client, giver, to_member=str(receiver.member_number), shares="2", note="Board 2026-11"
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:staff_member", args=[giver.public_id])

    assert shares_of(giver) == {"A": 1}
    assert shares_of(receiver) == {"A": 3}
    register = {r["member_number"]: r["shares"] for r in selectors.register_at(on=today)}
    assert register == {giver.member_number: 1, receiver.member_number: 3}
    out = RegisterEntry.objects.get(member=giver, kind=RegisterEntry.Kind.TRANSFER_OUT)
    into = RegisterEntry.objects.get(member=receiver, kind=RegisterEntry.Kind.TRANSFER_IN)
    assert (out.entry_date, out.shares, out.counterpart, out.recorded_by) == (
        today,
        -2,
        receiver,
        accountant,
    )
    assert (into.entry_date, into.shares, into.counterpart, into.note) == (
        today,
        2,
        giver,
        "Board 2026-11",
    )
    assert out.amount == -into.amount == -2 * out.unit_price

    # Both 360° pages show the entry and the audit row.
    followed = client.get(response["Location"]).content.decode()
    assert "Transfer given" in followed and "Otto Other" in followed
    assert "members.shares.transferred" in followed
    other_page = client.get(
        reverse("members:staff_member", args=[receiver.public_id])
    ).content.decode()
    assert "Transfer received" in other_page and "Ann Applicant" in other_page
    assert "members.shares.transfer_received" in other_page
    assert AuditLogEntry.objects.filter(action="members.shares.transferred").count() == 1


def test_the_receiving_member_is_found_by_name(client, giver, receiver, accountant):
    client.force_login(accountant)
    response = post_transfer(client, giver, to_member="otto other")
    assert response.status_code == 302
    assert shares_of(receiver) == {"A": 2}


def test_a_backdated_transfer_appears_in_the_register_from_its_date(
    client, giver, receiver, accountant
):
    client.force_login(accountant)
    on = date(2026, 3, 1)
    assert post_transfer(client, giver, to_member="2", on=on).status_code == 302
    assert shares_of(giver, on=on - timedelta(days=1)) == {"A": 3}
    assert shares_of(giver, on=on) == {"A": 2}


def form_errors(response, form="transfer_form"):
    assert response.status_code == 200
    return response.context[form].errors


def test_refusals_are_shown_at_the_field(client, giver, receiver, accountant, office_a):
    client.force_login(accountant)
    MemberFactory(first_name="Ivy", last_name="Newcomer", office=office_a)
    company = make_member(
        MemberFactory(
            kind=Member.Kind.LEGAL_PERSON,
            legal_name="Atelier SRL",
            enterprise_number="0403170701",
            national_number="",
            national_number_index="",
        ),
        accountant,
        1,
    )
    number = str(receiver.member_number)
    cases = [
        ({"to_member": number, "shares": "4"}, "shares", "does not hold 4 shares"),
        ({"to_member": str(giver.member_number)}, "to_member", "two different members"),
        ({"to_member": "Ivy Newcomer"}, "to_member", "is not a member"),
        ({"to_member": "Atelier"}, "category", "legal person cannot hold shares of category A"),
        ({"to_member": "Nobody Here"}, "to_member", "No member found"),
        ({"to_member": number, "category": "B"}, "category", "Select a valid choice"),
        ({"to_member": number, "shares": "0"}, "shares", ""),
        (
            {"to_member": number, "on": timezone.localdate() + timedelta(days=1)},
            "on",
            "future",
        ),
        ({"to_member": number, "on": date(2026, 1, 1)}, "on", "became a member on"),
    ]
    for fields, field, text in cases:
        errors = form_errors(post_transfer(client, giver, **fields))
        assert list(errors) == [field], (fields, errors)
        assert text in " ".join(errors[field]), (fields, errors)
    # The bound form comes back open on the page, with the message next to the field.
    response = post_transfer(client, giver, to_member=number, shares="4")
    page = response.content.decode()
    assert '<details id="transfer" class="mt-1" open>' in page
    assert "does not hold 4 shares of category A" in page
    assert not RegisterEntry.objects.filter(
        kind__in=[RegisterEntry.Kind.TRANSFER_IN, RegisterEntry.Kind.TRANSFER_OUT]
    ).exists()
    assert company.is_member


def test_several_matches_ask_for_the_member_number(client, giver, receiver, accountant):
    make_member(MemberFactory(first_name="Otto", last_name="Second"), accountant, 1)
    client.force_login(accountant)
    errors = form_errors(post_transfer(client, giver, to_member="Otto"))
    assert "Several people match" in errors["to_member"][0]
    assert "Type the member number" in errors["to_member"][0]


def test_the_form_is_shown_only_to_those_who_keep_the_register(
    client, giver, receiver, adviser_a, accountant
):
    url = reverse("members:staff_member", args=[giver.public_id])
    client.force_login(adviser_a)
    assert "Transfer shares to another member" not in client.get(url).content.decode()
    # An adviser of the member's own office may not record a transfer either.
    assert post_transfer(client, giver, to_member="2").status_code == 404
    assert shares_of(giver) == {"A": 3}


def test_another_offices_adviser_and_a_member_get_404(
    client, giver, receiver, adviser_b, accountant
):
    client.force_login(adviser_b)
    assert post_transfer(client, giver, to_member="2").status_code == 404
    client.force_login(giver.user)
    assert post_transfer(client, giver, to_member="2").status_code == 404
    client.force_login(receiver.user)
    assert post_transfer(client, giver, to_member="2").status_code == 404
    assert shares_of(giver) == {"A": 3}
    assert shares_of(receiver) == {"A": 1}


def test_the_receiving_member_is_looked_up_among_the_members_the_user_may_see(
    giver, receiver, adviser_a, accountant
):
    assert selectors.member_transfer_candidates(user=adviser_a, search="Otto", exclude=giver) == []
    assert selectors.member_transfer_candidates(user=adviser_a, search="2", exclude=giver) == []
    assert selectors.member_transfer_candidates(user=accountant, search="2", exclude=giver) == [
        receiver
    ]
    assert selectors.member_transfer_candidates(user=accountant, search="1", exclude=giver) == []


# --- The service's rules behind the page -------------------------------------------------------


def test_only_the_staff_who_keep_the_register_record_transfers(giver, receiver, adviser_a):
    with pytest.raises(PermissionDenied):
        services.share_transfer(
            from_member=giver, to_member=receiver, actor=adviser_a, category="A", shares=1
        )


def test_a_backdated_transfer_may_not_leave_a_later_day_negative(giver, receiver, accountant):
    services.share_transfer(
        from_member=giver,
        to_member=receiver,
        actor=accountant,
        category="A",
        shares=2,
        on=date(2026, 6, 1),
    )
    # On 1 March the giver held 3, but 2 of them left on 1 June: only 1 may go on 1 March.
    with pytest.raises(Conflict, match="does not hold 2 shares") as refused:
        services.share_transfer(
            from_member=giver,
            to_member=receiver,
            actor=accountant,
            category="A",
            shares=2,
            on=date(2026, 3, 1),
        )
    assert refused.value.field == "shares"
    services.share_transfer(
        from_member=giver,
        to_member=receiver,
        actor=accountant,
        category="A",
        shares=1,
        on=date(2026, 3, 1),
    )
    assert shares_of(giver) == {}
    assert shares_of(receiver) == {"A": 4}
    with pytest.raises(ValidationFailed, match="Unknown share category"):
        services.share_transfer(
            from_member=receiver, to_member=giver, actor=accountant, category="Z", shares=1
        )


# --- Resignation and exclusion on the same page --------------------------------------------------


def test_resignation_and_exclusion_are_recorded_from_the_page(client, giver, adviser_a):
    client.force_login(adviser_a)
    url = reverse("members:staff_leave", args=[giver.public_id])
    page = client.get(reverse("members:staff_member", args=[giver.public_id])).content.decode()
    assert "Resignation or exclusion" in page
    response = client.post(url, {"status": "excluded", "on": timezone.localdate(), "reason": ""})
    errors = form_errors(response, form="leave_form")
    assert "must state its reason" in errors["reason"][0]
    giver.refresh_from_db()
    assert giver.status == Member.Status.MEMBER
    response = client.post(
        url, {"status": "resigned", "on": timezone.localdate(), "reason": "Moved abroad"}
    )
    assert response.status_code == 302
    giver.refresh_from_db()
    assert (giver.status, giver.left_on) == (Member.Status.RESIGNED, timezone.localdate())
    assert shares_of(giver) == {}
