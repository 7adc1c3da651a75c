"""Onboarding: the member's identity, bank account, profile and consent, the suggested office."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.fields import blind_index, blind_indexes
from smartcoop.core.models import User
from smartcoop.core.sectors import Sector
from smartcoop.core.validators import (
    check_texts,
    clean_bic,
    clean_iban,
    clean_identifier,
    validate_country_code,
)
from smartcoop.countries import IdentifierKind, current_pack

from .. import calculations, selectors
from ..models import AdviserAssignment, Member
from ._shared import _advance, _lock, _today


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


def _is_country(code: str) -> bool:
    try:
        validate_country_code(code)
    except ValidationError:
        return False
    return True


def member_save_identity(
    *,
    member: Member,
    actor: User | None,
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
    check_texts(
        first_name=first_name,
        last_name=last_name,
        legal_name=legal_name,
        street=street,
        postcode=postcode,
        city=city,
        phone=phone,
    )
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
        # Under every key: a number indexed before a key rotation is still a duplicate.
        if (
            Member.objects.filter(national_number_index__in=blind_indexes(compact))
            .exclude(pk=member.pk)
            .exists()
        ):
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
    for field, code in (("country", country.strip()), ("nationality", nationality.strip())):
        # Two letters that name a country, not the first two of whatever was typed.
        if code and (len(code) != 2 or not _is_country(code)):
            raise ValidationFailed(
                _("%(code)s is not a country code (ISO 3166-1, two letters such as BE).")
                % {"code": code[:10]},
                field=field,
            )

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


def _suggest_office(*, member: Member, actor: User | None) -> None:
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
        # Stored in English and translated when shown: the member joins in their language, the
        # adviser reads the history in theirs.
        reason=gettext_noop("Suggested from the postcode"),
    )
    audit_log(
        actor=actor,
        action="members.member.adviser_suggested",
        target=member,
        data={"office": office.name, "adviser": str(adviser) if adviser else None},
    )


def member_save_bank(*, member: Member, actor: User | None, iban: str, bic: str = "") -> Member:
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
    actor: User | None,
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


def member_give_consent(*, member: Member, actor: User | None, accepted: bool) -> Member:
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
