"""Staff pages of the declarations: the queue by deadline, one declaration, the batch file and the
authority's answers. Members see their contract's state on the contract page (hooks.py)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from smartcoop.core.errors import ApplicationError
from smartcoop.core.http import AuthenticatedRequest
from smartcoop.core.roles import Permission
from smartcoop.core.tenancy import current_entity
from smartcoop.core.views import permission_required
from smartcoop.countries import current_pack

from . import selectors, services, services_dsn
from .anomalies import explain
from .forms import AnswerUploadForm
from .models import Declaration, period_label
from .pas_return import pas_return_import

if TYPE_CHECKING:
    from smartcoop.core.models import User

S = Declaration.Status
DSN_KINDS = (Declaration.Kind.DSN, Declaration.Kind.DSN_FCTU)


def next_action(declaration: Declaration) -> str:
    """What staff do next, in plain words."""
    held = declaration.held_until
    if held is not None:
        when = {"date": date_format(timezone.localtime(held), "DATETIME_FORMAT")}
        if declaration.channel == Declaration.Channel.HTTP:
            return (
                _(
                    "Held: the web service sends it on %(date)s, the earliest the rules allow "
                    "before the hiring."
                )
                % when
            )
        return (
            _(
                "Hold it: file it from %(date)s, not earlier (the earliest the rules allow before "
                "the hiring), then record the acknowledgement."
            )
            % when
        )
    actions: dict[str, str] = {
        S.DRAFT: _("Complete the data named above, then build it again."),
        S.READY: (
            _("Download the file, file it with URSSAF, then record the acknowledgement.")
            if declaration.kind in (Declaration.Kind.DPAE, Declaration.Kind.DPAE_CANCEL)
            else _("Download the file, file it with the ONSS, then record its answer.")
            if declaration.kind in (Declaration.Kind.DMFA, Declaration.Kind.DMFA_UPDATE)
            else _("Download the file, file it on Belcotax-on-web, then record its answer.")
            if declaration.kind == Declaration.Kind.BELCOTAX
            else _("Download the file, file it on net-entreprises, then record its answer.")
            if declaration.kind in DSN_KINDS
            else _("Download the batch file and file it with the authority.")
        )
        if declaration.channel == Declaration.Channel.FILE
        else _("Being sent by the web service."),
        S.SENT: _("Upload the authority's answer.")
        if declaration.channel == Declaration.Channel.FILE
        else _(
            "No answer came by the web service: look the declaration up on the authority's "
            "site, then upload its answer."
        )
        if declaration.unanswered_at
        else _("Waiting for the authority's answer."),
        S.REJECTED: _(
            "Fix what the authority says, then correct: a new declaration replaces this one."
        ),
    }
    return actions.get(declaration.status, "")


PERIODIC_KINDS = (Declaration.Kind.DMFA, Declaration.Kind.DMFA_UPDATE, Declaration.Kind.BELCOTAX)


def _rebuild_period(declaration: Declaration, *, actor: User | None) -> Declaration:
    """A declaration of a period (quarter, year) is built again as a whole: the period's builder
    withdraws an unsent one and corrects an answered one."""
    from .periodic import belcotax_build_year

    assert declaration.period_start is not None
    if declaration.kind == Declaration.Kind.BELCOTAX:
        return belcotax_build_year(
            entity=declaration.entity, year=declaration.period_start.year, actor=actor
        )
    from .dmfa import quarter_of

    return services.dmfa_build_quarter(
        entity=declaration.entity, quarter=quarter_of(declaration.period_start), actor=actor
    )


def _entity_or_404(request):
    entity = current_entity(request)
    if entity is None:
        raise Http404
    return entity


def _recent_quarters(today: dt.date) -> list[tuple[str, str]]:
    """The last four quarters, the one just ended first: (value, label)."""
    year, q = today.year, (today.month - 1) // 3 + 1
    quarters = []
    for _step in range(4):
        q -= 1
        if q == 0:
            year, q = year - 1, 4
        quarters.append((f"{year}{q}", period_label(f"{year}{q}")))
    return quarters


def _recent_months(today: dt.date) -> list[str]:
    """The six months before this one (YYYY-MM), the one just ended first: a month's DSN is
    filed in the next month."""
    months, cursor = [], (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for _step in range(6):
        months.append(cursor.strftime("%Y-%m"))
        cursor = (cursor - dt.timedelta(days=1)).replace(day=1)
    return months


@permission_required(Permission.SUBMIT_DECLARATIONS)
def queue(request: AuthenticatedRequest) -> HttpResponse:
    entity = _entity_or_404(request)
    show = request.GET.get("show", "open")
    statuses = Declaration.OPEN_STATES if show == "open" else None
    found = selectors.queue_for_staff(entity=entity, statuses=statuses)
    try:
        contract_id = uuid.UUID(request.GET.get("contract", ""))
    except ValueError:
        contract_id = None
    if contract_id:
        found = found.filter(contract__public_id=contract_id)
    rows = list(found[:500])
    now = timezone.now()
    hours = services.alert_hours(now)
    soon = now + dt.timedelta(hours=hours) if hours is not None else now
    for row in rows:
        row.next_action = next_action(row)  # type: ignore[attr-defined]
        row.anomalies = explain(row.kind, row.authority_codes, row.authority_message)  # type: ignore[attr-defined]
        # Within the alert window of the payroll officers' notice, not filed and not late yet.
        row.due_soon = (  # type: ignore[attr-defined]
            row.due_at is not None
            and row.status in (S.DRAFT, S.READY, S.REJECTED)
            and now <= row.due_at < soon
        )
    ready_in_outbox = sum(
        1
        for r in rows
        if r.status == S.READY
        and r.channel == Declaration.Channel.FILE
        and r.kind not in ("dpae", "dpae_cancel")
    )
    return render(
        request,
        "declarations/queue.html",
        {
            "rows": rows,
            "show": show,
            "late": selectors.late_count(entity=entity),
            "unanswered": selectors.unanswered_count(entity=entity),
            "ready_in_outbox": ready_in_outbox,
            "answers": selectors.answers_for_staff(entity=entity)[:10],
            "upload_form": AnswerUploadForm(),
            "now": now,
            "quarters": _recent_quarters(timezone.localdate()),
            "belcotax_years": [timezone.localdate().year - 1, timezone.localdate().year],
            "months": _recent_months(timezone.localdate()),
            "dsn_filed": current_pack().files(Declaration.Kind.DSN),
            "dsn_here": services.dsn_available(),
            "dmfa_here": current_pack().files(Declaration.Kind.DMFA),
            "belcotax_here": current_pack().files(Declaration.Kind.BELCOTAX),
            "filings": selectors.filing_jobs_for_staff(entity=entity)[:5],
        },
    )


@permission_required(Permission.SUBMIT_DECLARATIONS)
def detail(request: AuthenticatedRequest, public_id) -> HttpResponse:
    entity = _entity_or_404(request)
    try:
        declaration = selectors.declaration_for_staff(entity=entity, public_id=public_id)
    except ObjectDoesNotExist as missing:
        raise Http404 from missing
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "withdraw":
                services.declaration_withdraw(
                    declaration=declaration,
                    reason=request.POST.get("reason", ""),
                    actor=request.user,
                )
                messages.success(request, _("The declaration is withdrawn: it will not be sent."))
                return redirect("declarations:detail", public_id=public_id)
            if action in ("build", "correct") and declaration.kind in DSN_KINDS:
                rebuilt = services_dsn.dsn_rebuild(declaration=declaration, actor=request.user)
                messages.success(request, _("The declaration was built again."))
                return redirect("declarations:detail", public_id=rebuilt.public_id)
            if action in ("build", "correct") and declaration.kind in PERIODIC_KINDS:
                rebuilt = _rebuild_period(declaration, actor=request.user)
                messages.success(request, _("Built again from the data as it is now."))
                return redirect("declarations:detail", public_id=rebuilt.public_id)
            if action == "correct":
                correction = services.declaration_correct(
                    declaration=declaration, actor=request.user
                )
                messages.success(request, _("A correcting declaration was made."))
                return redirect("declarations:detail", public_id=correction.public_id)
            if action in ("acknowledged", "refused"):
                services.declaration_record_answer(
                    declaration=declaration,
                    accepted=action == "acknowledged",
                    reference=request.POST.get("reference", ""),
                    message=request.POST.get("message", ""),
                    actor=request.user,
                )
                messages.success(
                    request,
                    _("The acknowledgement is recorded.")
                    if action == "acknowledged"
                    else _("The refusal is recorded: correct the declaration."),
                )
            elif action == "build":
                services.declaration_build(declaration=declaration, actor=request.user)
                messages.success(request, _("Done."))
            else:
                raise Http404
        except ApplicationError as error:
            messages.error(request, str(error.message))
        return redirect("declarations:detail", public_id=public_id)
    return render(
        request,
        "declarations/detail.html",
        {
            "declaration": declaration,
            "next_action": next_action(declaration),
            "anomalies": explain(
                declaration.kind, declaration.authority_codes, declaration.authority_message
            ),
        },
    )


@permission_required(Permission.SUBMIT_DECLARATIONS)
def payload_download(request: AuthenticatedRequest, public_id) -> HttpResponse:
    entity = _entity_or_404(request)
    try:
        declaration = selectors.declaration_for_staff(entity=entity, public_id=public_id)
    except ObjectDoesNotExist as missing:
        raise Http404 from missing
    if not declaration.payload:
        raise Http404
    extension = {"application/json": "json", "text/plain": "txt"}.get(
        declaration.content_type, "xml"
    )
    content_type = declaration.content_type
    if content_type == "text/plain":  # the DSN is ISO-8859-1 (NEODeS)
        content_type = "text/plain; charset=iso-8859-1"
    response = HttpResponse(declaration.payload, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{declaration.kind}-{declaration.reference}.{extension}"'
    )
    return response


@require_POST
@permission_required(Permission.SUBMIT_DECLARATIONS)
def dmfa_build(request: AuthenticatedRequest) -> HttpResponse:
    """Payroll builds the quarter's DmfA of the entity with one action."""
    entity = _entity_or_404(request)
    quarter = request.POST.get("quarter", "")
    if not re.fullmatch(r"20\d\d[1-4]", quarter):
        messages.error(request, _("Choose a quarter."))
        return redirect("declarations:queue")
    try:
        services.refuse_empty_period(entity=entity, kind="dmfa", period=quarter)
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("declarations:queue")
    declaration = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=request.user)
    if declaration.status == S.READY:
        messages.success(request, _("The DmfA of the quarter is ready."))
    else:
        messages.error(request, _("The DmfA of the quarter is incomplete: see what is missing."))
    return redirect("declarations:detail", public_id=declaration.public_id)


@require_POST
@permission_required(Permission.SUBMIT_DECLARATIONS)
def filing_start(request: AuthenticatedRequest) -> HttpResponse:
    """One action: a worker files the quarter (DmfA) or the month (DSN); the page follows it."""
    entity = _entity_or_404(request)
    try:
        job = services.filing_start(
            entity=entity,
            kind=request.POST.get("kind", ""),
            period=request.POST.get("period", ""),
            actor=request.user,
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("declarations:queue")
    return redirect("declarations:filing", public_id=job.public_id)


def _filing_context(request: AuthenticatedRequest, public_id) -> dict:
    entity = _entity_or_404(request)
    try:
        job = selectors.filing_job_for_staff(entity=entity, public_id=public_id)
    except ObjectDoesNotExist as missing:
        raise Http404 from missing
    return {"job": job, "progress": services.filing_progress(job)}


@permission_required(Permission.SUBMIT_DECLARATIONS)
def filing(request: AuthenticatedRequest, public_id) -> HttpResponse:
    return render(request, "declarations/filing.html", _filing_context(request, public_id))


@permission_required(Permission.SUBMIT_DECLARATIONS)
def filing_progress(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """The fragment htmx polls while the worker builds the declaration."""
    return render(
        request, "declarations/_filing_progress.html", _filing_context(request, public_id)
    )


@require_POST
@permission_required(Permission.SUBMIT_DECLARATIONS)
def belcotax_build(request: AuthenticatedRequest) -> HttpResponse:
    """Payroll builds the 281.10 forms of a year with one action."""
    from .periodic import belcotax_build_year

    entity = _entity_or_404(request)
    year = request.POST.get("year", "")
    if not re.fullmatch(r"20\d\d", year):
        messages.error(request, _("Choose a year."))
        return redirect("declarations:queue")
    try:
        declaration = belcotax_build_year(entity=entity, year=int(year), actor=request.user)
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("declarations:queue")
    if declaration.status == S.READY:
        messages.success(request, _("The 281.10 forms of the year are ready."))
    else:
        messages.error(request, _("The 281.10 forms are incomplete: see what is missing."))
    return redirect("declarations:detail", public_id=declaration.public_id)


@require_POST
@permission_required(Permission.SUBMIT_DECLARATIONS)
def batch_download(request: AuthenticatedRequest) -> HttpResponse:
    entity = _entity_or_404(request)
    batch, count = services.outbox_batch(entity=entity, actor=request.user)
    if not count:
        messages.info(request, _("Nothing is waiting in the outbox."))
        return redirect("declarations:queue")
    response = HttpResponse(batch, content_type="application/xml")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="dimona-{entity.slug}-{stamp}.xml"'
    return response


@require_POST
@permission_required(Permission.SUBMIT_DECLARATIONS)
def answer_upload(request: AuthenticatedRequest) -> HttpResponse:
    entity = _entity_or_404(request)
    form = AnswerUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the answer file to upload."))
        return redirect("declarations:queue")
    answer = services.answer_upload(
        entity=entity, raw=form.cleaned_data["answer"].read(), actor=request.user
    )
    if not answer.parsed:
        messages.error(
            request,
            _("The answer could not be read and was not applied (%(error)s). It is kept.")
            % {"error": answer.error},
        )
    else:
        messages.success(
            request,
            _("Answer applied to %(count)s declarations.") % {"count": answer.applied}
            + (
                " "
                + _("%(count)s references were not found among the sent declarations.")
                % {"count": len(answer.unmatched)}
                if answer.unmatched
                else ""
            ),
        )
    return redirect("declarations:queue")


@require_POST
@permission_required(Permission.SUBMIT_DECLARATIONS)
def dsn_build(request: AuthenticatedRequest) -> HttpResponse:
    """Payroll builds the month's DSN of the entity (and its end-of-contract signals)."""
    entity = _entity_or_404(request)
    match = re.fullmatch(r"(20\d\d)-(0[1-9]|1[0-2])", request.POST.get("month", ""))
    if not match:
        messages.error(request, _("Choose a month."))
        return redirect("declarations:queue")
    try:
        services.refuse_empty_period(entity=entity, kind="dsn", period=match[0])
        declaration = services_dsn.dsn_build_month(
            entity=entity, year=int(match[1]), month=int(match[2]), actor=request.user
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("declarations:queue")
    if declaration.status == S.READY:
        messages.success(request, _("The DSN of the month is ready."))
    else:
        messages.error(request, _("The DSN of the month is incomplete: see what is missing."))
    return redirect("declarations:detail", public_id=declaration.public_id)


@require_POST
@permission_required(Permission.SUBMIT_DECLARATIONS)
def pas_return_upload(request: AuthenticatedRequest) -> HttpResponse:
    """Payroll uploads the tax administration's PAS rates (CRM): applied, or kept unread."""
    entity = _entity_or_404(request)
    form = AnswerUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the answer file to upload."))
        return redirect("declarations:queue")
    answer = pas_return_import(
        entity=entity,
        raw=form.cleaned_data["answer"].read(),
        actor=request.user,
        today=timezone.localdate(),
    )
    if not answer.parsed:
        messages.error(
            request,
            _("The answer could not be read and was not applied (%(error)s). It is kept.")
            % {"error": answer.error},
        )
    else:
        messages.success(
            request,
            ngettext(
                "Withholding rate applied to %(count)s worker.",
                "Withholding rates applied to %(count)s workers.",
                answer.applied,
            )
            % {"count": answer.applied}
            + (
                " "
                + _("%(count)s workers were not found among this entity's workers.")
                % {"count": len(answer.unmatched)}
                if answer.unmatched
                else ""
            ),
        )
    return redirect("declarations:queue")
