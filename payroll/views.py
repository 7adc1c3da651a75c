from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities import selectors as activity_selectors
from smartcoop.core.errors import ApplicationError, add_error_to_form
from smartcoop.core.http import AuthenticatedRequest
from smartcoop.core.roles import Permission
from smartcoop.core.tenancy import current_entity
from smartcoop.core.views import permission_required
from smartcoop.countries import current_pack

from . import selectors, services
from .forms import PayslipCorrectionForm, TaxProfileForm, WorkAccidentRateForm


def _member_or_404(request: AuthenticatedRequest):
    member = activity_selectors.member_of_user(request.user)
    if member is None:
        raise Http404
    return member


@login_required
def member_index(request: AuthenticatedRequest) -> HttpResponse:
    """The member's payslips by year, with the net, the PDF and the year's tax figures."""
    member = activity_selectors.member_of_user(request.user)
    years = []
    if member is not None:
        years = selectors.yearly_summaries(selectors.payslips_of_member(member=member)[:600])
    settlements = selectors.correction_settlements_of_member(member=member) if member else []
    return render(
        request, "payroll/member_index.html", {"years": years, "settlements": settlements}
    )


@login_required
def member_payslip_pdf(request: AuthenticatedRequest, public_id) -> FileResponse:
    """The PDF of one of the member's own payslips; another's is 404."""
    payslip = selectors.payslip_of_member(member=_member_or_404(request), public_id=public_id)
    document = getattr(payslip, "document", None)
    if document is None:
        raise Http404
    response = FileResponse(
        document.pdf.open("rb"),
        as_attachment=True,
        filename=f"{payslip.reference}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def tax_profile(request: AuthenticatedRequest) -> HttpResponse:
    """The member's tax profile: what is in force, its history, and a form for a change."""
    member = _member_or_404(request)
    today = timezone.localdate()
    personalised_rate = current_pack().personalised_withholding_rate
    current = selectors.tax_profile_entry_at(member=member, on=today)
    initial = {"valid_from": today, "marital_status": "single"}
    if current is not None:
        initial.update(
            marital_status=current.marital_status,
            partner_has_income=current.partner_has_income,
            dependent_children=current.dependent_children,
            disabled_children=current.disabled_children,
            other_dependants=current.other_dependants,
            disabled=current.disabled,
            fr_pas_rate_percent=(current.fr_pas_rate * 100 if current.fr_pas_rate else None),
        )
    form = TaxProfileForm(
        request.POST or None, initial=initial, personalised_rate=personalised_rate
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.tax_profile_record(
                member=member,
                valid_from=data["valid_from"],
                marital_status=data["marital_status"],
                partner_has_income=data["partner_has_income"],
                dependent_children=data["dependent_children"],
                disabled_children=data["disabled_children"],
                other_dependants=data["other_dependants"],
                disabled=data["disabled"],
                fr_pas_rate=form.fr_pas_rate,
                actor=request.user,
                today=today,
            )
        except ApplicationError as error:
            if error.field == "fr_pas_rate":
                error.field = "fr_pas_rate_percent"
            add_error_to_form(form, error)
        else:
            messages.success(request, _("Your tax profile was saved."))
            return redirect("payroll:tax_profile")
    return render(
        request,
        "payroll/tax_profile.html",
        {
            "form": form,
            "current": current,
            "history": selectors.tax_profile_history(member=member),
            "personalised_rate": personalised_rate,
        },
    )


@permission_required(Permission.RUN_PAYROLL)
def staff_index(request):
    return render(
        request,
        "payroll/staff_index.html",
        {"work_accident_rates": current_pack().work_accident_rates},
    )


@permission_required(Permission.RUN_PAYROLL)
def staff_incomplete_profiles(request: AuthenticatedRequest) -> HttpResponse:
    """Members with a contract in this entity whose withholding uses the legal default."""
    members = selectors.members_without_tax_profile_for_staff(
        user=request.user, entity=current_entity(request), on=timezone.localdate()
    )
    return render(request, "payroll/staff_incomplete_profiles.html", {"members": members[:500]})


def _staff_payslip(request: AuthenticatedRequest, public_id):
    from .models import Payslip

    payslip = (
        Payslip.objects.filter(entity=current_entity(request), public_id=public_id)
        .select_related("member", "corrects")
        .first()
    )
    if payslip is None:
        raise Http404
    return payslip


@permission_required(Permission.RUN_PAYROLL)
def staff_payslip(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """One payslip of this entity, line by line in the staff member's language."""
    return _staff_payslip_page(request, _staff_payslip(request, public_id))


def _staff_payslip_page(request: AuthenticatedRequest, payslip, correct_form=None) -> HttpResponse:
    from .corrections import payslip_correction_of, payslip_is_replacement
    from .documents.render import _label
    from .models import Payslip

    lines = [{**line, "label": _label(line)} for line in payslip.lines]
    correction = payslip_correction_of(payslip)
    correctable = (
        payslip.status == Payslip.Status.APPROVED
        and payslip.corrects_id is None
        and correction["reversal"] is None
    )
    if correct_form is None and correctable:
        correct_form = PayslipCorrectionForm(initial={"pay_date": timezone.localdate()})
    return render(
        request,
        "payroll/staff_payslip.html",
        {
            "payslip": payslip,
            "worker_lines": [x for x in lines if x["side"] == "employee"],
            # pay added to the wages (BE exit holiday pay), shown above the gross
            "earning_lines": [x for x in lines if x["side"] == "earning"],
            # the wages themselves, above the pay added to them (as the PDF prints them)
            "wages": payslip.gross
            - sum((Decimal(str(x["amount"])) for x in lines if x["side"] == "earning"), Decimal(0)),
            "employer_lines": [x for x in lines if x["side"] == "employer"],
            "document": getattr(payslip, "document", None),
            "correction": correction,
            "correct_form": correct_form if correctable else None,
            "can_approve": payslip.status == Payslip.Status.DRAFT
            and payslip_is_replacement(payslip),
            "settlement": getattr(payslip, "settlement", None),
            "net_difference": payslip.net_pay - correction["replaced"].net_pay
            if correction["replaced"]
            else None,
        },
    )


@require_POST
@permission_required(Permission.RUN_PAYROLL)
def staff_payslip_correct(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """Start the correction of an approved payslip: reverse it and compute its contracts again
    (a draft to check and approve). A reason is required; refused input stores nothing."""
    from .corrections import payslip_correction_start

    payslip = _staff_payslip(request, public_id)
    form = PayslipCorrectionForm(request.POST)
    if form.is_valid():
        try:
            replacement = payslip_correction_start(
                payslip=payslip, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            messages.success(
                request,
                _("%(reference)s is reversed. Check the corrected payslip below, then approve it.")
                % {"reference": payslip.reference},
            )
            return redirect("payroll:staff_payslip", replacement.public_id)
    return _staff_payslip_page(request, payslip, correct_form=form)


@require_POST
@permission_required(Permission.RUN_PAYROLL)
def staff_payslip_approve(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """Approve the draft that pays a corrected payslip's contracts again (a pay run's drafts
    are approved with their run)."""
    from .corrections import correction_approve, payslip_is_replacement

    payslip = _staff_payslip(request, public_id)
    if not payslip_is_replacement(payslip):
        raise Http404
    try:
        payslip = correction_approve(replacement=payslip, actor=request.user, now=timezone.now())
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Payslip %(reference)s approved.") % {"reference": payslip.reference}
        )
    return redirect("payroll:staff_payslip", payslip.public_id)


@permission_required(Permission.RUN_PAYROLL)
def staff_correction_sepa(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """The SEPA file that pays a correction's positive difference (this entity's only)."""
    from .models import CorrectionSettlement

    settlement = CorrectionSettlement.objects.filter(
        entity=current_entity(request), replacement__public_id=public_id, kind="pay"
    ).first()
    if settlement is None:
        raise Http404
    response = HttpResponse(settlement.sepa_xml, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{settlement.message_id}.xml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@permission_required(Permission.RUN_PAYROLL)
def staff_payslip_pdf(request: AuthenticatedRequest, public_id) -> FileResponse:
    payslip = _staff_payslip(request, public_id)
    document = getattr(payslip, "document", None)
    if document is None:
        raise Http404
    response = FileResponse(
        document.pdf.open("rb"),
        as_attachment=True,
        filename=f"{payslip.reference}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@permission_required(Permission.RUN_PAYROLL)
def staff_work_accident_rates(request: AuthenticatedRequest) -> HttpResponse:
    """The entity's AT/MP rates, dated, and a form to record a new one (packs with
    `work_accident_rates`: France)."""
    from .engine_facts import work_accident_rate_at
    from .models import WorkAccidentRate

    entity = current_entity(request)
    if not current_pack().work_accident_rates:
        raise Http404
    today = timezone.localdate()
    form = WorkAccidentRateForm(request.POST or None, initial={"valid_from": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.work_accident_rate_record(
                entity=entity,
                valid_from=data["valid_from"],
                rate=data["rate_percent"] / 100,
                reference=data["reference"],
                actor=request.user,
            )
        except ApplicationError as error:
            if error.field == "rate":
                error.field = "rate_percent"
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The work-accident rate was saved."))
            return redirect("payroll:staff_work_accident_rates")
    try:
        in_force: tuple | None = work_accident_rate_at(entity=entity, on=today)
    except LookupError:
        in_force = None
    return render(
        request,
        "payroll/staff_work_accident_rates.html",
        {
            "form": form,
            "rates": WorkAccidentRate.objects.filter(entity=entity).order_by("-valid_from"),
            "in_force": in_force,
        },
    )
