"""Reads of the members app, always scoped to what the asking user may see.

A member sees their own data only; an adviser sees the members of their office; staff with
`VIEW_ALL_MEMBERS` see everyone. Anything outside that answers 404 (`NotFound`), never 403, so a
page does not reveal that a member exists."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.http import Http404, HttpRequest
from django.utils import timezone

from smartcoop.core.models import AuditLogEntry, LegalEntity, Office, User
from smartcoop.core.payments import structured_communication_format
from smartcoop.core.roles import Permission, Role, has_permission

from . import calculations
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

PORTFOLIO_PAGE_SIZE = 25


# --- Who may see whom ---------------------------------------------------------------------------


def member_visible_to(*, user: User) -> QuerySet[Member]:
    """The members `user` may see as staff (none for members and the public)."""
    members = Member.objects.all()
    if has_permission(user, Permission.VIEW_ALL_MEMBERS):
        return members
    if has_permission(user, Permission.VIEW_MEMBERS_OF_OFFICE) and user.office_id:
        return members.filter(office_id=user.office_id)
    return members.none()


def member_get_for_staff(*, user: User, public_id) -> Member:
    try:
        return (
            member_visible_to(user=user)
            .select_related("office", "adviser", "user")
            .get(public_id=public_id)
        )
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def member_of_user(*, user: User) -> Member | None:
    """The member record of a logged-in person, if they started joining."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.select_related("office", "adviser").filter(user=user).first()


def member_of_request(request: HttpRequest) -> Member | None:
    """member_of_user for the person of this request, read once per request: the dashboard's
    figures, steps and panels each need it (six queries were one). Read-only callers only: a
    view that changes the member reads it again with member_of_user."""
    if not hasattr(request, "_smartcoop_member"):
        user = request.user
        request._smartcoop_member = (  # type: ignore[attr-defined]
            member_of_user(user=user) if isinstance(user, User) else None
        )
    return request._smartcoop_member  # type: ignore[attr-defined]


def can_view_national_numbers(*, user: User) -> bool:
    return has_permission(user, Permission.VIEW_NATIONAL_NUMBERS)


def national_number_for(*, member: Member, user: User) -> str:
    """The national number as `user` may see it: in full only for roles that need it (payroll),
    masked for everyone else, the member included (their data export holds it in full)."""
    if not member.national_number:
        return ""
    if can_view_national_numbers(user=user):
        return member.national_number
    return calculations.mask_identifier(member.national_number)


# --- Portfolio ----------------------------------------------------------------------------------


def _pending_payment():
    return ShareSubscription.objects.filter(
        member=OuterRef("pk"), status=ShareSubscription.Status.PENDING
    )


def member_portfolio(
    *,
    user: User,
    search: str = "",
    status: str = "",
    sector: str = "",
    office: Office | None = None,
    needs_attention: bool = False,
) -> QuerySet[Member]:
    """The members `user` follows, filtered, in name order.

    "Needs attention": no adviser yet, or a share payment waiting to be confirmed, or onboarding
    finished but not yet a member. The queryset is built for the index
    member_portfolio_idx (office, last_name, first_name, id)."""
    members = member_visible_to(user=user).select_related("office", "adviser")
    if office is not None:
        members = members.filter(office=office)
    if status:
        members = members.filter(status=status)
    if sector:
        members = members.filter(sector=sector)
    if search:
        term = search.strip()
        condition = (
            Q(last_name__icontains=term)
            | Q(first_name__icontains=term)
            | Q(legal_name__icontains=term)
            | Q(email__icontains=term)
        )
        if term.isdigit():
            condition |= Q(member_number=int(term))
        members = members.filter(condition)
    if needs_attention:
        members = members.filter(
            Q(adviser__isnull=True)
            | Exists(_pending_payment())
            | Q(status=Member.Status.APPLICANT, onboarding_step=Member.OnboardingStep.DONE)
        )
    return members.order_by("last_name", "first_name", "id")


def adviser_choices(*, office: Office | None = None) -> QuerySet[User]:
    advisers = User.objects.filter(role=Role.ADVISER, is_active=True).select_related("office")
    if office is not None:
        advisers = advisers.filter(office=office)
    return advisers.order_by("last_name", "first_name")


def office_suggest(*, postcode: str) -> Office | None:
    """The first office (by name) whose postcode ranges include `postcode`."""
    for office in Office.objects.exclude(postcode_ranges="").order_by("name"):
        if office.serves_postcode(postcode):
            return office
    return None


def adviser_suggest(*, office: Office) -> User | None:
    """The adviser of `office` who follows the fewest members (spreads newcomers evenly)."""
    return (
        adviser_choices(office=office)
        .annotate(load=Count("advised_members"))
        .order_by("load", "id")
        .first()
    )


def assignment_history(*, member: Member) -> QuerySet[AdviserAssignment]:
    return member.assignments.select_related("office", "adviser", "assigned_by")


# --- Shares and the register --------------------------------------------------------------------


def cooperative_entity() -> LegalEntity:
    """The legal entity that holds the members' shares and keeps the register."""
    from smartcoop.core.errors import Conflict

    entity = LegalEntity.objects.filter(is_cooperative=True).first()
    if entity is None:
        raise Conflict(
            "No cooperative entity is configured: an administrator must mark one legal entity "
            "as the cooperative.",
            code="no_cooperative",
        )
    return entity


def member_subscriptions(*, member: Member) -> QuerySet[ShareSubscription]:
    return member.subscriptions.order_by("-created_at")


def subscription_get_for_member(*, member: Member, public_id) -> ShareSubscription:
    try:
        return member.subscriptions.get(public_id=public_id)
    except (ShareSubscription.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def subscription_get_for_staff(*, user: User, public_id) -> ShareSubscription:
    try:
        return ShareSubscription.objects.select_related("member").get(
            public_id=public_id, member__in=member_visible_to(user=user)
        )
    except (ShareSubscription.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def subscriptions_pending(*, user: User) -> QuerySet[ShareSubscription]:
    return (
        ShareSubscription.objects.filter(
            status=ShareSubscription.Status.PENDING, member__in=member_visible_to(user=user)
        )
        .select_related("member")
        .order_by("created_at")
    )


def member_register_entries(*, member: Member) -> QuerySet[RegisterEntry]:
    return member.register_entries.select_related("counterpart").order_by("entry_date", "id")


def member_holdings(*, member: Member, on: date | None = None) -> list[calculations.Holding]:
    entries = member.register_entries.all()
    if on is not None:
        entries = entries.filter(entry_date__lte=on)
    return calculations.holdings(entries.values_list("category", "shares", "amount"))


def member_lowest_holding_after(*, member: Member, category: str, after: date) -> int | None:
    """The fewest shares of `category` `member` holds at the end of any day after `after` on
    which the register has an entry for them (None when there is none): what a transfer dated
    `after` can take away without making a later day of the register negative."""
    running = sum(
        member.register_entries.filter(category=category, entry_date__lte=after).values_list(
            "shares", flat=True
        )
    )
    lowest = None
    daily = (
        member.register_entries.filter(category=category, entry_date__gt=after)
        .values("entry_date")
        .annotate(total=Sum("shares"))
        .order_by("entry_date")
    )
    for day in daily:
        running += day["total"]
        lowest = running if lowest is None else min(lowest, running)
    return lowest


def member_transfer_candidates(*, user: User, search: str, exclude: Member, limit: int = 6) -> list:
    """The members `user` may see whose member number is `search`, or whose name contains it:
    where the receiving member of a share transfer is looked up. Former members and applicants
    are found too, so the transfer can refuse them with a clear reason."""
    term = search.strip()
    if not term:
        return []
    members = member_visible_to(user=user).exclude(pk=exclude.pk)
    if term.isdigit():
        return list(members.filter(member_number=int(term))[:limit])
    condition = Q()
    for word in term.split():
        condition &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(legal_name__icontains=word)
        )
    return list(members.filter(condition).order_by("last_name", "first_name", "id")[:limit])


def register_at(*, on: date) -> list[dict]:
    """The register of members on `on`: one row per member and category still holding shares,
    in member-number order, with the totals the board signs."""
    rows = (
        RegisterEntry.objects.filter(entry_date__lte=on)
        .values(
            "member_id",
            "member__member_number",
            "member__kind",
            "member__first_name",
            "member__last_name",
            "member__legal_name",
            "member__street",
            "member__postcode",
            "member__city",
            "category",
        )
        .annotate(shares=Sum("shares"), amount=Sum("amount"))
        .filter(shares__gt=0)
        .order_by("member__member_number", "category")
    )
    result = []
    for row in rows:
        name = (
            row["member__legal_name"]
            if row["member__kind"] == Member.Kind.LEGAL_PERSON
            else f"{row['member__first_name']} {row['member__last_name']}".strip()
        )
        address = ", ".join(
            part
            for part in (
                row["member__street"],
                f"{row['member__postcode']} {row['member__city']}".strip(),
            )
            if part
        )
        result.append(
            {
                "member_number": row["member__member_number"],
                "name": name,
                "address": address,
                "category": row["category"],
                "shares": row["shares"],
                "amount": row["amount"],
            }
        )
    return result


def holdings_by_member(*, entity: LegalEntity, on: date) -> dict[int, dict[str, int]]:
    """Shares held per member and category in `entity`'s register at the end of `on`, members
    holding nothing left out: one aggregate query (the voters' list of a general assembly)."""
    rows = (
        RegisterEntry.objects.filter(entity=entity, entry_date__lte=on)
        .values("member_id", "category")
        .annotate(total=Sum("shares"))
        .filter(total__gt=0)
    )
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        result.setdefault(row["member_id"], {})[row["category"]] = row["total"]
    return result


def register_totals(rows: list[dict]) -> dict:
    shares = sum(r["shares"] for r in rows)
    amount = sum((r["amount"] for r in rows), Decimal("0.00"))
    by_category: dict[str, int] = {}
    for r in rows:
        by_category[r["category"]] = by_category.get(r["category"], 0) + r["shares"]
    return {
        "members": len({r["member_number"] for r in rows}),
        "shares": shares,
        "amount": amount,
        "by_category": dict(sorted(by_category.items())),
    }


def register_movements(*, start: date, end: date) -> QuerySet[RegisterEntry]:
    return (
        RegisterEntry.objects.filter(entry_date__gte=start, entry_date__lte=end)
        .select_related("member", "counterpart")
        .order_by("entry_date", "id")
    )


# --- Information sessions -----------------------------------------------------------------------


def info_sessions_upcoming(*, now: datetime | None = None) -> QuerySet[InfoSession]:
    now = now or timezone.now()
    return (
        InfoSession.objects.filter(starts_at__gte=now, cancelled_at__isnull=True)
        .select_related("office")
        .annotate(booked=Count("bookings", filter=Q(bookings__status="booked")))
        .annotate(seats_left=F("capacity") - F("booked"))
        .order_by("starts_at")
    )


def info_sessions_for_staff(*, since: datetime | None = None) -> QuerySet[InfoSession]:
    since = since or (timezone.now() - timedelta(days=30))
    return (
        InfoSession.objects.filter(starts_at__gte=since)
        .select_related("office")
        .annotate(
            booked=Count("bookings", filter=Q(bookings__status="booked")),
            attended_count=Count("bookings", filter=Q(bookings__attended=True)),
        )
        .order_by("starts_at")
    )


def info_session_get(*, public_id) -> InfoSession:
    try:
        return InfoSession.objects.select_related("office").get(public_id=public_id)
    except (InfoSession.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def member_bookings(*, member: Member) -> QuerySet[InfoSessionBooking]:
    return member.session_bookings.filter(status=InfoSessionBooking.Status.BOOKED).select_related(
        "session", "session__office"
    )


def booking_get_for_member(*, member: Member, public_id) -> InfoSessionBooking:
    try:
        return member.session_bookings.select_related("session").get(public_id=public_id)
    except (InfoSessionBooking.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def session_bookings_for_staff(*, user: User, session: InfoSession) -> QuerySet[InfoSessionBooking]:
    """Bookings of a session. Staff who may manage sessions see every participant's name; the
    participants' other data stays behind the member pages' own checks."""
    return session.bookings.filter(status=InfoSessionBooking.Status.BOOKED).select_related("member")


def booking_get_for_staff(*, user: User, public_id) -> InfoSessionBooking:
    """A booking whose attendance `user` may record: that of a member they may see (an adviser:
    their office's members, like the rest of their work)."""
    try:
        return InfoSessionBooking.objects.select_related("session", "member").get(
            public_id=public_id, member__in=member_visible_to(user=user)
        )
    except (InfoSessionBooking.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- Appointments -------------------------------------------------------------------------------


def appointments_open_for_member(*, member: Member, now: datetime | None = None):
    """Slots offered by the advisers of the member's office."""
    now = now or timezone.now()
    if member.office_id is None:
        return Appointment.objects.none()
    return (
        Appointment.objects.filter(
            office_id=member.office_id, status=Appointment.Status.OPEN, starts_at__gt=now
        )
        .select_related("adviser")
        .order_by("starts_at")
    )


def member_appointments(*, member: Member) -> QuerySet[Appointment]:
    return member.appointments.filter(status=Appointment.Status.BOOKED).select_related(
        "adviser", "office"
    )


def appointment_get_for_member(*, member: Member, public_id) -> Appointment:
    """An open slot of the member's office, or one of the member's own appointments."""
    try:
        return Appointment.objects.select_related("adviser", "office").get(
            Q(member=member) | Q(status=Appointment.Status.OPEN, office_id=member.office_id),
            public_id=public_id,
        )
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def appointments_for_staff(*, user: User) -> QuerySet[Appointment]:
    appointments = Appointment.objects.select_related("adviser", "member", "office")
    if has_permission(user, Permission.VIEW_ALL_MEMBERS):
        return appointments
    if user.office_id:
        return appointments.filter(office_id=user.office_id)
    return appointments.none()


def appointment_get_for_staff(*, user: User, public_id) -> Appointment:
    try:
        return appointments_for_staff(user=user).get(public_id=public_id)
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- 360° page, audit and GDPR ------------------------------------------------------------------


def member_audit_trail(*, member: Member, limit: int = 50) -> list[AuditLogEntry]:
    related_ids = [str(member.public_id)]
    related_ids += [str(p) for p in member.subscriptions.values_list("public_id", flat=True)]
    return list(
        AuditLogEntry.objects.filter(target_id__in=related_ids)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def erasure_requests_open(*, user: User) -> QuerySet[ErasureRequest]:
    return ErasureRequest.objects.filter(
        status=ErasureRequest.Status.REQUESTED, member__in=member_visible_to(user=user)
    ).select_related("member")


def erasure_request_get_for_staff(*, user: User, public_id) -> ErasureRequest:
    try:
        return ErasureRequest.objects.select_related("member").get(
            public_id=public_id, member__in=member_visible_to(user=user)
        )
    except (ErasureRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def member_export_data(*, member: Member) -> dict:
    """Everything the platform keeps about a member (GDPR art. 15 and 20), in plain values."""

    def money(value: Decimal | None) -> str | None:
        return None if value is None else f"{value:.2f}"

    def when(value) -> str | None:
        return value.isoformat() if value else None

    return {
        "exported_at": timezone.now().isoformat(),
        "member": {
            "public_id": str(member.public_id),
            "kind": member.kind,
            "status": member.status,
            "member_number": member.member_number,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "legal_name": member.legal_name,
            "email": member.email,
            "phone": member.phone,
            "birth_date": when(member.birth_date),
            "national_number": member.national_number,
            "enterprise_number": member.enterprise_number,
            "nationality": member.nationality,
            "address": {
                "street": member.street,
                "postcode": member.postcode,
                "city": member.city,
                "country": member.country,
            },
            "iban": member.iban,
            "bic": member.bic,
            "language": member.language,
            "profession": member.profession,
            "sector": member.sector,
            "heard_from": member.heard_from,
            "privacy_consent": {
                "version": member.privacy_consent_version,
                "given_at": when(member.privacy_consent_at),
            },
            "joined_on": when(member.joined_on),
            "left_on": when(member.left_on),
            "office": member.office.name if member.office else None,
            "adviser": str(member.adviser) if member.adviser_id else None,
        },
        "share_subscriptions": [
            {
                "date": when(s.created_at),
                "kind": s.kind,
                "category": s.category,
                "shares": s.shares,
                "amount": money(s.amount),
                "status": s.status,
                "paid_on": when(s.paid_on),
                "structured_communication": structured_communication_format(s.structured_reference),
            }
            for s in member.subscriptions.order_by("created_at")
        ],
        "register_entries": [
            {
                "date": when(e.entry_date),
                "kind": e.kind,
                "category": e.category,
                "shares": e.shares,
                "amount": money(e.amount),
            }
            for e in member.register_entries.order_by("entry_date", "id")
        ],
        "information_sessions": [
            {
                "starts_at": when(b.session.starts_at),
                "status": b.status,
                "attended": b.attended,
            }
            for b in member.session_bookings.select_related("session").order_by("created_at")
        ],
        "appointments": [
            {
                "starts_at": when(a.starts_at),
                "adviser": str(a.adviser),
                "topic": a.topic,
                "status": a.status,
            }
            for a in member.appointments.select_related("adviser").order_by("starts_at")
        ],
        "adviser_history": [
            {
                "date": when(a.created_at),
                "office": a.office.name if a.office else None,
                "adviser": str(a.adviser) if a.adviser_id else None,
                "reason": a.reason,
            }
            for a in member.assignments.select_related("office", "adviser").order_by("created_at")
        ],
    }
