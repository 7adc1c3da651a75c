"""Writes of the members app. Each public function is one atomic action: it validates, changes
the rows, writes an audit entry in the same transaction, and leaves e-mails and PDF rendering to
after the commit (tasks). National numbers and IBANs never appear in audit data or logs."""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from smartcoop.core.fields import blind_index
from smartcoop.core.models import Office, User
from smartcoop.core.money import quantize_money
from smartcoop.core.numbering import number_allocate
from smartcoop.core.payments import structured_communication
from smartcoop.core.roles import Permission, Role, has_permission
from smartcoop.core.sectors import Sector
from smartcoop.core.validators import clean_bic, clean_iban, clean_identifier
from smartcoop.countries import IdentifierKind, current_pack

from . import calculations, emails, selectors
from .models import (
    AdviserAssignment,
    Appointment,
    ErasureRequest,
    InfoSession,
    InfoSessionBooking,
    Member,
    RegisterEntry,
    ShareSubscription,
)

logger = logging.getLogger(__name__)

# Member numbers and payment references are not reset each year: one series, year 0.
MEMBER_SERIES = "MEMBER"
SHARE_PAYMENT_SERIES = "SHAREPAY"
NO_YEAR = 0
# Structured communications of share payments start with 8 (invoices use other prefixes).
SHARE_REFERENCE_BASE = 8_000_000_000


def _today() -> date:
    return timezone.localdate()


def _lock(member: Member) -> Member:
    return Member.objects.select_for_update(of=("self",)).get(pk=member.pk)


def _advance(member: Member, reached: str) -> None:
    order = [s.value for s in Member.OnboardingStep]
    if order.index(member.onboarding_step) <= order.index(reached):
        member.onboarding_step = order[min(order.index(reached) + 1, len(order) - 1)]


# --- Onboarding ---------------------------------------------------------------------------------


def member_start_onboarding(*, user: User) -> Member:
    """The applicant record of a person who has an account (created on first visit)."""
    with transaction.atomic():
        member, created = Member.objects.get_or_create(
            user=user,
            defaults={
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "language": user.preferred_language,
            },
        )
        if created:
            audit_log(actor=user, action="members.member.created", target=member)
    return member


def member_save_identity(
    *,
    member: Member,
    actor,
    kind: str,
    first_name: str = "",
    last_name: str = "",
    legal_name: str = "",
    birth_date: date | None = None,
    national_number: str = "",
    enterprise_number: str = "",
    nationality: str = "",
    street: str,
    postcode: str,
    city: str,
    country: str,
    phone: str = "",
    on: date | None = None,
) -> Member:
    """Step 1: who the person is. Natural persons give a birth date (16 to 120 years old) and a
    national number; legal persons give their enterprise number. Either number is refused when
    another member already has it. Suggests an office and adviser from the postcode the first
    time. Locks: the member row."""
    on = on or _today()
    changes: dict[str, object] = {}
    if kind == Member.Kind.PERSON:
        if not first_name.strip() or not last_name.strip():
            raise ValidationFailed(_("Please give your first and last name."), field="last_name")
        if birth_date is None:
            raise ValidationFailed(_("Please give your birth date."), field="birth_date")
        age = calculations.age_on(birth_date=birth_date, on=on)
        if age < calculations.MIN_AGE:
            raise ValidationFailed(
                _("You must be at least %(age)d years old to join the cooperative.")
                % {"age": calculations.MIN_AGE},
                field="birth_date",
                code="too_young",
            )
        if age > calculations.MAX_AGE:
            raise ValidationFailed(
                _("This birth date is more than %(age)d years ago: please check it.")
                % {"age": calculations.MAX_AGE},
                field="birth_date",
                code="too_old",
            )
        try:
            compact = clean_identifier(IdentifierKind.NATIONAL_NUMBER, national_number)
        except ValidationError as exc:
            raise ValidationFailed(exc.messages[0], field="national_number") from None
        index = blind_index(compact)
        if Member.objects.filter(national_number_index=index).exclude(pk=member.pk).exists():
            raise ValidationFailed(
                _(
                    "This national number is already registered for another member. If it is "
                    "yours, please contact the cooperative rather than creating a second account."
                ),
                field="national_number",
                code="duplicate_national_number",
            )
        changes = {
            "first_name": first_name.strip(),
            "last_name": last_name.strip(),
            "legal_name": "",
            "birth_date": birth_date,
            "national_number": compact,
            "national_number_index": index,
            "enterprise_number": "",
        }
    elif kind == Member.Kind.LEGAL_PERSON:
        if not legal_name.strip():
            raise ValidationFailed(_("Please give the legal name."), field="legal_name")
        try:
            compact = clean_identifier(IdentifierKind.ENTERPRISE_NUMBER, enterprise_number)
        except ValidationError as exc:
            raise ValidationFailed(exc.messages[0], field="enterprise_number") from None
        if Member.objects.filter(enterprise_number=compact).exclude(pk=member.pk).exists():
            raise ValidationFailed(
                _("This enterprise number is already registered for another member."),
                field="enterprise_number",
                code="duplicate_enterprise_number",
            )
        changes = {
            "legal_name": legal_name.strip(),
            "first_name": first_name.strip(),
            "last_name": last_name.strip(),
            "enterprise_number": compact,
            "national_number": "",
            "national_number_index": "",
            "birth_date": None,
        }
    else:
        raise ValidationFailed(_("Unknown kind of member."), field="kind")
    if not (street.strip() and postcode.strip() and city.strip() and country.strip()):
        raise ValidationFailed(_("Please give your full address."), field="street")

    with transaction.atomic():
        member = _lock(member)
        for name, value in changes.items():
            setattr(member, name, value)
        member.kind = kind
        member.nationality = nationality.upper()[:2]
        member.street = street.strip()
        member.postcode = postcode.strip()
        member.city = city.strip()
        member.country = country.upper()[:2]
        member.phone = phone.strip()
        _advance(member, Member.OnboardingStep.IDENTITY)
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:
            # Two people saving the same number at the same moment: the constraint decides.
            raise ValidationFailed(
                _("This number is already registered for another member."),
                field="national_number" if kind == Member.Kind.PERSON else "enterprise_number",
                code="duplicate_national_number",
            ) from None
        if member.office_id is None:
            _suggest_office(member=member, actor=actor)
        audit_log(
            actor=actor,
            action="members.member.identity_saved",
            target=member,
            data={"kind": kind, "postcode": member.postcode},
        )
    return member


def _suggest_office(*, member: Member, actor) -> None:
    office = selectors.office_suggest(postcode=member.postcode)
    if office is None:
        return
    adviser = selectors.adviser_suggest(office=office)
    member.office, member.adviser = office, adviser
    member.save(update_fields=["office", "adviser", "updated_at"])
    AdviserAssignment.objects.create(
        member=member,
        office=office,
        adviser=adviser,
        assigned_by=None,
        reason=_("Suggested from the postcode"),
    )
    audit_log(
        actor=actor,
        action="members.member.adviser_suggested",
        target=member,
        data={"office": office.name, "adviser": str(adviser) if adviser else None},
    )


def member_save_bank(*, member: Member, actor, iban: str, bic: str = "") -> Member:
    """Step 2: the account wages and share redemptions are paid to."""
    try:
        iban_compact = clean_iban(iban)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], field="iban") from None
    if bic.strip():
        try:
            bic_clean = clean_bic(bic)
        except ValidationError as exc:
            raise ValidationFailed(exc.messages[0], field="bic") from None
    else:
        from schwifty import IBAN

        found = IBAN(iban_compact).bic
        bic_clean = str(found) if found else ""
    with transaction.atomic():
        member = _lock(member)
        member.iban, member.bic = iban_compact, bic_clean
        _advance(member, Member.OnboardingStep.BANK)
        member.save(update_fields=["iban", "bic", "onboarding_step", "updated_at"])
        audit_log(
            actor=actor,
            action="members.member.bank_saved",
            target=member,
            data={"iban": iban_compact, "bic": bic_clean},
        )
    return member


def member_save_profile(
    *,
    member: Member,
    actor,
    language: str,
    profession: str,
    sector: str,
    heard_from: str,
) -> Member:
    """Step 3: language, profession and sector (for the annual report), how they heard of us."""
    if language not in current_pack().languages:
        raise ValidationFailed(_("Please choose one of the languages offered."), field="language")
    if sector not in Sector.values:
        raise ValidationFailed(_("Please choose a sector."), field="sector")
    if heard_from and heard_from not in Member.HeardFrom.values:
        raise ValidationFailed(_("Please choose an answer from the list."), field="heard_from")
    if not profession.strip():
        raise ValidationFailed(_("Please tell us your profession."), field="profession")
    with transaction.atomic():
        member = _lock(member)
        member.language = language
        member.profession = profession.strip()
        member.sector = sector
        member.heard_from = heard_from
        _advance(member, Member.OnboardingStep.PROFILE)
        member.save()
        audit_log(
            actor=actor,
            action="members.member.profile_saved",
            target=member,
            data={"language": language, "sector": sector, "heard_from": heard_from},
        )
    return member


def privacy_notice_version(*, on: date | None = None) -> str:
    return current_pack().param("privacy_notice_version", on=on or _today())


def member_give_consent(*, member: Member, actor, accepted: bool) -> Member:
    """Step 4: consent to the privacy notice in force today, recorded with its version and time."""
    if not accepted:
        raise ValidationFailed(
            _("You must accept the privacy notice to join the cooperative."), field="accept"
        )
    with transaction.atomic():
        member = _lock(member)
        if member.onboarding_step in (
            Member.OnboardingStep.IDENTITY,
            Member.OnboardingStep.BANK,
        ):
            raise Conflict(_("Please complete the previous steps first."), code="steps_missing")
        now = timezone.now()
        member.privacy_consent_version = privacy_notice_version(on=timezone.localdate(now))
        member.privacy_consent_at = now
        member.onboarding_step = Member.OnboardingStep.DONE
        member.onboarding_completed_at = member.onboarding_completed_at or now
        member.save()
        audit_log(
            actor=actor,
            action="members.member.consent_given",
            target=member,
            data={"version": member.privacy_consent_version},
        )
    return member


# --- Status -------------------------------------------------------------------------------------


def member_mark_active(*, member: Member, actor=None) -> Member:
    """A member who starts working (an Activity or a contract exists) becomes active. Called by
    the activities app; does nothing if the member is already active. Locks: the member row."""
    with transaction.atomic():
        member = _lock(member)
        if member.status == Member.Status.ACTIVE:
            return member
        if member.status != Member.Status.MEMBER:
            raise Conflict(
                _("Only a member whose shares are paid can become active (now: %(status)s).")
                % {"status": member.get_status_display()},
                code="not_a_member",
            )
        member.status = Member.Status.ACTIVE
        member.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="members.member.activated", target=member)
    return member


def member_assign(
    *, member: Member, actor, office: Office, adviser: User | None, reason: str = ""
) -> Member:
    """Change a member's office and adviser; the previous pair stays in the history."""
    if adviser is not None and (adviser.role != Role.ADVISER or adviser.office_id != office.pk):
        raise ValidationFailed(
            _("The adviser must be an adviser of the office chosen."), field="adviser"
        )
    with transaction.atomic():
        member = _lock(member)
        before = {
            "office": member.office.name if member.office_id else None,
            "adviser": str(member.adviser) if member.adviser_id else None,
        }
        member.office, member.adviser = office, adviser
        member.save(update_fields=["office", "adviser", "updated_at"])
        AdviserAssignment.objects.create(
            member=member, office=office, adviser=adviser, assigned_by=actor, reason=reason
        )
        audit_log(
            actor=actor,
            action="members.member.adviser_changed",
            target=member,
            data={
                "before": before,
                "after": {"office": office.name, "adviser": str(adviser) if adviser else None},
                "reason": reason,
            },
        )
    return member


# --- Shares -------------------------------------------------------------------------------------


def allowed_categories(*, member: Member, actor) -> list:
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
    actor,
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
        if member.status in (Member.Status.RESIGNED, Member.Status.EXCLUDED):
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


def share_subscription_cancel(*, subscription: ShareSubscription, actor) -> ShareSubscription:
    with transaction.atomic():
        subscription = ShareSubscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.status != ShareSubscription.Status.PENDING:
            raise Conflict(_("Only a subscription awaiting payment can be cancelled."))
        subscription.status = ShareSubscription.Status.CANCELLED
        subscription.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="members.shares.cancelled", target=subscription)
    return subscription


def share_payment_confirm(
    *, subscription: ShareSubscription, actor, paid_on: date | None = None
) -> ShareSubscription:
    """Staff confirm that the transfer arrived: the shares enter the register, an applicant
    becomes a member with the next member number, and the certificate is rendered after commit.

    Locks, in this order: the subscription row, the member row, then the MEMBER number sequence
    of the cooperative (only for a first subscription)."""
    from .tasks import render_share_certificate

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
        if member.status in (Member.Status.RESIGNED, Member.Status.EXCLUDED):
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
        render_share_certificate.enqueue(subscription.pk)
    subscription.member = member
    return subscription


def share_certificate_generate(*, subscription_id: int) -> ShareSubscription | None:
    """Render and store the certificate of a paid subscription, once (called by the task).

    The PDF is rendered outside any transaction; storing it re-checks that no other run stored
    one in the meantime. Returns None when there is nothing to do."""
    from .documents import render_certificate_pdf

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
    actor,
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
                % {"name": receiver.display_name, "date": receiver.joined_on.isoformat()},
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
    actor,
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
        if member.status in (Member.Status.RESIGNED, Member.Status.EXCLUDED):
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


# --- Information sessions -----------------------------------------------------------------------


def info_session_create(
    *,
    actor,
    starts_at: datetime,
    language: str,
    mode: str,
    capacity: int,
    duration_minutes: int = 90,
    office: Office | None = None,
    online_url: str = "",
) -> InfoSession:
    if starts_at <= timezone.now():
        raise ValidationFailed(_("A session must start in the future."), field="starts_at")
    if capacity < 1:
        raise ValidationFailed(_("The capacity must be at least 1."), field="capacity")
    if mode == InfoSession.Mode.OFFICE and office is None:
        raise ValidationFailed(_("Choose the office of the session."), field="office")
    if mode == InfoSession.Mode.ONLINE and not online_url:
        raise ValidationFailed(_("Give the link of the online session."), field="online_url")
    with transaction.atomic():
        session = InfoSession.objects.create(
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            language=language,
            mode=mode,
            office=office if mode == InfoSession.Mode.OFFICE else None,
            online_url=online_url if mode == InfoSession.Mode.ONLINE else "",
            capacity=capacity,
            created_by=actor,
        )
        audit_log(
            actor=actor,
            action="members.info_session.created",
            target=session,
            data={"starts_at": starts_at, "capacity": capacity, "mode": mode},
        )
    return session


def info_session_book(*, session: InfoSession, member: Member, actor) -> InfoSessionBooking:
    """Book a seat. Locks the session row first, so two people can never take the last seat."""
    from .tasks import send_booking_confirmation

    with transaction.atomic():
        session = InfoSession.objects.select_for_update().get(pk=session.pk)
        if session.cancelled_at is not None or session.starts_at <= timezone.now():
            raise Conflict(_("This session can no longer be booked."), code="session_closed")
        booked = session.bookings.filter(status=InfoSessionBooking.Status.BOOKED)
        if booked.filter(member=member).exists():
            raise Conflict(_("You have already booked this session."), code="already_booked")
        if booked.count() >= session.capacity:
            raise Conflict(
                _("This session is full. Please choose another date."), code="session_full"
            )
        booking = InfoSessionBooking.objects.create(session=session, member=member)
        audit_log(
            actor=actor,
            action="members.info_session.booked",
            target=booking,
            data={"session": str(session.public_id), "member": str(member.public_id)},
        )
        send_booking_confirmation.enqueue(booking.pk)
    return booking


def info_session_booking_cancel(*, booking: InfoSessionBooking, actor) -> InfoSessionBooking:
    with transaction.atomic():
        booking = InfoSessionBooking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != InfoSessionBooking.Status.BOOKED:
            raise Conflict(_("This booking is already cancelled."))
        booking.status = InfoSessionBooking.Status.CANCELLED
        booking.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="members.info_session.booking_cancelled", target=booking)
    return booking


def info_session_record_attendance(
    *, booking: InfoSessionBooking, actor, attended: bool
) -> InfoSessionBooking:
    with transaction.atomic():
        booking = InfoSessionBooking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != InfoSessionBooking.Status.BOOKED:
            raise Conflict(_("This booking was cancelled."))
        booking.attended = attended
        booking.save(update_fields=["attended", "updated_at"])
        audit_log(
            actor=actor,
            action="members.info_session.attendance",
            target=booking,
            data={"attended": attended},
        )
    return booking


def info_session_send_reminders(*, now: datetime | None = None) -> int:
    """E-mail everyone booked on a session that takes place tomorrow (deployment time zone).

    Safe to run twice or in parallel: each booking is locked with SKIP LOCKED, its flag is
    re-checked and set in a short transaction, and the e-mail is sent after the commit. If
    sending fails, the flag is cleared again so the next run retries. Returns the number sent."""
    now = now or timezone.now()
    zone = ZoneInfo(settings.TIME_ZONE)
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=zone)
    end = start + timedelta(days=1)
    due = InfoSessionBooking.objects.filter(
        status=InfoSessionBooking.Status.BOOKED,
        reminder_sent_at__isnull=True,
        session__cancelled_at__isnull=True,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
    )
    sent = 0
    for booking_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            booking = (
                due.select_for_update(skip_locked=True, of=("self",))
                .select_related("session", "session__office", "member")
                .filter(pk=booking_id)
                .first()
            )
            if booking is None:  # taken by a concurrent run, or already sent
                continue
            booking.reminder_sent_at = timezone.now()
            booking.save(update_fields=["reminder_sent_at", "updated_at"])
        try:
            emails.send(
                to=booking.member.email,
                template="session_reminder",
                context={"booking": booking, "session": booking.session},
                language=booking.session.language,
            )
        except Exception:
            # Whatever the mail backend raises: log it, give the flag back so the next run
            # retries this booking, and go on with the others.
            logger.exception("reminder of booking %s could not be sent", booking.public_id)
            InfoSessionBooking.objects.filter(pk=booking.pk).update(reminder_sent_at=None)
            continue
        sent += 1
    return sent


# --- Appointments -------------------------------------------------------------------------------


def appointment_slot_create(
    *, adviser: User, actor, starts_at: datetime, duration_minutes: int = 45, location: str = ""
) -> Appointment:
    if adviser.role != Role.ADVISER or adviser.office_id is None:
        raise ValidationFailed(_("Only an adviser of an office offers appointments."))
    if starts_at <= timezone.now():
        raise ValidationFailed(_("A slot must be in the future."), field="starts_at")
    with transaction.atomic():
        if Appointment.objects.filter(adviser=adviser, starts_at=starts_at).exclude(
            status=Appointment.Status.CANCELLED
        ):
            raise Conflict(_("You already offer a slot at that time."), field="starts_at")
        slot = Appointment.objects.create(
            adviser=adviser,
            office_id=adviser.office_id,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            location=location,
        )
        audit_log(
            actor=actor,
            action="members.appointment.slot_created",
            target=slot,
            data={"starts_at": starts_at},
        )
    return slot


def appointment_book(
    *, appointment: Appointment, member: Member, actor, topic: str = ""
) -> Appointment:
    """A member takes an open slot of their office. Locks the slot row."""
    from .tasks import send_appointment_email

    with transaction.atomic():
        slot = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if slot.office_id != member.office_id:
            raise NotFound(_("This slot does not exist."))
        if slot.status != Appointment.Status.OPEN or slot.starts_at <= timezone.now():
            raise Conflict(_("This slot has just been taken. Please choose another one."))
        slot.member = member
        slot.topic = topic.strip()[:200]
        slot.status = Appointment.Status.BOOKED
        slot.booked_at = timezone.now()
        slot.save(update_fields=["member", "topic", "status", "booked_at", "updated_at"])
        audit_log(
            actor=actor,
            action="members.appointment.booked",
            target=slot,
            data={"member": str(member.public_id)},
        )
        send_appointment_email.enqueue(slot.pk, "booked")
    return slot


def appointment_cancel(*, appointment: Appointment, actor) -> Appointment:
    """A member gives the slot back (it opens again); staff withdraw it (cancelled)."""
    from .tasks import send_appointment_email

    with transaction.atomic():
        slot = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if slot.status == Appointment.Status.CANCELLED:
            raise Conflict(_("This appointment is already cancelled."))
        by_staff = has_permission(actor, Permission.BACKOFFICE_ACCESS)
        member_id = slot.member_id
        if by_staff:
            slot.status = Appointment.Status.CANCELLED
        else:
            slot.status, slot.member, slot.topic, slot.booked_at = (
                Appointment.Status.OPEN,
                None,
                "",
                None,
            )
        slot.save()
        audit_log(
            actor=actor,
            action="members.appointment.cancelled",
            target=slot,
            data={"by_staff": by_staff},
        )
        if member_id:
            send_appointment_email.enqueue(slot.pk, "cancelled", member_id)
    return slot


def appointment_save_notes(*, appointment: Appointment, actor, notes: str) -> Appointment:
    with transaction.atomic():
        slot = Appointment.objects.select_for_update().get(pk=appointment.pk)
        slot.staff_notes = notes
        slot.save(update_fields=["staff_notes", "updated_at"])
        audit_log(actor=actor, action="members.appointment.notes_saved", target=slot)
    return slot


# --- GDPR ---------------------------------------------------------------------------------------


def member_erasure_request(*, member: Member, actor) -> ErasureRequest:
    with transaction.atomic():
        member = _lock(member)
        existing = member.erasure_requests.filter(status=ErasureRequest.Status.REQUESTED).first()
        if existing:
            return existing
        request = ErasureRequest.objects.create(member=member)
        audit_log(actor=actor, action="members.gdpr.erasure_requested", target=member)
    return request


def _retained_items(member: Member, had_shares: bool) -> list[dict]:
    kept = []
    if had_shares:
        kept.append(
            {
                "data": _("Name, address, member number and the register of members entries"),
                "why": _(
                    "The cooperative must keep its register of shares with each shareholder's "
                    "identity and movements (Belgian Code of Companies and Associations, art. "
                    "6:24; French law of 10 September 1947 for SCICs)."
                ),
            }
        )
        kept.append(
            {
                "data": _("National number and birth date"),
                "why": _(
                    "Payroll records and social declarations made for this person refer to them "
                    "and must be kept for the legal period (social documents: 5 years; tax: 7 "
                    "years)."
                ),
            }
        )
    kept.append(
        {
            "data": _("Invoices, contracts and payslips"),
            "why": _(
                "Accounting and social law require them to be kept (VAT invoices 10 years in "
                "Belgium, accounting records 10 years in France); they are not changed here."
            ),
        }
    )
    kept.append(
        {
            "data": _("The audit trail of changes"),
            "why": _(
                "It proves who changed what; it holds no national number or bank account in clear."
            ),
        }
    )
    return kept


def member_erasure_process(*, request: ErasureRequest, actor) -> ErasureRequest:
    """Anonymise what the law lets go and keep what must be retained, writing both lists (with
    the reason for what is kept) into the request's report. Locks: the request, then the member.

    A person who never held shares loses everything but an anonymous record; a (former) member
    keeps the identity the register needs. Members still holding shares must leave first."""
    if not has_permission(actor, Permission.MANAGE_MEMBERS):
        raise PermissionDenied(_("You may not process erasure requests."))
    with transaction.atomic():
        request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ErasureRequest.Status.REQUESTED:
            raise Conflict(_("This request has already been processed."))
        member = _lock(request.member)
        if selectors.member_holdings(member=member):
            raise Conflict(
                _(
                    "This member still holds shares: record their resignation first, then "
                    "process the erasure."
                ),
                code="still_member",
            )
        had_shares = member.register_entries.exists()
        erased = [
            _("Phone number"),
            _("Bank account (IBAN and BIC)"),
            _("Profession, sector and how they heard of us"),
            _("Information session bookings"),
            _("Appointment topics and notes"),
            _("Login account (closed, e-mail address removed)"),
        ]
        anonymous_email = f"erased-{member.public_id}@invalid"
        member.phone = member.iban = member.bic = member.profession = member.heard_from = ""
        member.sector = ""
        member.email = anonymous_email
        if not had_shares:
            erased += [
                _("Name and address"),
                _("National number and birth date"),
                _("Nationality"),
            ]
            member.first_name = _("Erased")
            member.last_name = ""
            member.legal_name = _("Erased") if member.kind == Member.Kind.LEGAL_PERSON else ""
            member.street = member.postcode = member.city = member.nationality = ""
            member.national_number = member.national_number_index = ""
            member.enterprise_number = ""
            member.birth_date = None
        member.anonymised_at = timezone.now()
        member.save()
        member.session_bookings.all().delete()
        member.appointments.update(topic="", staff_notes="")
        if member.user_id:
            User.objects.filter(pk=member.user_id).update(
                email=anonymous_email, first_name="", last_name="", is_active=False
            )
            from allauth.account.models import EmailAddress

            EmailAddress.objects.filter(user_id=member.user_id).delete()
        report = {
            "erased": [str(x) for x in erased],
            "kept": [
                {"data": str(k["data"]), "why": str(k["why"])}
                for k in _retained_items(member, had_shares)
            ],
        }
        request.status = ErasureRequest.Status.DONE
        request.processed_at = timezone.now()
        request.processed_by = actor
        request.report = report
        request.save()
        audit_log(
            actor=actor,
            action="members.gdpr.erasure_processed",
            target=member,
            data={"kept": len(report["kept"]), "erased": len(report["erased"])},
        )
    return request
