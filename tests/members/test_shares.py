"""Shares: subscription, payment instructions, confirmation, member numbers, certificates, the
register of members, transfers, resignation and exclusion."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from members import calculations, documents, selectors, services
from members.models import Member, RegisterEntry, ShareSubscription
from smartcoop.core.errors import Conflict, PermissionDenied, ValidationFailed
from smartcoop.core.models import AuditLogEntry
from smartcoop.core.payments import (
    epc_qr_payload,
    epc_qr_svg,
    structured_communication_format,
    structured_communication_is_valid,
)
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db


def confirm(subscription, actor, paid_on=None, callbacks=None):
    return services.share_payment_confirm(
        subscription=subscription, actor=actor, paid_on=paid_on or date(2026, 11, 20)
    )


def test_subscription_uses_the_pack_price_and_a_valid_structured_communication(coop, applicant):
    subscription = services.share_subscribe(member=applicant, actor=applicant.user, shares=3)
    assert subscription.category == "A"
    assert subscription.unit_price == Decimal("30.00")
    assert subscription.amount == Decimal("90.00")
    assert subscription.entity == coop
    assert subscription.kind == ShareSubscription.Kind.SUBSCRIPTION
    assert structured_communication_is_valid(subscription.structured_reference)
    second = MemberFactory()
    other = services.share_subscribe(member=second, actor=None, shares=1)
    assert other.structured_reference != subscription.structured_reference


def test_payment_qr_code_is_an_epc_code_for_the_cooperative_account(coop, applicant):
    subscription = services.share_subscribe(member=applicant, actor=applicant.user, shares=1)
    svg = documents.payment_qr_svg(subscription=subscription)
    assert svg.startswith("<svg") and 'aria-label="EPC QR code"' in svg
    payload = epc_qr_payload(
        name=coop.name,
        iban=coop.iban,
        bic=coop.bic,
        amount=Decimal("30.00"),
        text=structured_communication_format(subscription.structured_reference),
    )
    # The SVG encodes exactly that payload: the same QR code matrix.
    assert str(epc_qr_svg(payload)) == str(svg)
    assert "BE71096123456769" in payload and "EUR30.00" in payload


def test_a_second_pending_subscription_and_unfinished_onboarding_are_refused(coop, applicant):
    services.share_subscribe(member=applicant, actor=applicant.user, shares=1)
    with pytest.raises(Conflict, match="already awaiting payment"):
        services.share_subscribe(member=applicant, actor=applicant.user, shares=1)
    halfway = MemberFactory(onboarding_step=Member.OnboardingStep.BANK)
    with pytest.raises(Conflict, match="complete your details"):
        services.share_subscribe(member=halfway, actor=None, shares=1)
    with pytest.raises(ValidationFailed, match="between 1 and 100"):
        services.share_subscribe(member=MemberFactory(), actor=None, shares=101)


def test_categories_depend_on_the_kind_of_member_and_on_who_asks(coop, applicant, adviser_a):
    with pytest.raises(ValidationFailed, match="not open"):
        services.share_subscribe(member=applicant, actor=applicant.user, shares=1, category="C")
    partner = services.share_subscribe(member=applicant, actor=adviser_a, shares=1, category="C")
    assert partner.category == "C"
    company = MemberFactory(
        kind=Member.Kind.LEGAL_PERSON,
        legal_name="Atelier SRL",
        enterprise_number="0403170701",
        national_number="",
        national_number_index="",
    )
    subscription = services.share_subscribe(member=company, actor=None, shares=2)
    assert subscription.category == "C"
    with pytest.raises(ValidationFailed):
        services.share_subscribe(member=company, actor=adviser_a, shares=1, category="A")


def test_confirming_the_payment_makes_a_member_with_the_next_number_and_a_certificate(
    coop, applicant, accountant, eager_tasks, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    first = services.share_subscribe(member=applicant, actor=applicant.user, shares=2)
    second_member = MemberFactory()
    second = services.share_subscribe(member=second_member, actor=None, shares=1)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = confirm(first, accountant)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(second, accountant)

    applicant.refresh_from_db()
    second_member.refresh_from_db()
    assert applicant.status == Member.Status.MEMBER
    assert (applicant.member_number, second_member.member_number) == (1, 2)
    assert applicant.joined_on == date(2026, 11, 20)
    entry = RegisterEntry.objects.get(member=applicant)
    assert (entry.kind, entry.category, entry.shares, entry.amount) == (
        "subscription",
        "A",
        2,
        Decimal("60.00"),
    )
    confirmed.refresh_from_db()
    assert confirmed.status == "paid"
    pdf = confirmed.certificate.read()
    assert pdf.startswith(b"%PDF")
    assert confirmed.certificate_sha256 == hashlib.sha256(pdf).hexdigest()
    assert any("certificate" in m.subject.lower() for m in mail.outbox if m.to == [applicant.email])
    actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {
        "members.shares.payment_confirmed",
        "members.member.admitted",
        "members.shares.certificate_issued",
    } <= actions


def test_rendering_the_certificate_twice_keeps_the_first(
    coop, applicant, accountant, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    subscription = services.share_subscribe(member=applicant, actor=applicant.user, shares=1)
    confirm(subscription, accountant)
    first = services.share_certificate_generate(subscription_id=subscription.pk)
    assert first is not None
    assert services.share_certificate_generate(subscription_id=subscription.pk) is None
    subscription.refresh_from_db()
    assert subscription.certificate_sha256 == first.certificate_sha256


def test_only_accounting_confirms_payments_and_only_once(coop, applicant, adviser_a, accountant):
    subscription = services.share_subscribe(member=applicant, actor=applicant.user, shares=1)
    with pytest.raises(PermissionDenied):
        confirm(subscription, adviser_a)
    confirm(subscription, accountant)
    with pytest.raises(Conflict, match="not awaiting payment"):
        confirm(subscription, accountant)
    with pytest.raises(ValidationFailed, match="future"):
        services.share_payment_confirm(
            subscription=services.share_subscribe(member=applicant, actor=None, shares=1),
            actor=accountant,
            paid_on=date.today() + timedelta(days=2),
        )


def test_an_additional_subscription_keeps_the_member_number(coop, applicant, accountant):
    confirm(services.share_subscribe(member=applicant, actor=None, shares=1), accountant)
    more = services.share_subscribe(member=applicant, actor=None, shares=4)
    assert more.kind == ShareSubscription.Kind.ADDITIONAL
    confirm(more, accountant, paid_on=date(2026, 11, 25))
    applicant.refresh_from_db()
    assert applicant.member_number == 1
    assert selectors.member_holdings(member=applicant) == [
        calculations.Holding("A", 5, Decimal("150.00"))
    ]


def test_the_register_is_append_only(coop, applicant, accountant):
    confirm(services.share_subscribe(member=applicant, actor=None, shares=1), accountant)
    entry = RegisterEntry.objects.get()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        RegisterEntry.objects.filter(pk=entry.pk).update(shares=10)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        entry.delete()


def test_member_mark_active_is_the_hook_for_activities(coop, applicant, accountant):
    with pytest.raises(Conflict):
        services.member_mark_active(member=applicant)
    confirm(services.share_subscribe(member=applicant, actor=None, shares=1), accountant)
    assert services.member_mark_active(member=applicant).status == Member.Status.ACTIVE
    assert services.member_mark_active(member=applicant).status == Member.Status.ACTIVE
    assert AuditLogEntry.objects.filter(action="members.member.activated").count() == 1


def test_resignation_redeems_every_share_and_keeps_the_history(
    coop, applicant, accountant, adviser_a
):
    confirm(
        services.share_subscribe(member=applicant, actor=None, shares=2),
        accountant,
        paid_on=date(2026, 1, 10),
    )
    confirm(
        services.share_subscribe(member=applicant, actor=adviser_a, shares=1, category="C"),
        accountant,
        paid_on=date(2026, 2, 10),
    )
    services.member_leave(
        member=applicant,
        actor=adviser_a,
        status=Member.Status.RESIGNED,
        on=date(2026, 6, 30),
        reason="Moved abroad",
    )
    applicant.refresh_from_db()
    assert applicant.status == Member.Status.RESIGNED
    assert applicant.member_number == 1
    assert selectors.member_holdings(member=applicant) == []
    kinds = list(applicant.register_entries.values_list("kind", "category", "shares"))
    assert kinds == [
        ("subscription", "A", 2),
        ("additional", "C", 1),
        ("redemption", "A", -2),
        ("redemption", "C", -1),
    ]
    assert selectors.member_holdings(member=applicant, on=date(2026, 6, 29))
    with pytest.raises(Conflict):
        services.share_subscribe(member=applicant, actor=None, shares=1)
    with pytest.raises(Conflict, match="no longer a member"):
        services.member_leave(member=applicant, actor=adviser_a, status="excluded", reason="x")


def test_exclusion_needs_a_reason(coop, applicant, accountant, adviser_a):
    confirm(services.share_subscribe(member=applicant, actor=None, shares=1), accountant)
    with pytest.raises(ValidationFailed, match="reason"):
        services.member_leave(member=applicant, actor=adviser_a, status="excluded")
    services.member_leave(
        member=applicant, actor=adviser_a, status="excluded", reason="Board decision of 2026-11-20"
    )
    applicant.refresh_from_db()
    assert applicant.status == Member.Status.EXCLUDED


def test_transfer_moves_shares_between_members(coop, applicant, other_member, accountant):
    confirm(services.share_subscribe(member=applicant, actor=None, shares=3), accountant)
    confirm(services.share_subscribe(member=other_member, actor=None, shares=1), accountant)
    services.share_transfer(
        from_member=applicant,
        to_member=other_member,
        actor=accountant,
        category="A",
        shares=2,
        on=date(2026, 11, 21),
    )
    assert selectors.member_holdings(member=applicant)[0].shares == 1
    assert selectors.member_holdings(member=other_member)[0].shares == 3
    with pytest.raises(Conflict, match="does not hold"):
        services.share_transfer(
            from_member=applicant, to_member=other_member, actor=accountant, category="A", shares=2
        )


def test_register_at_a_date_in_csv_and_pdf(coop, applicant, other_member, accountant, adviser_a):
    confirm(
        services.share_subscribe(member=applicant, actor=None, shares=2),
        accountant,
        paid_on=date(2026, 3, 1),
    )
    confirm(
        services.share_subscribe(member=other_member, actor=None, shares=1),
        accountant,
        paid_on=date(2026, 5, 1),
    )
    services.member_leave(
        member=applicant, actor=adviser_a, status="resigned", on=date(2026, 9, 30)
    )
    march = selectors.register_at(on=date(2026, 4, 1))
    assert [(r["member_number"], r["name"], r["shares"]) for r in march] == [
        (1, "Ann Applicant", 2)
    ]
    june = selectors.register_at(on=date(2026, 6, 1))
    assert [r["member_number"] for r in june] == [1, 2]
    assert selectors.register_totals(june)["amount"] == Decimal("90.00")
    october = selectors.register_at(on=date(2026, 10, 1))
    assert [r["member_number"] for r in october] == [2]
    csv_text = documents.render_register_csv(on=date(2026, 6, 1))
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("member_number,name")
    assert lines[1].startswith("1,Ann Applicant,")
    assert documents.render_register_pdf(on=date(2026, 6, 1)).startswith(b"%PDF")


def test_csv_does_not_let_a_name_become_a_formula(coop, accountant):
    member = MemberFactory(first_name="=HYPERLINK(1)", last_name="")
    confirm(services.share_subscribe(member=member, actor=None, shares=1), accountant)
    assert "'=HYPERLINK(1)" in documents.render_register_csv(on=date(2026, 12, 31))


def test_the_certificate_task_renders_nothing_for_another_entity(
    coop, applicant, accountant, other_entity, settings, tmp_path
):
    """The task is sent for the cooperative that holds the shares: given another entity, it
    leaves the subscription alone."""
    from members.tasks import render_share_certificate

    settings.MEDIA_ROOT = tmp_path
    subscription = confirm(
        services.share_subscribe(member=applicant, actor=None, shares=1), accountant
    )
    assert render_share_certificate(subscription.pk, entity_id=other_entity.pk) is False
    subscription.refresh_from_db()
    assert not subscription.certificate
    assert render_share_certificate(subscription.pk, entity_id=coop.pk) is True
    subscription.refresh_from_db()
    assert subscription.certificate
