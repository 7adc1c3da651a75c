"""The governance API (/api/v1/governance/): assemblies, their resolutions, the member's own
voting status, results once the vote is closed, and casting a vote through the same service as
the page. Members see the assemblies they are on the voters' list of; staff with the governance
permission see every assembly. What a page would 404, the API 404s."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from members import selectors as member_selectors
from smartcoop.core.errors import Conflict
from smartcoop.core.http import user_of
from smartcoop.core.roles import Permission, has_permission

from .. import selectors, services
from ..models import Assembly, Voter
from . import serializers as s

ASSEMBLY_FIELDS = (
    "public_id",
    "title",
    "kind",
    "status",
    "starts_at",
    "place",
    "online_url",
    "record_date",
    "vote_opens_at",
    "vote_closes_at",
    "second_convocation",
)


def _staff(request) -> bool:
    return has_permission(request.user, Permission.MANAGE_ASSEMBLIES)


def _own_line(request, public_id) -> Voter:
    return selectors.voter_get_for_user(user=user_of(request), assembly_public_id=public_id)


def _assembly(request, public_id) -> tuple[Assembly, Voter | None]:
    if _staff(request):
        return selectors.assembly_get_for_staff(user=request.user, public_id=public_id), None
    line = _own_line(request, public_id)
    return line.assembly, line


def _resolutions(assembly: Assembly) -> list[dict]:
    documents = selectors.documents_of(assembly=assembly)
    elections = {e.resolution_id: e for e in selectors.elections_of(assembly=assembly)}
    rows = []
    for resolution in assembly.resolutions.order_by("position"):
        election = elections.get(resolution.pk)
        rows.append(
            {
                "public_id": resolution.public_id,
                "position": resolution.position,
                "kind": resolution.kind,
                "title": resolution.title,
                "text": resolution.text,
                "majority": resolution.majority,
                "secret": resolution.secret,
                "documents": documents.get(resolution.pk, []),
                "seats": election.seats if election else None,
                "candidates": (
                    selectors.candidacies_of(election=election, confirmed_only=True)
                    if election
                    else []
                ),
            }
        )
    return rows


class AssemblyListView(generics.ListAPIView):
    serializer_class = s.AssemblyOutput

    @extend_schema(summary="General assemblies I am convened to (staff: all)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if _staff(self.request):
            return selectors.assemblies_for_staff(user=user_of(self.request))
        member = member_selectors.member_of_user(user=user_of(self.request))
        if member is None:
            return Assembly.objects.none()
        return Assembly.objects.filter(
            pk__in=selectors.voter_lines_of_member(member=member).values("assembly_id")
        ).order_by("-starts_at")


class AssemblyDetailView(APIView):
    @extend_schema(
        responses=s.AssemblyDetailOutput,
        summary="One assembly: agenda, documents, candidates, my line and what I may vote",
    )
    def get(self, request, public_id):
        assembly, line = _assembly(request, public_id)
        given = selectors.proxy_given_by(voter=line) if line else None
        ballots = []
        if line is not None and assembly.status == Assembly.Status.CONVENED:
            held = [p.grantor for p in selectors.proxies_held_by(voter=line)]
            for voter in ([] if given else [line]) + held:
                voted = selectors.voted_resolution_ids(voter=voter)
                for resolution in assembly.resolutions.order_by("position"):
                    ballots.append(
                        {
                            "resolution": resolution.public_id,
                            "voter": voter.public_id,
                            "member": voter.member.display_name,
                            "proxy": voter.pk != line.pk,
                            "voted": resolution.pk in voted,
                        }
                    )
        data = {
            **{name: getattr(assembly, name) for name in ASSEMBLY_FIELDS},
            "resolutions": _resolutions(assembly),
            "election_method": assembly.statutes.election_method,
            "vote_changes_allowed": assembly.statutes.vote_changes_allowed,
            "my_line": line,
            "proxy_given_to": given.holder.member.display_name if given else None,
            "ballots": ballots,
        }
        return Response(s.AssemblyDetailOutput(data).data)


class ResultsView(APIView):
    @extend_schema(
        responses=s.ResultsOutput,
        summary="Results of a closed assembly: verdicts per resolution and college, elections",
    )
    def get(self, request, public_id):
        assembly, _line = _assembly(request, public_id)
        if assembly.status != Assembly.Status.CLOSED:
            raise Conflict(_("The results are published when the vote closes."), code="not_closed")

        def count(verdict) -> dict:
            c = verdict.count
            return {
                "college": verdict.college,
                "votes_for": c.votes_for,
                "against": c.against,
                "abstain": c.abstain,
                "represented": c.represented,
                "total": c.total,
                "quorum": verdict.quorum,
                "majority": verdict.majority,
            }

        data = {
            "assembly": assembly.public_id,
            "closed_at": assembly.closed_at,
            "resolutions": [
                {
                    "resolution": o.resolution.public_id,
                    "position": o.resolution.position,
                    "title": o.resolution.title,
                    "adopted": o.result.adopted,
                    "overall": count(o.result.overall),
                    "colleges": [count(v) for v in o.result.colleges],
                }
                for o in selectors.assembly_results(assembly=assembly)
            ],
            "elections": [
                {
                    "resolution": e.resolution.public_id,
                    "position": e.resolution.position,
                    "title": e.resolution.title,
                    "method": e.method,
                    "tie_rule": e.tie_rule,
                    "lot_seed": e.election.lot_seed,
                    "ballots": e.ballots,
                    "candidates": list(e.candidates.values()),
                    "counts": [
                        {
                            "category": c.category,
                            "seats": c.seats,
                            "elected": c.elected,
                            "votes": {str(n): str(v) for n, v in c.votes.items()},
                            "quota": str(c.quota) if c.quota is not None else None,
                        }
                        for c in e.counts
                    ],
                }
                for e in selectors.election_results(assembly=assembly)
            ],
        }
        return Response(s.ResultsOutput(data).data)


class VoteView(APIView):
    @extend_schema(
        request=s.VoteInput,
        responses={201: s.VoteOutput},
        summary="Cast (or change) my vote, or a proxy's, on one resolution",
    )
    def post(self, request, public_id, resolution_id):
        line, resolution = selectors.vote_target_get(
            user=user_of(request), assembly_public_id=public_id, resolution_public_id=resolution_id
        )
        data = s.VoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        voter = line
        if values.get("voter"):
            voter = selectors.voter_get_by_id(
                assembly_id=line.assembly_id, public_id=values["voter"]
            )
        result = services.vote_cast(
            actor=request.user,
            resolution=resolution,
            voter=voter,
            choice=values.get("choice", ""),
            marks=values.get("marks"),
            change_code=values.get("change_code", ""),
        )
        return Response(
            s.VoteOutput({"changed": result.changed, "code": result.code}).data, status=201
        )
