"""Staff pages of the pay runs: the list (with the mutualised difference), a run with its live
progress, totals by contract type and anomalies; recompute one worker, approve, download the
SEPA file. Behind Permission.RUN_PAYROLL, in the staff member's current entity."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartcoop.core.errors import ApplicationError
from smartcoop.core.http import AuthenticatedRequest
from smartcoop.core.roles import Permission
from smartcoop.core.tenancy import current_entity
from smartcoop.core.views import permission_required

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
            "difference": selectors.mutualised_difference(entity=entity),
        },
    )


def _run_context(run) -> dict:
    items = selectors.payrun_items_with_anomalies(run=run)
    for item in items:
        item.anomaly_rows = [  # type: ignore[attr-defined]  # for the template only
            {**a, "label": label(a["code"])} for a in item.anomalies
        ]
    percent = int(100 * run.items_done / run.items_total) if run.items_total else 100
    return {"run": run, "items": items, "percent": percent}


@permission_required(Permission.RUN_PAYROLL)
def run_detail(request: AuthenticatedRequest, public_id) -> HttpResponse:
    run = selectors.payrun_get(entity=current_entity(request), public_id=public_id)
    return render(request, "payroll/runs/detail.html", _run_context(run))


@permission_required(Permission.RUN_PAYROLL)
def run_progress(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """The progress fragment htmx polls while the workers compute."""
    run = selectors.payrun_get(entity=current_entity(request), public_id=public_id)
    return render(request, "payroll/runs/_progress.html", _run_context(run))


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


@require_POST
@permission_required(Permission.RUN_PAYROLL)
def run_approve(request: AuthenticatedRequest, public_id) -> HttpResponse:
    run = selectors.payrun_get(entity=current_entity(request), public_id=public_id)
    try:
        services.payrun_approve(run=run, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Run approved: the workers prepare the payment file."))
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
