"""GDPR: erasure requests and their processing (what the law makes us keep is kept)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, PermissionDenied
from smartcoop.core.models import User
from smartcoop.core.roles import Permission, has_permission

from .. import selectors
from ..models import ErasureRequest, Member
from ._shared import _lock


def member_erasure_request(*, member: Member, actor: User | None) -> ErasureRequest:
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


def member_erasure_process(*, request: ErasureRequest, actor: User | None) -> ErasureRequest:
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
        report: dict[str, list] = {
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
