"""Input and output serializers of the governance API, one pair per operation."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Choice


class AssemblyOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    starts_at = serializers.DateTimeField()
    place = serializers.CharField()
    online_url = serializers.CharField()
    record_date = serializers.DateField()
    vote_opens_at = serializers.DateTimeField()
    vote_closes_at = serializers.DateTimeField()
    second_convocation = serializers.BooleanField()


class DocumentOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class CandidateOutput(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField(source="voter.member.display_name")
    category = serializers.CharField()
    statement = serializers.CharField()


class ResolutionOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    position = serializers.IntegerField()
    kind = serializers.CharField(help_text="motion (for/against/abstain) or election")
    title = serializers.CharField()
    text = serializers.CharField()
    majority = serializers.CharField()
    secret = serializers.BooleanField()
    documents = DocumentOutput(many=True)
    seats = serializers.DictField(child=serializers.IntegerField(), allow_null=True)
    candidates = CandidateOutput(many=True)


class BallotStatusOutput(serializers.Serializer):
    resolution = serializers.UUIDField()
    voter = serializers.UUIDField(help_text="the line voted for: your own or a proxy's")
    member = serializers.CharField()
    proxy = serializers.BooleanField()
    voted = serializers.BooleanField()


class VoterLineOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    shares = serializers.IntegerField()
    votes = serializers.IntegerField(source="weight")
    college = serializers.CharField()


class AssemblyDetailOutput(AssemblyOutput):
    resolutions = ResolutionOutput(many=True)
    election_method = serializers.CharField()
    vote_changes_allowed = serializers.BooleanField()
    my_line = VoterLineOutput(allow_null=True)
    proxy_given_to = serializers.CharField(allow_null=True)
    ballots = BallotStatusOutput(many=True, help_text="what you may vote, and whether it is done")


class CountOutput(serializers.Serializer):
    college = serializers.CharField()
    votes_for = serializers.IntegerField()
    against = serializers.IntegerField()
    abstain = serializers.IntegerField()
    represented = serializers.IntegerField()
    total = serializers.IntegerField()
    quorum = serializers.BooleanField()
    majority = serializers.BooleanField()


class MotionResultOutput(serializers.Serializer):
    resolution = serializers.UUIDField()
    position = serializers.IntegerField()
    title = serializers.CharField()
    adopted = serializers.BooleanField()
    overall = CountOutput()
    colleges = CountOutput(many=True)


class SeatCountOutput(serializers.Serializer):
    category = serializers.CharField()
    seats = serializers.IntegerField()
    elected = serializers.ListField(child=serializers.IntegerField())
    votes = serializers.DictField(
        child=serializers.CharField(), help_text="candidate number → votes (a fraction for STV)"
    )
    quota = serializers.CharField(allow_null=True)


class ElectionResultOutput(serializers.Serializer):
    resolution = serializers.UUIDField()
    position = serializers.IntegerField()
    title = serializers.CharField()
    method = serializers.CharField()
    tie_rule = serializers.CharField()
    lot_seed = serializers.CharField()
    ballots = serializers.IntegerField()
    candidates = CandidateOutput(many=True)
    counts = SeatCountOutput(many=True)


class ResultsOutput(serializers.Serializer):
    assembly = serializers.UUIDField()
    closed_at = serializers.DateTimeField()
    resolutions = MotionResultOutput(many=True)
    elections = ElectionResultOutput(many=True)


class VoteInput(serializers.Serializer):
    voter = serializers.UUIDField(
        required=False, help_text="the line to vote for (a proxy's); your own by default"
    )
    choice = serializers.ChoiceField(choices=Choice.choices, required=False)
    marks = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=32767),
        required=False,
        max_length=200,
        help_text="an election: candidate numbers approved, or in order of preference (STV)",
    )
    change_code = serializers.CharField(required=False, max_length=40, allow_blank=True)


class VoteOutput(serializers.Serializer):
    changed = serializers.BooleanField()
    code = serializers.CharField(
        help_text="a secret vote's RECEIPT-KEY, returned only here: keep it to check or change"
    )
