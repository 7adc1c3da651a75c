"""Shares: subscription, payment, certificate, transfer, leaving the cooperative."""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, PermissionDenied, ValidationFailed
from smartcoop.core.models import User
from smartcoop.core.money import quantize_money
from smartcoop.core.numbering import number_allocate
from smartcoop.core.payments import structured_communication
from smartcoop.core.roles import Permission, has_permission
from smartcoop.countries import current_pack

from .. import emails, selectors
from ..models import Member, RegisterEntry, ShareSubscription
from ._shared import (
    MEMBER_SERIES,
    NO_YEAR,
    SHARE_PAYMENT_SERIES,
    SHARE_REFERENCE_BASE,
    _lock,
    _today,
)


def allowed_categories(*, member: Member, actor: User | None) -> list:
    """Share categories `actor` may subscribe for `member`: legal persons only the categories
    open to them; natural persons their default category, or any category open to natural
    persons when staff who manage members do it (staff B, partners C)."""
    pack = current_pack()
    if member.kind == Member.Kind.LEGAL_PERSON:
        return [c for c in pack.share_categories if c.for_legal_persons]
    if has_permission(actor, Permission.MANAGE_MEMBERS):
        return list(pack.share_categories)
    return [pack.default_share_category()]


def share_subscribe(
    *,
    member: Member,
    actor: User | None,
    shares: int,
    category: str = "",
    on: date | None = None,
) -> ShareSubscription:
    """Ask to subscribe `shares` shares at today's price; the member then pays by transfer with
    the structured communication. Locks: the member row, then the payment-reference sequence."""
    on = on or _today()
    pack = current_pack()
    maximum = int(pack.param("max_shares_per_subscription", on=on))
    if not 1 <= shares <= maximum:
        raise ValidationFailed(
            _("Choose between 1 and %(max)d shares.") % {"max": maximum}, field="shares"
        )
    allowed = allowed_categories(member=member, actor=actor)
    category = category or allowed[0].code
    if category not in {c.code for c in allowed}:
        raise ValidationFailed(
            _("Category %(category)s is not open to this member.") % {"category": category},
            field="category",
        )
    coop = selectors.cooperative_entity()
    unit_price = quantize_money(pack.share_price(on))
    with transaction.atomic():
        member = _lock(member)
        if member.onboarding_step != Member.OnboardingStep.DONE:
            raise Conflict(
                _("Please complete your details before subscribing shares."), code="onboarding"
            )
        if member.is_former_member:
            raise Conflict(_("A former member cannot subscribe shares."), code="former_member")
        if member.subscriptions.filter(status=ShareSubscription.Status.PENDING).exists():
            raise Conflict(
                _(
                    "A subscription is already awaiting payment: pay or cancel it before asking "
                    "for more shares."
                ),
                code="pending_subscription",
            )
        kind = (
            ShareSubscription.Kind.ADDITIONAL
            if member.register_entries.exists()
            else ShareSubscription.Kind.SUBSCRIPTION
        )
        sequence = number_allocate(entity=coop, series=SHARE_PAYMENT_SERIES, year=NO_YEAR)
        subscription = ShareSubscription.objects.create(
            entity=coop,
            member=member,
            kind=kind,
            category=category,
            shares=shares,
            unit_price=unit_price,
            amount=quantize_money(unit_price * shares),
            structured_reference=structured_communication(SHARE_REFERENCE_BASE + sequence),
        )
        audit_log(
            actor=actor,
            action="members.shares.subscribed",
            target=subscription,
            entity=coop,
            data={
                "member": str(member.public_id),
                "shares": shares,
                "category": category,
                "amount": subscription.amount,
            },
        )
    return subscription


def share_subscription_cancel(
    *, subscription: ShareSubscription, actor: User | None
) -> ShareSubscription:
    with transaction.atomic():
        subscription = ShareSubscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.status != ShareSubscription.Status.PENDING:
            raise Conflict(_("Only a subscription awaiting payment can be cancelled."))
        subscription.status = ShareSubscription.Status.CANCELLED
        subscription.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="members.shares.cancelled", target=subscription)
    return subscription


def share_payment_confirm(
    *, subscription: ShareSubscription, actor: User | None, paid_on: date | None = None
) -> ShareSubscription:
    """Staff confirm that the transfer arrived: the shares enter the register, an applicant
    becomes a member with the next member number, and the certificate is rendered after commit.

    Locks, in this order: the subscription row, the member row, then the MEMBER number sequence
    of the cooperative (only for a first subscription)."""
    from ..tasks import render_share_certificate

    if not has_permission(actor, Permission.CONFIRM_SHARE_PAYMENTS):
        raise PermissionDenied(_("You may not confirm share payments."))
    paid_on = paid_on or _today()
    if paid_on > _today():
        raise ValidationFailed(_("A payment cannot be dated in the future."), field="paid_on")
    with transaction.atomic():
        subscription = ShareSubscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.status != ShareSubscription.Status.PENDING:
            raise Conflict(
                _("This subscription is not awaiting payment (it is %(status)s).")
                % {"status": subscription.get_status_display()},
                code="not_pending",
            )
        member = _lock(subscription.member)
        if member.is_former_member:
            raise Conflict(_("A former member cannot receive shares."), code="former_member")
        subscription.status = ShareSubscription.Status.PAID
        subscription.paid_on = paid_on
        subscription.confirmed_by = actor
        subscription.save(update_fields=["status", "paid_on", "confirmed_by", "updated_at"])
        RegisterEntry.objects.create(
            entity=subscription.entity,
            member=member,
            entry_date=paid_on,
            kind=subscription.kind,
            category=subscription.category,
            shares=subscription.shares,
            unit_price=subscription.unit_price,
            amount=subscription.amount,
            subscription=subscription,
            recorded_by=actor,
        )
        became_member = False
        if member.member_number is None:
            member.member_number = number_allocate(
                entity=subscription.entity, series=MEMBER_SERIES, year=NO_YEAR
            )
        if member.status == Member.Status.APPLICANT:
            member.status = Member.Status.MEMBER
            member.joined_on = paid_on
            became_member = True
        member.save(update_fields=["member_number", "status", "joined_on", "updated_at"])
        audit_log(
            actor=actor,
            action="members.shares.payment_confirmed",
            target=subscription,
            entity=subscription.entity,
            data={
                "member": str(member.public_id),
                "member_number": member.member_number,
                "shares": subscription.shares,
                "amount": subscription.amount,
                "paid_on": paid_on,
            },
        )
        if became_member:
            audit_log(
                actor=actor,
                action="members.member.admitted",
                target=member,
                data={"member_number": member.member_number, "joined_on": paid_on},
            )
        render_share_certificate.enqueue(subscription.pk, entity_id=subscription.entity_id)
    subscription.member = member
    return subscription


def share_certificate_generate(*, subscription_id: int) -> ShareSubscription | None:
    """Render and store the certificate of a paid subscription, once (called by the task).

    The PDF is rendered outside any transaction; storing it re-checks that no other run stored
    one in the meantime. Returns None when there is nothing to do."""
    from ..documents import render_certificate_pdf

    subscription = ShareSubscription.objects.select_related("member", "entity").get(
        pk=subscription_id
    )
    if subscription.status != ShareSubscription.Status.PAID or subscription.certificate:
        return None
    pdf = render_certificate_pdf(subscription=subscription)
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        locked = ShareSubscription.objects.select_for_update().get(pk=subscription_id)
        if locked.certificate:
            return None
        locked.certificate.save(f"certificate-{locked.public_id}.pdf", ContentFile(pdf), save=False)
        locked.certificate_sha256 = digest
        locked.certificate_generated_at = timezone.now()
        locked.save(
            update_fields=[
                "certificate",
                "certificate_sha256",
                "certificate_generated_at",
                "updated_at",
            ]
        )
        audit_log(
            actor=None,
            action="members.shares.certificate_issued",
            target=locked,
            entity=locked.entity_id,
            data={"sha256": digest},
        )
    member = subscription.member
    emails.send(
        to=member.email,
        template="certificate_ready",
        context={"member": member, "subscription": locked},
        language=emails.member_language(member),
    )
    return locked


def share_transfer(
    *,
    from_member: Member,
    to_member: Member,
    actor: User | None,
    category: str,
    shares: int,
    on: date | None = None,
    note: str = "",
) -> tuple[RegisterEntry, RegisterEntry]:
    """Transfer shares between two members (approved by the board: the staff who keep the
    register record it). The shares keep the value paid up; the receiving member must be able to
    hold the category (legal persons only the categories open to them). The transfer may be dated
    in the past, but never before the receiver joined nor so that the giver's holding of the
    category would go below zero at any later entry. Locks both member rows in id order."""
    if not has_permission(actor, Permission.CONFIRM_SHARE_PAYMENTS):
        raise PermissionDenied(_("You may not record share transfers."))
    on = on or _today()
    if from_member.pk == to_member.pk:
        raise ValidationFailed(_("Choose two different members."), field="to_member")
    if shares < 1:
        raise ValidationFailed(_("Transfer at least one share."), field="shares")
    if on > _today():
        raise ValidationFailed(_("A transfer cannot be dated in the future."), field="on")
    pack = current_pack()
    known = {c.code: c for c in pack.share_categories}
    if category not in known:
        raise ValidationFailed(
            _("Unknown share category %(category)s.") % {"category": category}, field="category"
        )
    with transaction.atomic():
        first, second = sorted([from_member, to_member], key=lambda m: m.pk)
        locked = {m.pk: _lock(m) for m in (first, second)}
        giver, receiver = locked[from_member.pk], locked[to_member.pk]
        if not giver.is_member:
            raise Conflict(
                _("%(name)s is not a member: only members transfer shares.")
                % {"name": giver.display_name},
                code="not_a_member",
            )
        if not receiver.is_member:
            raise Conflict(
                _("%(name)s is not a member (%(status)s): shares go only to members.")
                % {"name": receiver.display_name, "status": receiver.get_status_display()},
                field="to_member",
                code="not_a_member",
            )
        if receiver.kind == Member.Kind.LEGAL_PERSON and not known[category].for_legal_persons:
            raise ValidationFailed(
                _("A legal person cannot hold shares of category %(category)s.")
                % {"category": category},
                field="category",
                code="category_not_open",
            )
        if receiver.joined_on and on < receiver.joined_on:
            raise ValidationFailed(
                _("%(name)s became a member on %(date)s: date the transfer on or after that day.")
                % {
                    "name": receiver.display_name,
                    "date": date_format(receiver.joined_on, "SHORT_DATE_FORMAT"),
                },
                field="on",
            )
        held = next(
            (h for h in selectors.member_holdings(member=giver, on=on) if h.category == category),
            None,
        )
        available = held.shares if held else 0
        later = selectors.member_lowest_holding_after(member=giver, category=category, after=on)
        if later is not None:
            available = min(available, later)
        if held is None or available < shares:
            raise Conflict(
                _("%(name)s does not hold %(count)d shares of category %(category)s.")
                % {"name": giver.display_name, "count": shares, "category": category},
                field="shares" if held else "category",
                code="not_enough_shares",
            )
        unit = quantize_money(held.amount / held.shares)
        amount = quantize_money(unit * shares)
        coop = selectors.cooperative_entity()
        common = {"entity": coop, "entry_date": on, "category": category, "unit_price": unit}
        out = RegisterEntry.objects.create(
            member=giver,
            kind=RegisterEntry.Kind.TRANSFER_OUT,
            shares=-shares,
            amount=-amount,
            counterpart=receiver,
            recorded_by=actor,
            note=note.strip()[:300],
            **common,
        )
        into = RegisterEntry.objects.create(
            member=receiver,
            kind=RegisterEntry.Kind.TRANSFER_IN,
            shares=shares,
            amount=amount,
            counterpart=giver,
            recorded_by=actor,
            note=note.strip()[:300],
            **common,
        )
        audit_log(
            actor=actor,
            action="members.shares.transferred",
            target=giver,
            entity=coop,
            data={
                "to": str(receiver.public_id),
                "shares": shares,
                "category": category,
                "on": on,
                "amount": amount,
            },
        )
        audit_log(
            actor=actor,
            action="members.shares.transfer_received",
            target=receiver,
            entity=coop,
            data={
                "from": str(giver.public_id),
                "shares": shares,
                "category": category,
                "on": on,
                "amount": amount,
            },
        )
    return out, into


def member_leave(
    *,
    member: Member,
    actor: User | None,
    status: str,
    on: date | None = None,
    reason: str = "",
) -> Member:
    """Resignation or exclusion: every share still held is redeemed at the value paid up (as the
    statutes provide), pending subscriptions are cancelled, and the member keeps their history
    (register entries, documents). Locks: the member row."""
    on = on or _today()
    if status not in (Member.Status.RESIGNED, Member.Status.EXCLUDED):
        raise ValidationFailed(_("Choose resignation or exclusion."), field="status")
    if status == Member.Status.EXCLUDED and not reason.strip():
        raise ValidationFailed(_("An exclusion must state its reason."), field="reason")
    with transaction.atomic():
        member = _lock(member)
        if member.is_former_member:
            raise Conflict(_("This person is no longer a member."), code="already_left")
        redeemed = []
        for holding in selectors.member_holdings(member=member):
            RegisterEntry.objects.create(
                entity=selectors.cooperative_entity(),
                member=member,
                entry_date=on,
                kind=RegisterEntry.Kind.REDEMPTION,
                category=holding.category,
                shares=-holding.shares,
                unit_price=quantize_money(holding.amount / holding.shares),
                amount=-holding.amount,
                recorded_by=actor,
                note=reason[:300],
            )
            redeemed.append(
                {"category": holding.category, "shares": holding.shares, "amount": holding.amount}
            )
        member.subscriptions.filter(status=ShareSubscription.Status.PENDING).update(
            status=ShareSubscription.Status.CANCELLED, updated_at=timezone.now()
        )
        member.status = status
        member.left_on = on
        member.leaving_reason = reason.strip()
        member.save(update_fields=["status", "left_on", "leaving_reason", "updated_at"])
        audit_log(
            actor=actor,
            action=f"members.member.{status}",
            target=member,
            data={"on": on, "reason": reason, "redeemed": redeemed},
        )
    return member
