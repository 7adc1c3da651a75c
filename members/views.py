"""Pages of the members app. Views parse, authorise, call one service and render; a service
error becomes a form error or a message. Anything a user may not see answers 404."""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartcoop.core.errors import ApplicationError, add_error_to_form
from smartcoop.core.http import AuthenticatedRequest
from smartcoop.core.models import Office
from smartcoop.core.roles import Permission, has_permission
from smartcoop.core.sectors import Sector
from smartcoop.core.views import permission_required
from smartcoop.countries import current_pack

from . import documents, forms, selectors, services
from .models import Appointment, Member, ShareSubscription
from .sections import member_sections

STEPS: list[tuple[str, type[forms.forms.Form]]] = [
    (Member.OnboardingStep.IDENTITY, forms.IdentityForm),
    (Member.OnboardingStep.BANK, forms.BankForm),
    (Member.OnboardingStep.PROFILE, forms.ProfileForm),
    (Member.OnboardingStep.CONSENT, forms.ConsentForm),
]
STEP_ORDER = [s for s, _form in STEPS]


def _member(request: AuthenticatedRequest) -> Member:
    """The member record of the logged-in person (created when they first arrive). Staff have
    no member area: a staff account opening a member page gets 404 and creates nothing."""
    member = selectors.member_of_user(user=request.user)
    if member is None:
        if has_permission(request.user, Permission.BACKOFFICE_ACCESS):
            raise Http404
        member = services.member_start_onboarding(user=request.user)
    return member


def _fail(request: HttpRequest, error: ApplicationError) -> None:
    messages.error(request, error.message)


# --- Member area --------------------------------------------------------------------------------


@login_required
def member_index(request: AuthenticatedRequest) -> HttpResponse:
    member = _member(request)
    if member.onboarding_step != Member.OnboardingStep.DONE:
        return redirect("members:onboarding", step=member.onboarding_step)
    subscriptions = list(selectors.member_subscriptions(member=member))
    return render(
        request,
        "members/member_index.html",
        {
            "member": member,
            "holdings": selectors.member_holdings(member=member),
            "subscriptions": subscriptions,
            "pending": next(
                (s for s in subscriptions if s.status == ShareSubscription.Status.PENDING), None
            ),
            "bookings": selectors.member_bookings(member=member),
            "appointments": selectors.member_appointments(member=member),
            "national_number": selectors.national_number_for(member=member, user=request.user),
        },
    )


@login_required
def onboarding(request: AuthenticatedRequest, step: str) -> HttpResponse:
    member = _member(request)
    if step not in STEP_ORDER:
        raise Http404
    reached = (
        len(STEP_ORDER)
        if member.onboarding_step == Member.OnboardingStep.DONE
        else STEP_ORDER.index(member.onboarding_step)
    )
    index = STEP_ORDER.index(step)
    if index > reached:  # no skipping ahead: each step's answers are needed by the next
        return redirect("members:onboarding", step=member.onboarding_step)
    form_class = dict(STEPS)[step]
    initial = _onboarding_initial(member, step)
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if step == Member.OnboardingStep.IDENTITY:
                services.member_save_identity(member=member, actor=request.user, **data)
            elif step == Member.OnboardingStep.BANK:
                services.member_save_bank(member=member, actor=request.user, **data)
            elif step == Member.OnboardingStep.PROFILE:
                services.member_save_profile(member=member, actor=request.user, **data)
            else:
                services.member_give_consent(
                    member=member, actor=request.user, accepted=data["accept"]
                )
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            if index + 1 < len(STEP_ORDER):
                return redirect("members:onboarding", step=STEP_ORDER[index + 1])
            messages.success(
                request,
                _(
                    "Thank you! Your details are saved. Next: book an information session and subscribe your share."
                ),
            )
            return redirect("members:member_index")
    return render(
        request,
        "members/onboarding.html",
        {
            "member": member,
            "form": form,
            "step": step,
            "steps": [
                {"code": s, "label": Member.OnboardingStep(s).label, "done": i < reached}
                for i, s in enumerate(STEP_ORDER)
            ],
            "step_number": index + 1,
            "step_count": len(STEP_ORDER),
            "previous": STEP_ORDER[index - 1] if index else None,
            "privacy_version": services.privacy_notice_version(),
        },
    )


def _onboarding_initial(member: Member, step: str) -> dict:
    if step == Member.OnboardingStep.IDENTITY:
        return {
            "kind": member.kind,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "legal_name": member.legal_name,
            "birth_date": member.birth_date,
            "national_number": member.national_number,
            "enterprise_number": member.enterprise_number,
            "nationality": member.nationality or current_pack().code,
            "street": member.street,
            "postcode": member.postcode,
            "city": member.city,
            "country": member.country or current_pack().code,
            "phone": member.phone,
        }
    if step == Member.OnboardingStep.BANK:
        return {"iban": member.iban, "bic": member.bic}
    if step == Member.OnboardingStep.PROFILE:
        return {
            "language": member.language or current_pack().languages[0],
            "profession": member.profession,
            "sector": member.sector,
            "heard_from": member.heard_from,
        }
    return {"accept": bool(member.privacy_consent_at)}


@login_required
def sessions(request: AuthenticatedRequest) -> HttpResponse:
    member = _member(request)
    booked = {b.session_id: b for b in selectors.member_bookings(member=member)}
    return render(
        request,
        "members/sessions.html",
        {
            "member": member,
            "rows": [(s, booked.get(s.pk)) for s in selectors.info_sessions_upcoming()[:100]],
        },
    )


@require_POST
@login_required
def session_book(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = _member(request)
    session = selectors.info_session_get(public_id=public_id)
    try:
        services.info_session_book(session=session, member=member, actor=request.user)
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("You are booked. A confirmation is on its way by e-mail."))
    return redirect("members:sessions")


@require_POST
@login_required
def booking_cancel(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = _member(request)
    booking = selectors.booking_get_for_member(member=member, public_id=public_id)
    try:
        services.info_session_booking_cancel(booking=booking, actor=request.user)
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Your booking is cancelled."))
    return redirect("members:sessions")


@login_required
def shares_subscribe(request: AuthenticatedRequest) -> HttpResponse:
    member = _member(request)
    if member.onboarding_step != Member.OnboardingStep.DONE:
        return redirect("members:onboarding", step=member.onboarding_step)
    categories = services.allowed_categories(member=member, actor=request.user)
    form = forms.SubscribeForm(request.POST or None, categories=categories)
    today = timezone.localdate()
    price = current_pack().share_price(today)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = services.share_subscribe(
                member=member,
                actor=request.user,
                shares=form.cleaned_data["shares"],
                category=form.cleaned_data["category"],
            )
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            return redirect("members:subscription", public_id=subscription.public_id)
    return render(
        request,
        "members/subscribe.html",
        {"member": member, "form": form, "price": price, "categories": categories},
    )


@login_required
def subscription_detail(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = _member(request)
    subscription = selectors.subscription_get_for_member(member=member, public_id=public_id)
    return render(
        request,
        "members/subscription.html",
        {
            "member": member,
            "subscription": subscription,
            "entity": subscription.entity,
            "qr_svg": documents.payment_qr_svg(subscription=subscription)
            if subscription.status == ShareSubscription.Status.PENDING
            else "",
        },
    )


@require_POST
@login_required
def subscription_cancel(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = _member(request)
    subscription = selectors.subscription_get_for_member(member=member, public_id=public_id)
    try:
        services.share_subscription_cancel(subscription=subscription, actor=request.user)
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Your subscription is cancelled."))
    return redirect("members:member_index")


@login_required
def certificate(request: AuthenticatedRequest, public_id) -> FileResponse:
    member = _member(request)
    subscription = selectors.subscription_get_for_member(member=member, public_id=public_id)
    return _certificate_response(subscription)


def _certificate_response(subscription: ShareSubscription) -> FileResponse:
    if not subscription.certificate:
        raise Http404
    return FileResponse(
        subscription.certificate.open("rb"),
        content_type="application/pdf",
        filename=f"share-certificate-{subscription.structured_reference}.pdf",
    )


@login_required
def appointments(request: AuthenticatedRequest) -> HttpResponse:
    member = _member(request)
    return render(
        request,
        "members/appointments.html",
        {
            "member": member,
            "mine": selectors.member_appointments(member=member),
            "open_slots": selectors.appointments_open_for_member(member=member)[:30],
            "form": forms.BookAppointmentForm(),
        },
    )


@require_POST
@login_required
def appointment_book(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = _member(request)
    slot = selectors.appointment_get_for_member(member=member, public_id=public_id)
    form = forms.BookAppointmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please say what you would like to talk about."))
        return redirect("members:appointments")
    try:
        services.appointment_book(
            appointment=slot, member=member, actor=request.user, topic=form.cleaned_data["topic"]
        )
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Your appointment is booked. You will receive an e-mail."))
    return redirect("members:appointments")


@require_POST
@login_required
def appointment_cancel(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = _member(request)
    slot = selectors.appointment_get_for_member(member=member, public_id=public_id)
    if slot.member_id != member.pk:
        raise Http404
    try:
        services.appointment_cancel(appointment=slot, actor=request.user)
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Your appointment is cancelled."))
    return redirect("members:appointments")


@login_required
def privacy(request: AuthenticatedRequest) -> HttpResponse:
    member = _member(request)
    return render(
        request,
        "members/privacy.html",
        {"member": member, "requests": member.erasure_requests.all()},
    )


@login_required
def export_json(request: AuthenticatedRequest) -> HttpResponse:
    member = _member(request)
    data = selectors.member_export_data(member=member)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-smartcoop-data.json"'
    return response


@login_required
def export_pdf(request: AuthenticatedRequest) -> HttpResponse:
    member = _member(request)
    data = selectors.member_export_data(member=member)
    pdf = documents.render_export_pdf(member=member, data=data)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="my-smartcoop-data.pdf"'
    return response


@require_POST
@login_required
def erasure_request(request: AuthenticatedRequest) -> HttpResponse:
    member = _member(request)
    services.member_erasure_request(member=member, actor=request.user)
    messages.success(
        request,
        _("Your request is recorded. Our staff will process it and tell you what was erased."),
    )
    return redirect("members:privacy")


# --- Back-office --------------------------------------------------------------------------------


@permission_required(Permission.BACKOFFICE_ACCESS)
def staff_index(request: AuthenticatedRequest) -> HttpResponse:
    """The portfolio: the members the user follows, with search and filters."""
    return _portfolio(request)


def _portfolio(request: AuthenticatedRequest) -> HttpResponse:
    params = request.GET
    office = None
    if params.get("office") and has_permission(request.user, Permission.VIEW_ALL_MEMBERS):
        office = Office.objects.filter(public_id=_uuid_or_none(params["office"])).first()
    members = selectors.member_portfolio(
        user=request.user,
        search=params.get("q", "")[:100],
        status=params.get("status", "") if params.get("status") in Member.Status.values else "",
        sector=params.get("sector", "") if params.get("sector") in Sector.values else "",
        office=office,
        needs_attention=params.get("attention") == "1",
    )
    paginator = Paginator(members, selectors.PORTFOLIO_PAGE_SIZE)
    page = paginator.get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "members/staff_index.html",
        {
            "page": page,
            "query": query.urlencode(),
            "params": params,
            "statuses": Member.Status.choices,
            "sectors": Sector.choices,
            "offices": Office.objects.all()
            if has_permission(request.user, Permission.VIEW_ALL_MEMBERS)
            else [],
            "pending_count": selectors.subscriptions_pending(user=request.user).count(),
        },
    )


def _uuid_or_none(value: str):
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@permission_required(Permission.BACKOFFICE_ACCESS)
def staff_member(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """The member 360° page."""
    member = selectors.member_get_for_staff(user=request.user, public_id=public_id)
    return _staff_member_page(request, member)


def _staff_member_page(
    request: AuthenticatedRequest, member: Member, *, transfer_form=None, leave_form=None
) -> HttpResponse:
    """The 360° page; a form submitted from it and refused comes back here, bound, with its
    errors at the fields."""
    can_manage = has_permission(request.user, Permission.MANAGE_MEMBERS)
    can_confirm = has_permission(request.user, Permission.CONFIRM_SHARE_PAYMENTS)
    holdings = selectors.member_holdings(member=member)
    today = timezone.localdate()
    if transfer_form is None and can_confirm and member.is_member and holdings:
        transfer_form = forms.TransferForm(initial={"on": today}, holdings=holdings)
    if leave_form is None and can_manage and member.is_member:
        leave_form = forms.LeaveForm(initial={"on": today})
    return render(
        request,
        "members/staff_member.html",
        {
            "member": member,
            "national_number": selectors.national_number_for(member=member, user=request.user),
            "holdings": holdings,
            "entries": selectors.member_register_entries(member=member),
            "subscriptions": selectors.member_subscriptions(member=member),
            "bookings": member.session_bookings.select_related("session"),
            "appointments": member.appointments.select_related("adviser").order_by("-starts_at"),
            "history": selectors.assignment_history(member=member),
            "audit": selectors.member_audit_trail(member=member),
            "sections": member_sections(request, member),
            "today": today,
            "can_manage": can_manage,
            "can_confirm": can_confirm,
            "assign_form": forms.AssignForm(
                initial={"office": member.office, "adviser": member.adviser},
                offices=Office.objects.all(),
                advisers=selectors.adviser_choices(),
            )
            if can_manage
            else None,
            "leave_form": leave_form,
            "transfer_form": transfer_form,
            "confirm_form": forms.ConfirmPaymentForm(initial={"paid_on": today}),
        },
    )


@require_POST
@permission_required(Permission.MANAGE_MEMBERS)
def staff_assign(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = selectors.member_get_for_staff(user=request.user, public_id=public_id)
    form = forms.AssignForm(
        request.POST, offices=Office.objects.all(), advisers=selectors.adviser_choices()
    )
    if form.is_valid():
        try:
            services.member_assign(member=member, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _fail(request, error)
        else:
            messages.success(request, _("Office and adviser updated."))
    else:
        messages.error(request, _("Please choose an office."))
    return redirect("members:staff_member", public_id=member.public_id)


@require_POST
@permission_required(Permission.MANAGE_MEMBERS)
def staff_leave(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """Resignation or exclusion, from the 360° page (the service redeems the shares)."""
    member = selectors.member_get_for_staff(user=request.user, public_id=public_id)
    form = forms.LeaveForm(request.POST)
    if form.is_valid():
        try:
            services.member_leave(member=member, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("Recorded. The shares were redeemed in the register."))
            return redirect("members:staff_member", public_id=member.public_id)
    return _staff_member_page(request, member, leave_form=form)


@require_POST
@permission_required(Permission.CONFIRM_SHARE_PAYMENTS)
def staff_transfer(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """Transfer some of this member's shares to another member the user may see."""
    member = selectors.member_get_for_staff(user=request.user, public_id=public_id)
    form = forms.TransferForm(request.POST, holdings=selectors.member_holdings(member=member))
    if form.is_valid():
        data = form.cleaned_data
        receiver = _transfer_receiver(request, form, member, data["to_member"])
        if receiver is not None:
            try:
                services.share_transfer(
                    from_member=member,
                    to_member=receiver,
                    actor=request.user,
                    category=data["category"],
                    shares=data["shares"],
                    on=data["on"],
                    note=data["note"],
                )
            except ApplicationError as error:
                add_error_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("%(count)d share(s) of category %(category)s transferred to %(name)s.")
                    % {
                        "count": data["shares"],
                        "category": data["category"],
                        "name": receiver.display_name,
                    },
                )
                return redirect("members:staff_member", public_id=member.public_id)
    return _staff_member_page(request, member, transfer_form=form)


def _transfer_receiver(
    request: AuthenticatedRequest, form, member: Member, search: str
) -> Member | None:
    """The one member `search` designates among those the user may see, or None with the reason
    put on the form's field."""
    found = selectors.member_transfer_candidates(user=request.user, search=search, exclude=member)
    if len(found) == 1:
        return found[0]
    if not found:
        if search.strip().isdigit() and int(search) == member.member_number:
            form.add_error("to_member", _("Choose two different members."))
        else:
            form.add_error(
                "to_member",
                _("No member found with the number or name “%(search)s”.") % {"search": search},
            )
        return None
    names = ", ".join(
        _("%(name)s (no. %(number)s)") % {"name": m.display_name, "number": m.member_number}
        if m.member_number
        else m.display_name
        for m in found[:5]
    )
    form.add_error(
        "to_member",
        _("Several people match: %(names)s. Type the member number.") % {"names": names},
    )
    return None


@permission_required(Permission.CONFIRM_SHARE_PAYMENTS)
def staff_payments(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "members/staff_payments.html",
        {
            "pending": selectors.subscriptions_pending(user=request.user)[:200],
            "form": forms.ConfirmPaymentForm(initial={"paid_on": timezone.localdate()}),
        },
    )


@require_POST
@permission_required(Permission.CONFIRM_SHARE_PAYMENTS)
def staff_payment_confirm(request: AuthenticatedRequest, public_id) -> HttpResponse:
    subscription = selectors.subscription_get_for_staff(user=request.user, public_id=public_id)
    form = forms.ConfirmPaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give the date the payment was received."))
    else:
        try:
            confirmed = services.share_payment_confirm(
                subscription=subscription, actor=request.user, paid_on=form.cleaned_data["paid_on"]
            )
        except ApplicationError as error:
            _fail(request, error)
        else:
            messages.success(
                request,
                _("Payment confirmed: %(name)s is member number %(number)s.")
                % {
                    "name": confirmed.member.display_name,
                    "number": confirmed.member.member_number,
                },
            )
    next_url = request.POST.get("next", "")
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = "members:staff_payments"
    return redirect(next_url)


@permission_required(Permission.BACKOFFICE_ACCESS)
def staff_certificate(request: AuthenticatedRequest, public_id) -> FileResponse:
    subscription = selectors.subscription_get_for_staff(user=request.user, public_id=public_id)
    return _certificate_response(subscription)


@permission_required(Permission.VIEW_ALL_MEMBERS)
def staff_register(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.RegisterForm(request.GET or {"on": timezone.localdate()})
    on = form.cleaned_data["on"] if form.is_valid() else timezone.localdate()
    rows = selectors.register_at(on=on)
    fmt = request.GET.get("format")
    if fmt == "csv":
        response = HttpResponse(
            documents.render_register_csv(on=on), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="register-{on.isoformat()}.csv"'
        return response
    if fmt == "pdf":
        response = HttpResponse(
            documents.render_register_pdf(on=on), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="register-{on.isoformat()}.pdf"'
        return response
    paginator = Paginator(rows, 100)
    return render(
        request,
        "members/staff_register.html",
        {
            "form": form,
            "on": on,
            "page": paginator.get_page(request.GET.get("page")),
            "totals": selectors.register_totals(rows),
        },
    )


@permission_required(Permission.MANAGE_INFO_SESSIONS)
def staff_sessions(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.InfoSessionForm(request.POST or None, offices=Office.objects.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.info_session_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("Session planned."))
            return redirect("members:staff_sessions")
    return render(
        request,
        "members/staff_sessions.html",
        {"sessions": selectors.info_sessions_for_staff(), "form": form},
    )


@permission_required(Permission.MANAGE_INFO_SESSIONS)
def staff_session(request: AuthenticatedRequest, public_id) -> HttpResponse:
    session = selectors.info_session_get(public_id=public_id)
    return render(
        request,
        "members/staff_session.html",
        {
            "session": session,
            "bookings": selectors.session_bookings_for_staff(user=request.user, session=session),
        },
    )


@require_POST
@permission_required(Permission.MANAGE_INFO_SESSIONS)
def staff_attendance(request: AuthenticatedRequest, public_id) -> HttpResponse:
    booking = selectors.booking_get_for_staff(user=request.user, public_id=public_id)
    try:
        services.info_session_record_attendance(
            booking=booking, actor=request.user, attended=request.POST.get("attended") == "1"
        )
    except ApplicationError as error:
        _fail(request, error)
    return redirect("members:staff_session", public_id=booking.session.public_id)


@permission_required(Permission.BACKOFFICE_ACCESS)
def staff_appointments(request: AuthenticatedRequest) -> HttpResponse:
    is_adviser = request.user.role == "adviser"
    form = forms.SlotForm(request.POST or None) if is_adviser else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.appointment_slot_create(
                adviser=request.user, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("Slot offered to the members of your office."))
            return redirect("members:staff_appointments")
    upcoming = (
        selectors.appointments_for_staff(user=request.user)
        .filter(starts_at__gte=timezone.now() - timedelta(days=14))
        .exclude(status=Appointment.Status.CANCELLED)
        .order_by("starts_at")[:200]
    )
    return render(
        request, "members/staff_appointments.html", {"appointments": upcoming, "form": form}
    )


@permission_required(Permission.BACKOFFICE_ACCESS)
def staff_appointment(request: AuthenticatedRequest, public_id) -> HttpResponse:
    slot = selectors.appointment_get_for_staff(user=request.user, public_id=public_id)
    form = forms.NotesForm(request.POST or None, initial={"staff_notes": slot.staff_notes})
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            try:
                services.appointment_cancel(appointment=slot, actor=request.user)
            except ApplicationError as error:
                _fail(request, error)
            else:
                messages.success(request, _("Appointment cancelled; the member is told."))
            return redirect("members:staff_appointments")
        if form.is_valid():
            services.appointment_save_notes(
                appointment=slot, actor=request.user, notes=form.cleaned_data["staff_notes"]
            )
            messages.success(request, _("Notes saved."))
            return redirect("members:staff_appointment", public_id=slot.public_id)
    return render(request, "members/staff_appointment.html", {"slot": slot, "form": form})


@permission_required(Permission.MANAGE_MEMBERS)
def staff_erasures(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "members/staff_erasures.html",
        {"requests": selectors.erasure_requests_open(user=request.user)},
    )


@require_POST
@permission_required(Permission.MANAGE_MEMBERS)
def staff_erasure_process(request: AuthenticatedRequest, public_id) -> HttpResponse:
    erasure = selectors.erasure_request_get_for_staff(user=request.user, public_id=public_id)
    try:
        done = services.member_erasure_process(request=erasure, actor=request.user)
    except ApplicationError as error:
        _fail(request, error)
        return redirect("members:staff_erasures")
    return render(request, "members/staff_erasure_done.html", {"erasure": done})
