"""Pages of Activities: parse, authorise, call one service, render. A member sees only their
own Activities (404 otherwise); staff see their entity, advisers only their office."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from smartcoop.core.errors import ApplicationError, add_error_to_form
from smartcoop.core.http import AuthenticatedRequest
from smartcoop.core.roles import Permission, has_permission
from smartcoop.core.tenancy import current_entity
from smartcoop.core.views import permission_required
from smartcoop.countries import current_pack

from . import calculations, charts, forms, net_estimators, selectors, services
from .contract_events import declaration_filed_here
from .models import (
    Activity,
    ExpenseLine,
    LedgerEntry,
    Loan,
    PostingDocument,
    SolidarityRequest,
)
from .uploads import serve_upload


def _today() -> dt.date:
    return timezone.localdate()


def _member_or_404(request: AuthenticatedRequest):
    member = selectors.member_of_user(request.user)
    if member is None:
        raise Http404
    return member


def _try[T](form, call: Callable[[], T]) -> T | None:
    """Run a service; put its refusal on the form (None when refused)."""
    try:
        return call()
    except ApplicationError as error:
        add_error_to_form(form, error)
        return None


def _fail(request: HttpRequest, error: ApplicationError) -> None:
    messages.error(request, error.message)


# --- Public simulator ---------------------------------------------------------------------------


def simulator(request: HttpRequest) -> HttpResponse:
    """Anyone, also before joining: invoice amount → fee → budget → gross → estimated net."""
    form = forms.SimulatorForm(request.GET or {"amount": "1000"})
    simulation = None
    if form.is_valid():
        simulation = calculations.simulate(
            amount_excl_vat=form.cleaned_data["amount"], pack=current_pack(), on=_today()
        )
    return render(
        request,
        "activities/simulator.html",
        {"form": form, "simulation": simulation, "fee_rate": current_pack().fee_rate(_today())},
    )


# --- Member area --------------------------------------------------------------------------------


@login_required
def member_index(request: AuthenticatedRequest) -> HttpResponse:
    member = selectors.member_of_user(request.user)
    context = {"member": member}
    if member is not None:
        context.update(
            activities=list(selectors.activity_list_for_member(member=member)),
            contracts=list(selectors.contract_list_for_member(member=member)[:10]),
        )
    return render(request, "activities/member_index.html", context)


@login_required
def activity_create(request: AuthenticatedRequest) -> HttpResponse:
    member = _member_or_404(request)
    form = forms.ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        activity = _try(
            form,
            lambda: services.activity_create(
                entity=form.cleaned_data["entity"],
                coordinator=member,
                name=form.cleaned_data["name"],
                sector=form.cleaned_data["sector"],
                description=form.cleaned_data["description"],
                actor=request.user,
            ),
        )
        if activity:
            messages.success(
                request, _("Your Activity was created. Your adviser will validate it.")
            )
            return redirect("activities:detail", public_id=activity.public_id)
    return render(request, "activities/activity_form.html", {"form": form})


@login_required
def activity_detail(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """The member's dashboard of one Activity: figures explained, chart, months, entries."""
    member = _member_or_404(request)
    activity = selectors.activity_get_for_member(member=member, public_id=public_id)
    today = _today()
    budget = selectors.activity_budget(activity=activity)
    months = selectors.activity_months(activity=activity, today=today, months=12)
    membership = selectors.membership_of(activity=activity, member=member)
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "budget": budget,
            "months": months,
            "chart": charts.budget_chart(months),
            "planned": selectors.activity_planned_by_month(activity=activity, budget=budget),
            "entries": selectors.ledger_entries_recent(activity=activity, limit=20),
            "contracts": list(activity.contracts.select_related("member")[:20]),
            "claims": list(activity.expense_claims.all()[:10]),
            "loans": list(activity.loans.all()[:10]),
            "team": list(activity.memberships.select_related("member")),
            "membership": membership,
            "is_coordinator": activity.coordinator_id == member.pk,
            "reserve_form": forms.ReserveForm(initial={"reserve_amount": activity.reserve_amount}),
            "transfer_form": forms.TransferForm(
                targets=selectors.transfer_targets(activity=activity, member=member)
            )
            if activity.coordinator_id == member.pk
            else None,
        },
    )


@login_required
@require_POST
def activity_transfer(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """Move budget to another Activity the member coordinates (same entity)."""
    member = _member_or_404(request)
    activity = selectors.activity_get_for_member(member=member, public_id=public_id)
    if activity.coordinator_id != member.pk:
        raise Http404
    targets = selectors.transfer_targets(activity=activity, member=member)
    form = forms.TransferForm(request.POST, targets=targets)
    if not form.is_valid():
        messages.error(request, _("Choose an Activity, an amount and a reason."))
        return redirect("activities:detail", public_id=public_id)
    target = next(a for a in targets if str(a.public_id) == form.cleaned_data["to_activity"])
    try:
        services.activity_transfer(
            from_activity=activity,
            to_activity=target,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
        messages.success(request, _("The budget was moved."))
    except ApplicationError as error:
        _fail(request, error)
    return redirect("activities:detail", public_id=public_id)


@login_required
@require_POST
def activity_reserve(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = _member_or_404(request)
    activity = selectors.activity_get_for_member(member=member, public_id=public_id)
    if activity.coordinator_id != member.pk:
        raise Http404
    form = forms.ReserveForm(request.POST)
    if form.is_valid():
        try:
            services.activity_set_reserve(
                activity=activity, amount=form.cleaned_data["reserve_amount"], actor=request.user
            )
            messages.success(request, _("Reserve saved."))
        except ApplicationError as error:
            _fail(request, error)
    return redirect("activities:detail", public_id=public_id)


@login_required
def activity_team(request: AuthenticatedRequest, public_id) -> HttpResponse:
    from members.models import Member

    member = _member_or_404(request)
    activity = selectors.activity_get_for_member(member=member, public_id=public_id)
    if activity.coordinator_id != member.pk:
        raise Http404
    form = forms.TeamMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        other = Member.objects.filter(member_number=form.cleaned_data["member_number"]).first()
        if other is None:
            form.add_error("member_number", _("No member has this number."))
        elif _try(
            form,
            lambda: services.activity_member_set(
                activity=activity,
                member=other,
                can_invoice=form.cleaned_data["can_invoice"],
                can_request_salary=form.cleaned_data["can_request_salary"],
                can_spend=form.cleaned_data["can_spend"],
                actor=request.user,
            ),
        ):
            messages.success(request, _("The team was updated."))
            return redirect("activities:team", public_id=public_id)
    return render(
        request,
        "activities/team.html",
        {
            "activity": activity,
            "form": form,
            "team": activity.memberships.select_related("member"),
        },
    )


def _largest_grosses(*, available: Decimal, on: dt.date) -> list[dict]:
    """Per contract type, the largest gross wage the available budget pays (on a date's rates)."""
    return [
        {
            "label": kind.label,
            "code": kind.code,
            "max_gross": calculations.max_gross_for_budget(
                budget=available, coefficient=kind.coefficient(on)
            ),
        }
        for kind in current_pack().contract_types
    ]


def _salary_preview(*, data: dict, available: Decimal, member=None) -> dict:
    pack = current_pack()
    kind = pack.contract_type(data["contract_type"])
    coefficient = kind.coefficient(data["start_date"])
    cost = calculations.employer_cost(gross=data["gross_wage"], coefficient=coefficient)
    return {
        "gross": data["gross_wage"],
        "coefficient": coefficient,
        "employer_cost": cost,
        "estimate": net_estimators.net_estimate_for(
            pack=pack,
            contract_type=kind.code,
            gross=data["gross_wage"],
            on=data["start_date"],
            hours=data["hours"],
            start=data["start_date"],
            end=data["end_date"],
            member=member,
        ),
        "label": kind.label,
        "fits": cost <= available,
        "max_gross": calculations.max_gross_for_budget(budget=available, coefficient=coefficient),
    }


@login_required
def salary_request(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """Activity tool: ask for a salary from the available budget, with a preview to confirm.

    The largest gross the budget allows is shown before the member types anything; after a
    preview that does not fit or a refusal, the form keeps every value and a button, and
    "Use the largest gross" re-previews with the figure that fits."""
    member = _member_or_404(request)
    activity = selectors.activity_get_for_member(member=member, public_id=public_id)
    budget = selectors.activity_budget(activity=activity)
    form = forms.SalaryRequestForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        use_largest = "use_largest" in request.POST
        preview = _salary_preview(data=data, available=budget.available, member=member)
        if use_largest and preview["max_gross"] > 0:
            data["gross_wage"] = preview["max_gross"]
            preview = _salary_preview(data=data, available=budget.available, member=member)
        if data["confirm"] and not use_largest:
            contract = _try(
                form,
                lambda: services.contract_request_salary(
                    activity=activity,
                    member=member,
                    contract_type=data["contract_type"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    hours=data["hours"],
                    gross_wage=data["gross_wage"],
                    function=data["function"],
                    workplace_country=data["workplace_country"],
                    workplace_address=data["workplace_address"],
                    actor=request.user,
                ),
            )
            if contract:
                for warning in contract.warnings:
                    messages.warning(request, warning["message"])
                messages.success(request, _("Your salary request was sent to your adviser."))
                return redirect("activities:contract", public_id=contract.public_id)
        # Previewed, or refused: the same values (errors kept), confirmable only when it fits.
        form.data = data_copy = request.POST.copy()
        data_copy["gross_wage"] = str(preview["gross"])
        data_copy["confirm"] = "True" if preview["fits"] and not form.errors else ""
    return render(
        request,
        "activities/salary_request.html",
        {
            "activity": activity,
            "budget": budget,
            "form": form,
            "preview": preview,
            "largest": _largest_grosses(available=budget.available, on=_today()),
        },
    )


@login_required
def contract_detail(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = _member_or_404(request)
    contract = selectors.contract_get_for_member(member=member, public_id=public_id)
    posting_form = forms.PostingForm(
        request.POST if request.POST.get("form") == "posting" else None,
        by_member=True,
        initial={
            "a1_status": contract.a1_status,
            "a1_reference": contract.a1_reference,
            "host_declaration_status": contract.host_declaration_status,
            "host_declaration_reference": contract.host_declaration_reference,
            "host_representative": contract.host_representative,
        },
    )
    document_form = forms.PostingDocumentForm(
        request.POST if request.POST.get("form") == "document" else None,
        request.FILES or None,
    )
    if request.method == "POST" and request.POST.get("form") == "cancel":
        try:
            services.contract_cancel(
                contract=contract, reason=request.POST.get("reason", ""), actor=request.user
            )
            messages.success(request, _("The contract was cancelled."))
        except ApplicationError as error:
            _fail(request, error)
        return redirect("activities:contract", public_id=public_id)
    if request.method == "POST":
        if request.POST.get("form") == "posting" and posting_form.is_valid():
            if _try(
                posting_form,
                lambda: services.contract_update_posting(
                    contract=contract, actor=request.user, **posting_form.cleaned_data
                ),
            ):
                messages.success(request, _("Posting data saved."))
                return redirect("activities:contract", public_id=public_id)
        elif (
            request.POST.get("form") == "document"
            and document_form.is_valid()
            and _try(
                document_form,
                lambda: services.contract_posting_document_add(
                    contract=contract,
                    kind=document_form.cleaned_data["kind"],
                    file=document_form.cleaned_data["file"],
                    actor=request.user,
                ),
            )
            is not None
        ):
            messages.success(request, _("Document added."))
            return redirect("activities:contract", public_id=public_id)
    return render(
        request,
        "activities/contract_detail.html",
        {
            "contract": contract,
            "type_label": _contract_type_label(contract.contract_type),
            "posting_form": posting_form,
            "document_form": document_form,
            "documents": contract.posting_documents.all(),
            "interruptions": contract.interruptions.all(),
            "staff": False,
            "can_cancel": contract.can_be_cancelled(_today()),
            "executive_status": current_pack().executive_status_for(contract.contract_type),
        },
    )


def _contract_type_label(code: str) -> str:
    try:
        return str(current_pack().contract_type(code).label)
    except KeyError:
        return code


@login_required
def expense_create(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = _member_or_404(request)
    activity = selectors.activity_get_for_member(member=member, public_id=public_id)
    form = forms.ExpenseClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        claim = _try(
            form,
            lambda: services.expense_claim_create(
                activity=activity,
                member=member,
                title=form.cleaned_data["title"],
                actor=request.user,
            ),
        )
        if claim:
            return redirect("activities:expense", public_id=claim.public_id)
    return render(
        request,
        "activities/simple_form.html",
        {
            "form": form,
            "activity": activity,
            "title": _("New expense claim"),
            "submit": _("Create and add lines"),
        },
    )


@login_required
def expense_detail(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = _member_or_404(request)
    claim = selectors.expense_claim_get_for_member(member=member, public_id=public_id)
    form = forms.ExpenseLineForm(request.POST or None, request.FILES or None)
    action = request.POST.get("action")
    if request.method == "POST":
        try:
            if action == "submit":
                services.expense_claim_submit(claim=claim, actor=request.user)
                messages.success(request, _("Your claim was sent to your adviser."))
                return redirect("activities:expense", public_id=public_id)
            if action == "remove":
                line = get_object_or_404(
                    ExpenseLine, claim=claim, public_id=request.POST.get("line")
                )
                services.expense_line_remove(line=line, actor=request.user)
                return redirect("activities:expense", public_id=public_id)
        except ApplicationError as error:
            _fail(request, error)
            return redirect("activities:expense", public_id=public_id)
        if form.is_valid():
            data = form.cleaned_data
            if _try(
                form,
                lambda: services.expense_line_add(
                    claim=claim,
                    spent_on=data["spent_on"],
                    category=data["category"],
                    description=data["description"],
                    amount_incl_vat=data["amount_incl_vat"],
                    vat_amount=data["vat_amount"] or Decimal("0"),
                    km=data["km"],
                    receipt=data["receipt"],
                    actor=request.user,
                ),
            ):
                messages.success(request, _("Line added."))
                return redirect("activities:expense", public_id=public_id)
    return render(
        request,
        "activities/expense_detail.html",
        {"claim": claim, "lines": claim.lines.all(), "form": form, "staff": False},
    )


@login_required
def loan_apply(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = _member_or_404(request)
    activity = selectors.activity_get_for_member(member=member, public_id=public_id)
    form = forms.LoanForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _try(
            form,
            lambda: services.loan_apply(
                activity=activity, member=member, actor=request.user, **form.cleaned_data
            ),
        )
        is not None
    ):
        messages.success(request, _("Your loan request was sent."))
        return redirect("activities:detail", public_id=public_id)
    return render(
        request,
        "activities/simple_form.html",
        {
            "form": form,
            "activity": activity,
            "title": _("Ask for an interest-free loan"),
            "intro": _(
                "Only the amount borrowed is repaid, in monthly instalments taken from the "
                "Activity's budget."
            ),
            "submit": _("Send the request"),
        },
    )


@login_required
def solidarity(request: AuthenticatedRequest) -> HttpResponse:
    member = _member_or_404(request)
    form = forms.SolidarityForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _try(
            form,
            lambda: services.solidarity_request_submit(
                member=member, actor=request.user, **form.cleaned_data
            ),
        )
        is not None
    ):
        messages.success(
            request, _("Your request was sent to the solidarity committee, confidentially.")
        )
        return redirect("activities:solidarity")
    return render(
        request,
        "activities/solidarity.html",
        {"form": form, "requests": selectors.solidarity_requests_for_member(member=member)},
    )


# --- Back-office --------------------------------------------------------------------------------


@permission_required(Permission.VALIDATE_ACTIVITIES)
def staff_index(request: AuthenticatedRequest) -> HttpResponse:
    entity = current_entity(request)
    activities = selectors.activity_list_for_staff(user=request.user, entity=entity)
    query = request.GET.get("q", "").strip()
    if query:
        activities = activities.filter(name__icontains=query)
    page = Paginator(activities, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/staff_index.html",
        {
            "entity": entity,
            "queues": selectors.staff_queues(user=request.user, entity=entity, today=_today()),
            "page": page,
            "q": query,
            "can_decide_loans": has_permission(request.user, Permission.DECIDE_LOANS),
        },
    )


def _staff_activity(request, public_id) -> Activity:
    return selectors.activity_get_for_staff(
        user=request.user, entity=current_entity(request), public_id=public_id
    )


def _require_any(request: AuthenticatedRequest, *permissions: Permission) -> None:
    if not any(has_permission(request.user, p) for p in permissions):
        raise Http404


@permission_required(Permission.BACKOFFICE_ACCESS)
def staff_activity(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """Activity 360°: budget, entries, contracts, claims, loans, team; status actions (advisers)
    and ledger corrections (accountants)."""
    _require_any(request, Permission.VALIDATE_ACTIVITIES, Permission.ADJUST_LEDGER)
    activity = _staff_activity(request, public_id)
    budget = selectors.activity_budget(activity=activity)
    return render(
        request,
        "activities/staff_activity.html",
        {
            "activity": activity,
            "budget": budget,
            "entries": selectors.ledger_entries_recent(activity=activity, limit=50),
            "contracts": list(activity.contracts.select_related("member")[:30]),
            "claims": list(activity.expense_claims.all()[:20]),
            "loans": list(activity.loans.all()[:20]),
            "team": list(activity.memberships.select_related("member")),
            "adjust_form": forms.AdjustForm(),
            "can_adjust": has_permission(request.user, Permission.ADJUST_LEDGER),
            "can_validate": has_permission(request.user, Permission.VALIDATE_ACTIVITIES),
            # Links only to the pages this person may open (an accountant has neither).
            "can_open_contracts": has_permission(request.user, Permission.VALIDATE_CONTRACTS),
            "can_open_claims": has_permission(request.user, Permission.APPROVE_EXPENSES),
        },
    )


@require_POST
@permission_required(Permission.BACKOFFICE_ACCESS)
def staff_activity_action(request: AuthenticatedRequest, public_id) -> HttpResponse:
    action = request.POST.get("action")
    _require_any(
        request,
        Permission.ADJUST_LEDGER
        if action in ("adjust", "reverse")
        else Permission.VALIDATE_ACTIVITIES,
    )
    activity = _staff_activity(request, public_id)
    reason = request.POST.get("reason", "")
    try:
        if action == "validate":
            services.activity_validate(activity=activity, actor=request.user)
        elif action == "suspend":
            services.activity_suspend(activity=activity, reason=reason, actor=request.user)
        elif action == "reactivate":
            services.activity_reactivate(activity=activity, actor=request.user)
        elif action == "close":
            services.activity_close(activity=activity, reason=reason, actor=request.user)
        elif action in ("adjust", "reverse"):
            if action == "adjust":
                form = forms.AdjustForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("Give an amount and a reason."))
                    return redirect("activities:staff_activity", public_id=public_id)
                services.ledger_adjust(
                    activity=activity,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            else:
                entry: LedgerEntry = get_object_or_404(
                    LedgerEntry.objects.filter(activity=activity),
                    public_id=request.POST.get("entry"),
                )
                services.ledger_entry_reverse(entry=entry, reason=reason, actor=request.user)
        else:
            raise Http404
        messages.success(request, _("Done."))
    except ApplicationError as error:
        _fail(request, error)
    return redirect("activities:staff_activity", public_id=public_id)


QUEUE_PAGE_SIZE = 100


def _ticked(request: AuthenticatedRequest) -> list[str] | None:
    """The contract references ticked on the queue page, or None when one is not a reference."""
    try:
        return [str(uuid.UUID(value)) for value in request.POST.getlist("contracts")]
    except ValueError:
        return None


@permission_required(Permission.VALIDATE_CONTRACTS)
def staff_contracts(request: AuthenticatedRequest) -> HttpResponse:
    """The adviser's contract validation queue: tick contracts (or the whole page), press
    "Validate selected", confirm on the next page; they are validated in one service call and
    their Dimona IN / DPAE queued in one batch. Each refusal is reported with its reason."""
    entity = current_entity(request)
    drafts = selectors.contracts_to_validate(user=request.user, entity=entity)
    if request.method == "POST":
        ticked = _ticked(request)
        if not ticked:
            messages.error(
                request,
                _("Tick the contracts to validate.")
                if ticked is not None
                else _("These are not contract references: nothing was validated."),
            )
            return redirect("activities:staff_contracts")
        if request.POST.get("step") != "confirm":
            chosen = list(drafts.filter(public_id__in=ticked))
            if not chosen:
                messages.error(request, _("None of these contracts is waiting for validation."))
                return redirect("activities:staff_contracts")
            return render(
                request,
                "activities/staff_contracts_confirm.html",
                {
                    "chosen": chosen,
                    "total": sum((c.gross_wage for c in chosen), Decimal("0")),
                    "left_out": len(set(ticked)) - len(chosen),
                    "declaration": bool(current_pack().hiring_declaration),
                },
            )
        try:
            result = services.contracts_validate(
                public_ids=ticked, actor=request.user, entity=entity
            )
        except ApplicationError as error:
            _fail(request, error)
            return redirect("activities:staff_contracts")
        if result.validated:
            messages.success(
                request,
                ngettext(
                    "%(count)s contract validated; its declaration is queued.",
                    "%(count)s contracts validated; their declarations are queued.",
                    len(result.validated),
                )
                % {"count": len(result.validated)},
            )
        for refused in result.refused:
            who = (
                f"{refused.contract.member.display_name}, "
                f"{date_format(refused.contract.start_date, 'SHORT_DATE_FORMAT')}"
                if refused.contract is not None
                else refused.public_id
            )
            messages.error(request, f"{who}: {refused.reason}")
        return redirect("activities:staff_contracts")
    page = Paginator(drafts, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = {kind.code: str(kind.label) for kind in current_pack().contract_types}
    rows = [(c, labels.get(c.contract_type, c.contract_type)) for c in page.object_list]
    return render(
        request,
        "activities/staff_contracts.html",
        {"entity": entity, "page": page, "rows": rows},
    )


@permission_required(Permission.VALIDATE_CONTRACTS)
def staff_contract(request: AuthenticatedRequest, public_id) -> HttpResponse:
    contract = selectors.contract_get_for_staff(
        user=request.user, entity=current_entity(request), public_id=public_id
    )
    interruption_form = forms.InterruptionForm(
        request.POST if request.POST.get("action") == "interruption" else None
    )
    posting_form = forms.PostingForm(
        request.POST if request.POST.get("action") == "posting" else None,
        initial={
            "a1_status": contract.a1_status,
            "a1_reference": contract.a1_reference,
            "host_declaration_status": contract.host_declaration_status,
            "host_declaration_reference": contract.host_declaration_reference,
            "host_representative": contract.host_representative,
        },
    )
    dates_form = forms.ContractDatesForm(
        request.POST if request.POST.get("action") == "dates" else None,
        initial={
            "start_date": contract.start_date,
            "end_date": contract.end_date,
            "hours": contract.hours,
        },
    )
    committee_form = forms.JointCommitteeForm(
        request.POST if request.POST.get("action") == "joint_committee" else None,
        initial={"joint_committee": contract.joint_committee},
    )
    if request.method == "POST" and request.POST.get("action") == "joint_committee":
        if committee_form.is_valid():
            changed = _try(
                committee_form,
                lambda: services.contract_set_joint_committee(
                    contract=contract,
                    joint_committee=committee_form.cleaned_data["joint_committee"],
                    actor=request.user,
                ),
            )
            if changed is not None:
                messages.success(
                    request,
                    _("The contract falls under joint committee %(committee)s.")
                    % {"committee": changed.joint_committee},
                )
                return redirect("activities:staff_contract", public_id=public_id)
    elif request.method == "POST" and request.POST.get("action") == "dates":
        if dates_form.is_valid():
            data = dates_form.cleaned_data
            changed = _try(
                dates_form,
                lambda: services.contract_change_dates(
                    contract=contract,
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    hours=data["hours"],
                    reason=data["reason"],
                    actor=request.user,
                ),
            )
            if changed is not None:
                messages.success(request, _("The contract's dates are changed."))
                return redirect("activities:staff_contract", public_id=public_id)
    elif request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "validate":
                services.contract_validate(contract=contract, actor=request.user)
            elif action == "declare":
                services.contract_declare_by_hand(contract=contract, actor=request.user)
            elif action == "performed":
                services.contract_mark_performed(contract=contract, actor=request.user)
            elif action == "cancel":
                services.contract_cancel(
                    contract=contract, reason=request.POST.get("reason", ""), actor=request.user
                )
            elif action == "cadre":
                services.contract_set_executive_status(
                    contract=contract, cadre=request.POST.get("cadre") == "1", actor=request.user
                )
            elif action == "block":
                services.contract_update_posting(
                    contract=contract,
                    actor=request.user,
                    blocks_start=request.POST.get("blocks_start") == "1",
                )
            elif action == "posting":
                if not posting_form.is_valid():
                    raise ApplicationError(_("Check the posting data."))
                services.contract_update_posting(
                    contract=contract, actor=request.user, **posting_form.cleaned_data
                )
            elif action == "interruption":
                if not interruption_form.is_valid():
                    raise ApplicationError(_("Check the period and the reason."))
                data = interruption_form.cleaned_data
                services.contract_record_interruption(
                    contract=contract,
                    kind=data["kind"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    hours=data["hours"] or Decimal("0"),
                    reason=data["reason"],
                    actor=request.user,
                )
            else:
                raise Http404
            messages.success(request, _("Done."))
            return redirect("activities:staff_contract", public_id=public_id)
        except ApplicationError as error:
            _fail(request, error)
    return render(
        request,
        "activities/contract_detail.html",
        {
            "contract": contract,
            "type_label": _contract_type_label(contract.contract_type),
            "posting_form": posting_form,
            "interruption_form": interruption_form,
            "dates_form": dates_form,
            "declare_by_hand": contract.can("declare") and not declaration_filed_here(contract),
            "documents": contract.posting_documents.all(),
            "interruptions": contract.interruptions.all(),
            "staff": True,
            "can_cancel": contract.can_be_cancelled(_today()),
            "executive_status": current_pack().executive_status_for(contract.contract_type),
            "committee_form": committee_form
            if current_pack().joint_committee_param and contract.status == "draft"
            else None,
        },
    )


@permission_required(Permission.APPROVE_EXPENSES)
def staff_expense(request: AuthenticatedRequest, public_id) -> HttpResponse:
    claim = selectors.expense_claim_get_for_staff(
        user=request.user, entity=current_entity(request), public_id=public_id
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                services.expense_claim_approve(claim=claim, actor=request.user)
                messages.success(request, _("Claim approved and reimbursed from the budget."))
            elif request.POST.get("action") == "reject":
                services.expense_claim_reject(
                    claim=claim, reason=request.POST.get("reason", ""), actor=request.user
                )
                messages.success(request, _("Claim rejected."))
            else:
                raise Http404
            return redirect("activities:staff_expense", public_id=public_id)
        except ApplicationError as error:
            _fail(request, error)
    return render(
        request,
        "activities/expense_detail.html",
        {
            "claim": claim,
            "lines": claim.lines.all(),
            "staff": True,
            "budget": selectors.activity_budget(activity=claim.activity),
        },
    )


@permission_required(Permission.DECIDE_LOANS)
def staff_loans(request: AuthenticatedRequest) -> HttpResponse:
    entity = current_entity(request)
    loans = selectors.loan_register(entity=entity)
    totals = loans.filter(status=Loan.Status.DISBURSED).aggregate(
        count=Count("id"),
        outstanding=Coalesce(Sum(F("amount") - F("repaid")), Value(Decimal("0.00"))),
    )
    return render(
        request, "activities/staff_loans.html", {"loans": loans, "totals": totals, "entity": entity}
    )


@require_POST
@permission_required(Permission.DECIDE_LOANS)
def staff_loan_action(request: AuthenticatedRequest, public_id) -> HttpResponse:
    loan = selectors.loan_get_for_staff(entity=current_entity(request), public_id=public_id)
    action = request.POST.get("action")
    try:
        if action in ("approve", "refuse"):
            services.loan_decide(
                loan=loan,
                approve=action == "approve",
                reason=request.POST.get("reason", ""),
                actor=request.user,
            )
        elif action == "disburse":
            services.loan_disburse(loan=loan, actor=request.user)
        elif action == "repay":
            form = forms.EarlyRepaymentForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Give the amount to repay."))
            services.loan_repay_early(
                loan=loan, amount=form.cleaned_data["amount"], actor=request.user
            )
        else:
            raise Http404
        messages.success(request, _("Done."))
    except ApplicationError as error:
        _fail(request, error)
    return redirect("activities:staff_loans")


@permission_required(Permission.ADJUST_LEDGER)
def staff_reconciliation(request: AuthenticatedRequest) -> HttpResponse:
    entity = current_entity(request)
    if entity is None:
        raise Http404
    return render(
        request,
        "activities/staff_reconciliation.html",
        {
            "entity": entity,
            "result": selectors.reconciliation(entity=entity),
            "exposure": selectors.exposure_for_entity(entity=entity),
        },
    )


@permission_required(Permission.DECIDE_SOLIDARITY)
def staff_solidarity(request: AuthenticatedRequest) -> HttpResponse:
    year = int(request.GET.get("year") or _today().year)
    return render(
        request,
        "activities/staff_solidarity.html",
        {
            "requests": selectors.solidarity_requests_for_committee()[:100],
            "stats": selectors.solidarity_statistics(year=year),
            "form": forms.SolidarityDecisionForm(),
        },
    )


@require_POST
@permission_required(Permission.DECIDE_SOLIDARITY)
def staff_solidarity_action(request: AuthenticatedRequest, public_id) -> HttpResponse:
    solidarity_request = get_object_or_404(SolidarityRequest, public_id=public_id)
    try:
        if request.POST.get("action") == "pay":
            services.solidarity_request_mark_paid(
                request=solidarity_request, paid_on=_today(), actor=request.user
            )
        else:
            form = forms.SolidarityDecisionForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Choose a decision."))
            services.solidarity_request_decide(
                request=solidarity_request,
                accept=form.cleaned_data["decision"] == "accept",
                amount_granted=form.cleaned_data["amount_granted"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        messages.success(request, _("Done."))
    except ApplicationError as error:
        _fail(request, error)
    return redirect("activities:staff_solidarity")


# --- Uploaded documents: served only through these views, never from a public media URL --------


def _serve(file_field) -> FileResponse:
    # Receipts are whatever people upload: typed by their content, never run as a page.
    return serve_upload(file_field)


def _document_owner_check(request: AuthenticatedRequest, *, claim=None, contract=None) -> None:
    """404 unless the requester may see the expense claim or the contract the file belongs to:
    its member, or staff who see it in the entity they work in."""
    if has_permission(request.user, Permission.BACKOFFICE_ACCESS):
        entity = current_entity(request)
        if claim is not None:
            selectors.expense_claim_get_for_staff(
                user=request.user, entity=entity, public_id=claim.public_id
            )
        else:
            selectors.contract_get_for_staff(
                user=request.user, entity=entity, public_id=contract.public_id
            )
        return
    member = _member_or_404(request)
    if claim is not None:
        selectors.expense_claim_get_for_member(member=member, public_id=claim.public_id)
    else:
        selectors.contract_get_for_member(member=member, public_id=contract.public_id)


@login_required
def expense_receipt(request: AuthenticatedRequest, public_id) -> FileResponse:
    line = ExpenseLine.objects.select_related("claim").filter(public_id=public_id).first()
    if line is None or not line.receipt:
        raise Http404
    _document_owner_check(request, claim=line.claim)
    return _serve(line.receipt)


@login_required
def posting_document(request: AuthenticatedRequest, public_id) -> FileResponse:
    document = (
        PostingDocument.objects.select_related("contract").filter(public_id=public_id).first()
    )
    if document is None:
        raise Http404
    _document_owner_check(request, contract=document.contract)
    return _serve(document.file)
