"""Pages of the governance app: members (assemblies, proxy, vote, receipt check) and staff
(statutes, convene, attendance and in-room votes, close, results, documents)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import selectors as member_selectors
from smartcoop.core.errors import ApplicationError, add_error_to_form
from smartcoop.core.http import AuthenticatedRequest
from smartcoop.core.roles import Permission
from smartcoop.core.tenancy import current_entity
from smartcoop.core.uploads import serve_upload
from smartcoop.core.views import permission_required

from . import documents, forms, selectors, services
from .models import Assembly, Resolution, Statutes, Voter

# --- Members ------------------------------------------------------------------------------------


def _voter(request: AuthenticatedRequest, public_id) -> Voter:
    return selectors.voter_get_for_user(user=request.user, assembly_public_id=public_id)


def _meeting_live(assembly: Assembly) -> bool:
    now = timezone.now()
    return (
        assembly.status == Assembly.Status.CONVENED
        and assembly.starts_at - timedelta(minutes=30) <= now <= assembly.vote_closes_at
    )


@login_required
def member_index(request: AuthenticatedRequest) -> HttpResponse:
    member = member_selectors.member_of_user(user=request.user)
    lines = list(selectors.voter_lines_of_member(member=member)) if member else []
    return render(request, "governance/member_index.html", {"lines": lines})


@login_required
def assembly(request: AuthenticatedRequest, public_id) -> HttpResponse:
    return _assembly_page(request, _voter(request, public_id))


def _assembly_page(
    request: AuthenticatedRequest, voter: Voter, receipt: dict | None = None
) -> HttpResponse:
    meeting = voter.assembly
    now = timezone.now()
    held = selectors.proxies_held_by(voter=voter)
    given = selectors.proxy_given_by(voter=voter)
    vote_open = meeting.status == Assembly.Status.CONVENED and (
        meeting.vote_opens_at <= now < meeting.vote_closes_at
    )
    elections = {
        e.resolution_id: {
            "election": e,
            "candidates": selectors.candidacies_of(election=e, confirmed_only=True),
            "mine": selectors.candidacy_of(election=e, voter=voter),
        }
        for e in selectors.elections_of(assembly=meeting)
    }
    resolutions = list(meeting.resolutions.order_by("position"))
    ballots = []
    if vote_open:
        for_whom = ([] if given else [voter]) + [p.grantor for p in held]
        voted = {v.pk: selectors.voted_resolution_ids(voter=v) for v in for_whom}
        for resolution in resolutions:
            for v in for_whom:
                ballots.append(
                    {
                        "resolution": resolution,
                        "voter": v,
                        "voted": resolution.pk in voted[v.pk],
                        "election": elections.get(resolution.pk),
                    }
                )
    return render(
        request,
        "governance/assembly.html",
        {
            "voter": voter,
            "assembly": meeting,
            "resolutions": resolutions,
            "held": held,
            "given": given,
            "proxy_open": meeting.before_vote(now),
            "proxy_form": forms.ProxyForm(),
            "vote_open": vote_open,
            "ballots": ballots,
            "vote_form": forms.VoteForm(),
            "live": _meeting_live(meeting),
            "elections": list(elections.values()),
            "documents": selectors.documents_of(assembly=meeting),
            "candidacy_open": meeting.before_vote(now),
            "candidacy_form": forms.CandidacyForm(),
            "ranked": meeting.statutes.election_method == Statutes.ElectionMethod.STV,
            "election_results": (
                selectors.election_results(assembly=meeting)
                if meeting.status == Assembly.Status.CLOSED
                else None
            ),
            "results": (
                selectors.assembly_results(assembly=meeting)
                if meeting.status == Assembly.Status.CLOSED
                else None
            ),
            # The code of a secret vote is shown in the answer to the vote itself: never stored
            # in a session, a message or a log on its way.
            "receipt": receipt,
        },
    )


@login_required
@require_POST
def proxy_sign(request: AuthenticatedRequest, public_id) -> HttpResponse:
    voter = _voter(request, public_id)
    form = forms.ProxyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the member number of the proxy holder."))
    else:
        try:
            services.proxy_sign(
                actor=request.user, grantor=voter, holder_member_number=form.cleaned_data["holder"]
            )
            messages.success(request, _("Your proxy is signed."))
        except ApplicationError as error:
            messages.error(request, error.message)
    return redirect("governance:assembly", public_id=public_id)


@login_required
@require_POST
def proxy_revoke(request: AuthenticatedRequest, public_id) -> HttpResponse:
    voter = _voter(request, public_id)
    proxy = selectors.proxy_given_by(voter=voter)
    if proxy is None:
        raise Http404
    try:
        services.proxy_revoke(actor=request.user, proxy=proxy)
        messages.success(request, _("Your proxy is revoked: you vote yourself."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("governance:assembly", public_id=public_id)


@login_required
@require_POST
def vote(request: AuthenticatedRequest, public_id, resolution_id, voter_id) -> HttpResponse:
    own = _voter(request, public_id)
    resolution = selectors.resolution_get(assembly=own.assembly, public_id=resolution_id)
    target = selectors.voter_get(assembly=own.assembly, public_id=voter_id)
    marks = None
    if resolution.kind == Resolution.Kind.ELECTION:
        form = forms.VoteForm({"choice": "for", **request.POST.dict()})
        numbers = [
            c.number
            for c in selectors.candidacies_of(election=resolution.election, confirmed_only=True)
            if c.number is not None
        ]
        try:
            marks = forms.election_marks(
                request.POST, numbers, own.assembly.statutes.election_method
            )
        except ValueError as error:
            messages.error(request, str(error))
            return redirect("governance:assembly", public_id=public_id)
    else:
        form = forms.VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose for, against or abstain."))
        return redirect("governance:assembly", public_id=public_id)
    try:
        result = services.vote_cast(
            actor=request.user,
            resolution=resolution,
            voter=target,
            choice=form.cleaned_data["choice"],
            change_code=form.cleaned_data["change_code"],
            marks=marks,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Your vote is changed.") if result.changed else _("Your vote is recorded.")
        )
        if result.code:
            return _assembly_page(
                request,
                own,
                receipt={
                    "code": result.code,
                    "resolution": resolution.title,
                    "member": target.member.display_name,
                },
            )
    return redirect("governance:assembly", public_id=public_id)


@login_required
@require_POST
def candidacy_apply(request: AuthenticatedRequest, public_id, resolution_id) -> HttpResponse:
    voter = _voter(request, public_id)
    election = selectors.election_get(assembly=voter.assembly, resolution_public_id=resolution_id)
    form = forms.CandidacyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a statement of at most 3000 characters."))
    else:
        try:
            services.candidacy_apply(
                actor=request.user,
                election=election,
                voter=voter,
                statement=form.cleaned_data["statement"],
            )
            messages.success(request, _("Your candidacy is received: staff check eligibility."))
        except ApplicationError as error:
            messages.error(request, error.message)
    return redirect("governance:assembly", public_id=public_id)


@login_required
@require_POST
def candidacy_withdraw(request: AuthenticatedRequest, public_id, resolution_id) -> HttpResponse:
    voter = _voter(request, public_id)
    election = selectors.election_get(assembly=voter.assembly, resolution_public_id=resolution_id)
    candidacy = selectors.candidacy_of(election=election, voter=voter)
    if candidacy is None:
        raise Http404
    try:
        services.candidacy_withdraw(actor=request.user, candidacy=candidacy)
        messages.success(request, _("Your candidacy is withdrawn."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("governance:assembly", public_id=public_id)


def ballots(request: HttpRequest, public_id) -> HttpResponse:
    """Public: the published secret ballots of a closed assembly, and a receipt check."""
    meeting = selectors.closed_assembly_get(public_id=public_id)
    published = list(selectors.published_ballots(assembly=meeting))
    query = request.GET.get("receipt", "").strip().upper().partition("-")[0]
    found = [b for b in published if b.receipt == query] if query else []
    return render(
        request,
        "governance/ballots.html",
        {
            "assembly": meeting,
            "ballots": published,
            "query": query,
            "found": found,
            "results": selectors.assembly_results(assembly=meeting),
            "election_results": selectors.election_results(assembly=meeting),
            "participation": selectors.participation(assembly=meeting),
        },
    )


def ballots_csv(request: HttpRequest, public_id) -> HttpResponse:
    meeting = selectors.closed_assembly_get(public_id=public_id)
    response = HttpResponse(documents.ballots_csv(meeting), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="ballots-{meeting.public_id}.csv"'
    return response


def _minutes_response(meeting: Assembly) -> HttpResponse:
    if not meeting.minutes_pdf:
        content = documents.minutes_pdf(meeting)
    else:
        with meeting.minutes_pdf.open("rb") as handle:
            content = handle.read()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{meeting.public_id}.pdf"'
    return response


@login_required
def document(request: AuthenticatedRequest, public_id, document_id) -> HttpResponse:
    """A resolution's document, for the voters of its assembly."""
    voter = _voter(request, public_id)
    return serve_upload(selectors.document_get(assembly=voter.assembly, public_id=document_id).file)


@login_required
def minutes(request: AuthenticatedRequest, public_id) -> HttpResponse:
    voter = _voter(request, public_id)
    if voter.assembly.status != Assembly.Status.CLOSED:
        raise Http404
    return _minutes_response(voter.assembly)


# --- Staff --------------------------------------------------------------------------------------


def _governed_entity(request: AuthenticatedRequest):
    """The entity whose assemblies staff plan: the cooperative, which keeps the register of
    members the voting rights come from (whatever entity the staff member works in)."""
    try:
        return member_selectors.cooperative_entity()
    except ApplicationError:
        return current_entity(request)


@permission_required(Permission.MANAGE_ASSEMBLIES)
def staff_index(request: AuthenticatedRequest) -> HttpResponse:
    entity = _governed_entity(request)
    form = forms.AssemblyForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and entity is not None:
        try:
            created = services.assembly_create(
                actor=request.user, entity=entity, **form.cleaned_data
            )
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The assembly is created: add its agenda."))
            return redirect("governance:staff_assembly", public_id=created.public_id)
    return render(
        request,
        "governance/staff_index.html",
        {
            "entity": entity,
            "assemblies": selectors.assemblies_for_staff(user=request.user),
            "statutes": selectors.statutes_for_entity(entity=entity) if entity else [],
            "form": form,
        },
    )


@permission_required(Permission.MANAGE_ASSEMBLIES)
def staff_statutes(request: AuthenticatedRequest) -> HttpResponse:
    entity = _governed_entity(request)
    if entity is None:
        raise Http404
    form = forms.StatutesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.statutes_create(actor=request.user, entity=entity, **form.cleaned_data)
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The new version of the statutes is recorded."))
            return redirect("governance:staff_index")
    return render(request, "governance/staff_statutes.html", {"form": form, "entity": entity})


@permission_required(Permission.MANAGE_ASSEMBLIES)
def staff_assembly(request: AuthenticatedRequest, public_id) -> HttpResponse:
    meeting = selectors.assembly_get_for_staff(user=request.user, public_id=public_id)
    form = forms.ResolutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resolution_add(actor=request.user, assembly=meeting, **form.cleaned_data)
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            return redirect("governance:staff_assembly", public_id=public_id)
    election_form = forms.ElectionForm(prefix="election")
    voters = list(selectors.voters_list(assembly=meeting)[:500])
    return render(
        request,
        "governance/staff_assembly.html",
        {
            "assembly": meeting,
            # The close service also waits for the vote to open; the page offers what it accepts.
            "closable": meeting.can("close") and timezone.now() >= meeting.vote_opens_at,
            "candidacies_open": meeting.before_vote(timezone.now()),
            "resolutions": meeting.resolutions.order_by("position"),
            "form": form,
            "voters": voters,
            "voters_count": meeting.voters.count(),
            "proxies": selectors.proxies_of_assembly(assembly=meeting),
            "vote_form": forms.VoteForm(),
            "results": (
                selectors.assembly_results(assembly=meeting)
                if meeting.status == Assembly.Status.CLOSED
                else None
            ),
            "election_form": election_form,
            "documents": selectors.documents_of(assembly=meeting),
            "document_form": forms.DocumentForm(),
            "elections": [
                {"election": e, "candidacies": selectors.candidacies_of(election=e)}
                for e in selectors.elections_of(assembly=meeting)
            ],
            "election_results": (
                selectors.election_results(assembly=meeting)
                if meeting.status == Assembly.Status.CLOSED
                else None
            ),
            "refusal_form": forms.RefusalForm(),
        },
    )


@permission_required(Permission.MANAGE_ASSEMBLIES)
@require_POST
def staff_election_add(request: AuthenticatedRequest, public_id) -> HttpResponse:
    meeting = selectors.assembly_get_for_staff(user=request.user, public_id=public_id)
    form = forms.ElectionForm(request.POST, prefix="election")
    if not form.is_valid():
        messages.error(request, _("Give the election a title and its seats."))
    else:
        try:
            services.election_add(
                actor=request.user,
                assembly=meeting,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                seats=form.seats(),
            )
            messages.success(request, _("The election is on the agenda."))
        except ApplicationError as error:
            messages.error(request, error.message)
    return redirect("governance:staff_assembly", public_id=public_id)


@permission_required(Permission.MANAGE_ASSEMBLIES)
@require_POST
def staff_candidacy(request: AuthenticatedRequest, public_id, candidacy_id) -> HttpResponse:
    meeting = selectors.assembly_get_for_staff(user=request.user, public_id=public_id)
    candidacy = selectors.candidacy_get(assembly=meeting, public_id=candidacy_id)
    form = forms.RefusalForm(request.POST)
    form.is_valid()
    try:
        services.candidacy_decide(
            actor=request.user,
            candidacy=candidacy,
            confirm=request.POST.get("decision") == "confirm",
            reason=form.cleaned_data.get("reason", ""),
        )
        messages.success(request, _("The candidacy is decided; the candidate is told."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("governance:staff_assembly", public_id=public_id)


@permission_required(Permission.MANAGE_ASSEMBLIES)
@require_POST
def staff_convene(request: AuthenticatedRequest, public_id) -> HttpResponse:
    meeting = selectors.assembly_get_for_staff(user=request.user, public_id=public_id)
    try:
        count = services.assembly_convene(actor=request.user, assembly=meeting)
        messages.success(
            request, _("Convened: %(n)s voters; the convocations are being sent.") % {"n": count}
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("governance:staff_assembly", public_id=public_id)


@permission_required(Permission.MANAGE_ASSEMBLIES)
@require_POST
def staff_close(request: AuthenticatedRequest, public_id) -> HttpResponse:
    meeting = selectors.assembly_get_for_staff(user=request.user, public_id=public_id)
    try:
        services.assembly_close(actor=request.user, assembly=meeting)
        messages.success(request, _("The vote is closed and the results are published."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("governance:staff_assembly", public_id=public_id)


@permission_required(Permission.MANAGE_ASSEMBLIES)
def staff_voters(request: AuthenticatedRequest, public_id, fmt: str) -> HttpResponse:
    meeting = selectors.assembly_get_for_staff(user=request.user, public_id=public_id)
    if fmt == "csv":
        response = HttpResponse(documents.voters_csv(meeting), content_type="text/csv")
    elif fmt == "pdf":
        response = HttpResponse(documents.voters_pdf(meeting), content_type="application/pdf")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="voters-{meeting.public_id}.{fmt}"'
    return response


@permission_required(Permission.MANAGE_ASSEMBLIES)
@require_POST
def staff_attendance(request: AuthenticatedRequest, public_id, voter_id) -> HttpResponse:
    meeting = selectors.assembly_get_for_staff(user=request.user, public_id=public_id)
    voter = selectors.voter_get(assembly=meeting, public_id=voter_id)
    try:
        services.attendance_mark(
            actor=request.user, voter=voter, present=request.POST.get("present") == "1"
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("governance:staff_assembly", public_id=public_id)


@permission_required(Permission.MANAGE_ASSEMBLIES)
@require_POST
def staff_room_vote(request: AuthenticatedRequest, public_id, voter_id) -> HttpResponse:
    meeting = selectors.assembly_get_for_staff(user=request.user, public_id=public_id)
    voter = selectors.voter_get(assembly=meeting, public_id=voter_id)
    resolution = selectors.resolution_get(
        assembly=meeting, public_id=request.POST.get("resolution", "")
    )
    if resolution.kind == Resolution.Kind.ELECTION:
        messages.error(request, _("Election ballots are cast online, also in the room."))
        return redirect("governance:staff_assembly", public_id=public_id)
    form = forms.VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose for, against or abstain."))
        return redirect("governance:staff_assembly", public_id=public_id)
    try:
        services.vote_cast(
            actor=request.user,
            resolution=resolution,
            voter=voter,
            choice=form.cleaned_data["choice"],
            channel="room",
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("In-room vote recorded for %(name)s.") % {"name": voter.member.display_name},
        )
    return redirect("governance:staff_assembly", public_id=public_id)


@permission_required(Permission.MANAGE_ASSEMBLIES)
@require_POST
def staff_document_attach(request: AuthenticatedRequest, public_id) -> HttpResponse:
    meeting = selectors.assembly_get_for_staff(user=request.user, public_id=public_id)
    form = forms.DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the resolution, a title and a file."))
    else:
        resolution = selectors.resolution_get(
            assembly=meeting, public_id=form.cleaned_data["resolution"]
        )
        try:
            services.document_attach(
                actor=request.user,
                resolution=resolution,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
            )
            messages.success(request, _("The document is attached."))
        except ApplicationError as error:
            messages.error(request, error.message)
    return redirect("governance:staff_assembly", public_id=public_id)


@permission_required(Permission.MANAGE_ASSEMBLIES)
def staff_document(request: AuthenticatedRequest, public_id, document_id) -> HttpResponse:
    meeting = selectors.assembly_get_for_staff(user=request.user, public_id=public_id)
    return serve_upload(selectors.document_get(assembly=meeting, public_id=document_id).file)


@permission_required(Permission.MANAGE_ASSEMBLIES)
def staff_minutes(request: AuthenticatedRequest, public_id) -> HttpResponse:
    meeting = selectors.assembly_get_for_staff(user=request.user, public_id=public_id)
    if meeting.status != Assembly.Status.CLOSED:
        raise Http404
    return _minutes_response(meeting)


# --- Working groups and recommendations ---------------------------------------------------------


def _member(request: AuthenticatedRequest):
    member = member_selectors.member_of_user(user=request.user)
    if member is None:
        raise Http404
    return member


@login_required
def groups(request: AuthenticatedRequest) -> HttpResponse:
    _member(request)
    return render(request, "governance/groups.html", {"page": _groups_page(request)})


def _groups_page(request: AuthenticatedRequest):
    return Paginator(selectors.groups_list(), selectors.GROUPS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )


@login_required
def group(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = _member(request)
    found = selectors.group_get(public_id=public_id)
    form = forms.RecommendationForm(request.POST or None)
    inside = selectors.is_group_member(group=found, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.recommendation_publish(
                actor=request.user, group=found, member=member, **form.cleaned_data
            )
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("Your recommendation is published."))
            return redirect("governance:recommendation", public_id=created.public_id)
    return render(
        request,
        "governance/group.html",
        {
            "group": found,
            "members": selectors.group_members(group=found),
            "recommendations": selectors.recommendations_of(group=found),
            "inside": inside,
            "form": form,
        },
    )


@login_required
@require_POST
def group_join(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = _member(request)
    found = selectors.group_get(public_id=public_id)
    try:
        services.group_join(actor=request.user, group=found, member=member)
        messages.success(request, _("You joined the group."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("governance:group", public_id=public_id)


@login_required
def recommendation(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = _member(request)
    found = selectors.recommendation_get(public_id=public_id)
    form = forms.CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_comment(
                actor=request.user, recommendation=found, member=member, **form.cleaned_data
            )
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            return redirect("governance:recommendation", public_id=public_id)
    return render(
        request,
        "governance/recommendation.html",
        {
            "recommendation": found,
            "comments": selectors.comments_of(recommendation=found),
            "supported": selectors.supports(recommendation=found, member=member),
            "form": form,
        },
    )


@login_required
@require_POST
def recommendation_support(request: AuthenticatedRequest, public_id) -> HttpResponse:
    member = _member(request)
    found = selectors.recommendation_get(public_id=public_id)
    services.recommendation_support(
        actor=request.user,
        recommendation=found,
        member=member,
        support=request.POST.get("support") == "1",
    )
    return redirect("governance:recommendation", public_id=public_id)


@permission_required(Permission.MANAGE_ASSEMBLIES)
def staff_groups(request: AuthenticatedRequest) -> HttpResponse:
    entity = _governed_entity(request)
    form = forms.GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and entity is not None:
        try:
            created = services.group_create(actor=request.user, entity=entity, **form.cleaned_data)
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The working group is created."))
            return redirect("governance:staff_group", public_id=created.public_id)
    return render(
        request,
        "governance/staff_groups.html",
        {"page": _groups_page(request), "form": form},
    )


@permission_required(Permission.MANAGE_ASSEMBLIES)
def staff_group(request: AuthenticatedRequest, public_id) -> HttpResponse:
    found = selectors.group_get(public_id=public_id)
    form = forms.InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_invite(actor=request.user, group=found, **form.cleaned_data)
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The member is invited and told."))
            return redirect("governance:staff_group", public_id=public_id)
    recommendations = list(selectors.recommendations_of(group=found))
    for recommendation in recommendations:
        # one answer form each, with its own ids, so each label names its own field
        recommendation.answer_form = forms.AnswerForm(  # type: ignore[attr-defined]
            auto_id=f"id_answer_{recommendation.public_id.hex[:12]}_%s"
        )
    return render(
        request,
        "governance/staff_group.html",
        {
            "group": found,
            "members": selectors.group_members(group=found),
            "recommendations": recommendations,
            "form": form,
        },
    )


@permission_required(Permission.MANAGE_ASSEMBLIES)
@require_POST
def staff_answer(request: AuthenticatedRequest, public_id) -> HttpResponse:
    found = selectors.recommendation_get(public_id=public_id)
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accepted, rejected or in progress."))
    else:
        try:
            services.recommendation_answer(
                actor=request.user, recommendation=found, **form.cleaned_data
            )
            messages.success(request, _("The answer is published; the people concerned are told."))
        except ApplicationError as error:
            messages.error(request, error.message)
    return redirect("governance:staff_group", public_id=found.group.public_id)
