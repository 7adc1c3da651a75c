from __future__ import annotations

from dataclasses import asdict
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartcoop.core.http import AuthenticatedRequest
from smartcoop.core.roles import Permission, has_permission
from smartcoop.core.tenancy import current_entity, entities_for_user
from smartcoop.core.views import permission_required

from . import exports, report, services, stored
from .forms import FiguresFilterForm
from .models import KeyFiguresExport
from .selectors import Scope


def _scope(request: AuthenticatedRequest, params=None) -> tuple[FiguresFilterForm, Scope | None]:
    """The filters of the request, limited to what the reader may see: their entities, and
    for an adviser (who sees one office's members) always their own office."""
    all_offices = has_permission(request.user, Permission.VIEW_KEY_FIGURES)
    if not all_offices and not request.user.office_id:
        raise Http404
    data = (request.GET if params is None else params).copy()
    data.pop("csrfmiddlewaretoken", None)
    data.setdefault("year", str(timezone.localdate().year - 1))
    form = FiguresFilterForm(
        data, entities=entities_for_user(request.user), all_offices=all_offices
    )
    if not form.is_valid():
        return form, None
    office_id = form.office_id() if all_offices else request.user.office_id
    scope = Scope(
        year=form.cleaned_data["year"],
        entity_ids=form.entity_ids(),
        sector=form.cleaned_data["sector"],
        contract_type=form.cleaned_data["contract_type"],
        tool=form.cleaned_data["tool"],
        office_id=office_id,
    )
    return form, scope


@permission_required(Permission.VIEW_OFFICE_KEY_FIGURES)
def index(request: AuthenticatedRequest) -> HttpResponse:
    form, scope = _scope(request)
    figures = report.build(scope, source=stored.figures_for) if scope else None
    exports_list = KeyFiguresExport.objects.filter(requested_by=request.user)[:5]
    return render(
        request,
        "keyfigures/index.html",
        {
            "form": form,
            "figures": figures,
            "query": request.GET.urlencode(),
            "office_only": not has_permission(request.user, Permission.VIEW_KEY_FIGURES),
            "can_store": scope is not None
            and stored.is_closed(scope.year)
            and has_permission(request.user, Permission.VIEW_KEY_FIGURES),
            "exports": exports_list,
            "chart_width": report.CHART_WIDTH,
            "label_width": report.LABEL_WIDTH,
        },
    )


@permission_required(Permission.VIEW_OFFICE_KEY_FIGURES)
def export(request: AuthenticatedRequest, fmt: str) -> HttpResponse:
    _form, scope = _scope(request)
    if scope is None or fmt not in ("csv", "xlsx"):
        raise Http404
    figures = report.build(scope, source=stored.figures_for)
    name = f"key-figures-{scope.year}"
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(figures), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.to_xlsx(figures),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_POST
@permission_required(Permission.VIEW_OFFICE_KEY_FIGURES)
def pdf_request(request: AuthenticatedRequest) -> HttpResponse:
    _form, scope = _scope(request, request.POST)  # the filters travel in hidden fields
    entity = current_entity(request)
    if scope is None or entity is None:
        raise Http404
    job = services.export_request(user=request.user, entity=entity, scope=scope)
    return redirect("keyfigures:pdf_status", job.public_id)


@require_POST
@permission_required(Permission.VIEW_KEY_FIGURES)
def store_request(request: AuthenticatedRequest) -> HttpResponse:
    """Staff ask for a closed year's figures (for the filters shown) to be computed again and
    kept: a worker does it; the page reads the stored figures once they are there."""
    from .tasks import store_year_figures

    _form, scope = _scope(request, request.POST)
    if scope is None or not stored.is_closed(scope.year):
        raise Http404
    store_year_figures.enqueue(asdict(scope))
    messages.success(
        request,
        _("The figures of %(year)s are being computed; they are kept once ready.")
        % {"year": scope.year},
    )
    query = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken" and v}
    return redirect(f"{reverse('keyfigures:index')}?{urlencode(query)}")


def _own_export(request: AuthenticatedRequest, public_id) -> KeyFiguresExport:
    return get_object_or_404(KeyFiguresExport, public_id=public_id, requested_by=request.user)


@permission_required(Permission.VIEW_OFFICE_KEY_FIGURES)
def pdf_status(request: AuthenticatedRequest, public_id) -> HttpResponse:
    return render(request, "keyfigures/pdf_status.html", {"job": _own_export(request, public_id)})


@permission_required(Permission.VIEW_OFFICE_KEY_FIGURES)
def pdf_download(request: AuthenticatedRequest, public_id) -> FileResponse:
    job = _own_export(request, public_id)
    if not job.can("download") or not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=f"key-figures-{job.year}.pdf"
    )
