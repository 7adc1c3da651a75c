"""Staff pages of the pay runs: the list (with the mutualised difference), a run with its live
progress, totals by contract type and anomalies; recompute one worker, approve, download the
SEPA file. Behind Permission.RUN_PAYROLL, in the staff member's current entity."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartcoop.core.errors import ApplicationError, add_error_to_form
from smartcoop.core.http import AuthenticatedRequest
from smartcoop.core.roles import Permission
from smartcoop.core.tenancy import current_entity
from smartcoop.core.views import permission_required

from ..models import PayRun
from . import selectors, services
from .anomalies import label


@permission_required(Permission.RUN_PAYROLL)
def run_list(request: AuthenticatedRequest) -> HttpResponse:
    entity = current_entity(request)
    return render(
        request,
        "payroll/runs/list.html",
        {
            "runs": selectors.payrun_list(entity=entity)[:100],
            "difference": [
                {
                    **row,
                    "type_label": _contract_type_label(row["contract_type"]),
                    "month_start": dt.date.fromisoformat(f"{row['month']}-01"),
                }
                for row in selectors.mutualised_difference(entity=entity)
            ],
        },
    )


def _run_context(run) -> dict:
    items = selectors.payrun_items_with_anomalies(run=run)
    for item in items:
        item.anomaly_rows = [  # type: ignore[attr-defined]  # for the template only
            {**a, "label": label(a["code"])} for a in item.anomalies
        ]
    percent = int(100 * run.items_done / run.items_total) if run.items_total else 100
    totals = [{"label": _contract_type_label(kind), **row} for kind, row in run.totals.items()]
    return {"run": run, "items": items, "percent": percent, "totals": totals}


def _contract_type_label(code: str) -> str:
    from smartcoop.countries import current_pack

    try:
        return str(current_pack().contract_type(code).label)
    except KeyError:
        return code


PAYSLIP_LIMIT = 500
# The states in which the workers are busy and the page follows them.
WORKING = {
    PayRun.State.COLLECTING, PayRun.State.COMPUTING, PayRun.State.APPROVED,
    PayRun.State.RENDERING, PayRun.State.PAYING,
}  # fmt: skip


@permission_required(Permission.RUN_PAYROLL)
def run_detail(request: AuthenticatedRequest, public_id) -> HttpResponse:
    run = selectors.payrun_get(entity=current_entity(request), public_id=public_id)
    return _run_page(request, run)


def _run_page(request: AuthenticatedRequest, run, debit_form=None) -> HttpResponse:
    from ..forms import DebitMatchForm

    context = _run_context(run)
    context["payslip_items"] = selectors.payrun_items_with_payslips(run=run, limit=PAYSLIP_LIMIT)
    context["payslip_limit"] = PAYSLIP_LIMIT
    if run.state == PayRun.State.POSTED and run.sepa_xml:
        context["debit_form"] = debit_form or DebitMatchForm()
    return render(request, "payroll/runs/detail.html", context)


@require_POST
@permission_required(Permission.RUN_PAYROLL)
def run_match_debit(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """The officer names the bank debit that paid a posted run whose text lacks the file's
    message id; a wrong one is refused at the field and changes nothing."""
    from ..forms import DebitMatchForm
    from .bank import payrun_match_debit

    run = selectors.payrun_get(entity=current_entity(request), public_id=public_id)
    form = DebitMatchForm(request.POST)
    if form.is_valid():
        try:
            payrun_match_debit(
                run=run, bank_reference=form.cleaned_data["bank_reference"], actor=request.user
            )
        except ApplicationError as error:
            if error.field is None:
                messages.error(request, error.message)
                return redirect("payroll:run", run.public_id)
            add_error_to_form(form, error)
        else:
            messages.success(request, _("Run paid: its payslips are marked paid."))
            return redirect("payroll:run", run.public_id)
    return _run_page(request, run, debit_form=form)


@permission_required(Permission.RUN_PAYROLL)
def run_progress(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """The progress fragment htmx polls while the workers compute."""
    run = selectors.payrun_get(entity=current_entity(request), public_id=public_id)
    response = render(request, "payroll/runs/_progress.html", _run_context(run))
    if request.headers.get("HX-Request") and run.state not in WORKING:
        # the workers are done with this step: reload the whole page, which now shows the
        # anomalies and the approval (or the payment file), and stops polling
        response["HX-Refresh"] = "true"
    return response


@require_POST
@permission_required(Permission.RUN_PAYROLL)
def run_recompute(request: AuthenticatedRequest, public_id, member_id) -> HttpResponse:
    run = selectors.payrun_get(entity=current_entity(request), public_id=public_id)
    item = selectors.payrun_item_get(run=run, member_public_id=member_id)
    try:
        item = services.payrun_item_recompute(item=item, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s computed again.") % {"name": item.member})
    return redirect("payroll:run", run.public_id)


@permission_required(Permission.RUN_PAYROLL)
def run_worker_bank(request: AuthenticatedRequest, public_id, member_id) -> HttpResponse:
    """The IBAN of a worker of this run, entered by the payroll officer when the run says it is
    missing or invalid (members' `member_save_bank`: validated, audited with the IBAN masked).
    Only a worker of this run of this entity; another is 404."""
    from members.services import member_save_bank

    from ..forms import WorkerBankForm

    run = selectors.payrun_get(entity=current_entity(request), public_id=public_id)
    item = selectors.payrun_item_get(run=run, member_public_id=member_id)
    form = WorkerBankForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member_save_bank(member=item.member, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            messages.success(
                request,
                _("IBAN of %(name)s saved. Compute the worker again to clear the anomaly.")
                % {"name": item.member},
            )
            return redirect(f"{reverse('payroll:run', args=[run.public_id])}#worker-{member_id}")
    return render(
        request, "payroll/runs/worker_bank.html", {"run": run, "item": item, "form": form}
    )


@require_POST
@permission_required(Permission.RUN_PAYROLL)
def run_approve(request: AuthenticatedRequest, public_id) -> HttpResponse:
    run = selectors.payrun_get(entity=current_entity(request), public_id=public_id)
    try:
        services.payrun_approve(run=run, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Run approved: the payslips and the payment file are being prepared.")
        )
    return redirect("payroll:run", run.public_id)


@require_POST
@permission_required(Permission.RUN_PAYROLL)
def run_retry(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """Send a failed run's step to the workers again (after the cause is fixed)."""
    run = selectors.payrun_get(entity=current_entity(request), public_id=public_id)
    try:
        run = services.payrun_retry(run=run, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if run.state == run.State.COMPUTING:
            messages.success(request, _("The computation is sent to the workers again."))
        else:
            messages.success(
                request, _("The run starts again in the background from the step that failed.")
            )
    return redirect("payroll:run", run.public_id)


@permission_required(Permission.RUN_PAYROLL)
def run_sepa(request: AuthenticatedRequest, public_id) -> HttpResponse:
    run = selectors.payrun_get(entity=current_entity(request), public_id=public_id)
    if not run.sepa_xml:
        messages.error(request, _("The payment file is not ready yet."))
        return redirect("payroll:run", run.public_id)
    response = HttpResponse(run.sepa_xml.encode(), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="salaries-{run.pay_date}.xml"'
    return response
