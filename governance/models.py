"""General assemblies of the cooperative: the statutes (dated data per entity), assemblies and
their resolutions, the voters' list frozen at the record date, proxies, and the ballot box.

The ballot box keeps two tables that share nothing but the resolution: `VoteRecord` says *who*
has voted (never what, for a secret vote) and `Ballot` says *what* was voted (never by whom). A
ballot's primary key is its random receipt code and it carries no timestamp, so neither ids nor
creation times can link the two tables. Closed votes are frozen by database triggers
(migration 0002)."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Member
from smartcoop.core.models import BaseModel, LegalEntity
from smartcoop.core.steps import StatusSteps


class Statutes(BaseModel):
    """The voting rules of an entity's statutes, in force from `valid_from` (dated data: a new
    version is a new row; an assembly keeps the version in force when it was convened)."""

    class Weighting(models.TextChoices):
        PERSON = "person", _("One person, one vote")
        SHARES = "shares", _("Votes weighted by shares")

    class ElectionMethod(models.TextChoices):
        APPROVAL = "approval", _("Approval voting")
        STV = "stv", _("Ranked: single transferable vote")

    class TieRule(models.TextChoices):
        SENIORITY = "seniority", _("Seniority in the register")
        LOT = "lot", _("Lot with a published seed")

    entity = models.ForeignKey(LegalEntity, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("in force from"))
    weighting = models.CharField(
        _("voting weights"), max_length=10, choices=Weighting.choices, default=Weighting.PERSON
    )
    # Votes per share of each category when weighted by shares, e.g. {"A": 1, "B": 1, "C": 1}.
    category_weights = models.JSONField(_("votes per share by category"), default=dict, blank=True)
    colleges_by_category = models.BooleanField(_("one college per share category"), default=False)
    min_holding_days = models.PositiveIntegerField(_("minimum holding period (days)"), default=0)
    notice_days = models.PositiveIntegerField(_("notice period (days)"), default=15)
    quorum_percent = models.DecimalField(
        _("quorum (% of votes)"), max_digits=5, decimal_places=2, default=0
    )
    college_quorum_percent = models.DecimalField(
        _("quorum per college (% of votes)"), max_digits=5, decimal_places=2, default=0
    )
    abstentions_count = models.BooleanField(
        _("abstentions count as votes cast"),
        default=False,
        help_text=_("When on, an abstention weighs like a vote against."),
    )
    second_convocation_without_quorum = models.BooleanField(
        _("a second convocation decides without quorum"), default=True
    )
    proxy_max = models.PositiveSmallIntegerField(_("proxies per holder at most"), default=1)
    vote_changes_allowed = models.BooleanField(_("votes may be changed until close"), default=True)
    secret_ballot = models.BooleanField(_("secret ballot"), default=True)
    election_method = models.CharField(
        _("board elections: method"),
        max_length=10,
        choices=ElectionMethod.choices,
        default=ElectionMethod.APPROVAL,
    )
    election_tie_rule = models.CharField(
        _("board elections: ties"),
        max_length=10,
        choices=TieRule.choices,
        default=TieRule.SENIORITY,
    )

    class Meta:
        ordering = ["entity", "-valid_from"]
        verbose_name = _("statutes")
        verbose_name_plural = _("statutes")
        constraints = [
            models.UniqueConstraint(fields=["entity", "valid_from"], name="statutes_one_per_day"),
            models.CheckConstraint(
                condition=models.Q(quorum_percent__gte=0, quorum_percent__lte=100)
                & models.Q(college_quorum_percent__gte=0, college_quorum_percent__lte=100),
                name="statutes_quorum_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.valid_from}"

    def weight_of_category(self, category: str) -> int:
        return int(self.category_weights.get(category, 1))


class Assembly(StatusSteps, BaseModel):
    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary general assembly")
        EXTRAORDINARY = "extraordinary", _("Extraordinary general assembly")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONVENED = "convened", _("Convened")
        CLOSED = "closed", _("Closed")

    # What staff may do from each status (services refuse, pages offer the same: core/steps.py).
    STEPS = {
        "add_resolution": (Status.DRAFT,),
        "add_election": (Status.DRAFT,),
        "convene": (Status.DRAFT,),
        "attach_document": (Status.DRAFT, Status.CONVENED),
        "mark_attendance": (Status.CONVENED,),
        "close": (Status.CONVENED,),
    }

    entity = models.ForeignKey(LegalEntity, on_delete=models.PROTECT, related_name="+")
    statutes = models.ForeignKey(Statutes, on_delete=models.PROTECT, related_name="assemblies")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=300, blank=True, default="")
    online_url = models.URLField(_("livestream link"), blank=True, default="")
    record_date = models.DateField(_("record date"))
    vote_opens_at = models.DateTimeField(_("online vote opens at"))
    vote_closes_at = models.DateTimeField(_("vote closes at"))
    second_convocation = models.BooleanField(_("second convocation"), default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    convened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    minutes_pdf = models.FileField(upload_to="governance/minutes/", blank=True)
    minutes_sha256 = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("general assembly")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(vote_opens_at__lt=models.F("vote_closes_at")),
                name="assembly_vote_window",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def before_vote(self, now: datetime) -> bool:
        """Convened and the online vote not open yet: the time of candidacies and proxies (the
        one rule of their services and of the pages that offer them)."""
        return self.status == self.Status.CONVENED and now < self.vote_opens_at


class Resolution(BaseModel):
    """An item of the agenda put to the vote: a motion (for, against, abstain) or a board
    election (its `election`: seats and candidacies; always a secret ballot)."""

    class Kind(models.TextChoices):
        MOTION = "motion", _("Resolution")
        ELECTION = "election", _("Board election")

    class Majority(models.TextChoices):
        SIMPLE = "simple", _("Simple majority")
        TWO_THIRDS = "two_thirds", _("Two thirds")
        THREE_QUARTERS = "three_quarters", _("Three quarters")

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="resolutions")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True, default="")
    majority = models.CharField(
        _("majority"), max_length=20, choices=Majority.choices, default=Majority.SIMPLE
    )
    secret = models.BooleanField(_("secret ballot"), default=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MOTION)

    class Meta:
        ordering = ["assembly", "position"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "position"], name="resolution_position"),
            models.CheckConstraint(
                condition=~models.Q(kind="election") | models.Q(secret=True),
                name="resolution_election_secret",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class ResolutionDocument(BaseModel):
    """A document of a resolution (accounts, draft statutes…) uploaded by staff, checked by its
    content (PDF, PNG or JPEG); the voters download it from the assembly's page."""

    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="governance/documents/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["resolution", "created_at"]

    def __str__(self) -> str:
        return self.title


class Voter(BaseModel):
    """A line of the voters' list: frozen when the assembly is convened, from the register of
    members at the record date (later share movements change nothing)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="voters")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    college = models.CharField(_("college"), max_length=5, blank=True, default="")
    shares = models.PositiveIntegerField(_("shares"))
    weight = models.PositiveIntegerField(_("votes"))
    convocation_sent_at = models.DateTimeField(null=True, blank=True)
    # Set (under the row lock) when the "vote closes soon" reminder is sent: never twice.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(_("present in the room"), null=True, blank=True)

    class Meta:
        ordering = ["assembly", "member__member_number"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "member"], name="voter_once_per_assembly"),
            models.CheckConstraint(condition=models.Q(weight__gte=1), name="voter_weight"),
        ]


class Proxy(BaseModel):
    """A proxy signed online by `grantor` for `holder`, for one assembly."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="proxies")
    grantor = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="proxies_given")
    holder = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="proxies_held")
    signed_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["grantor"],
                condition=models.Q(revoked_at__isnull=True),
                name="proxy_one_live_per_grantor",
            ),
            models.CheckConstraint(
                condition=~models.Q(grantor=models.F("holder")), name="proxy_not_to_self"
            ),
        ]


class Choice(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class VoteRecord(models.Model):
    """That `voter` has voted on `resolution` (the "has voted" table). For a secret vote it holds
    no choice; for an open vote the choice is named here and no Ballot is written. No timestamps:
    nothing to line up with the ballot box."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        ROOM = "room", _("In the room")

    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="+")
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="vote_records")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    open_choice = models.CharField(max_length=10, choices=Choice.choices, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resolution", "voter"], name="one_vote_per_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} voted on {self.resolution_id}"


class Ballot(models.Model):
    """A secret ballot: the choice, its weight and college, and a random receipt code as primary
    key. Nothing names the voter; no id sequence, no timestamp."""

    receipt = models.CharField(primary_key=True, max_length=16)
    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="+")
    college = models.CharField(max_length=5, blank=True, default="")
    weight = models.PositiveIntegerField()
    # A motion's choice; empty on an election ballot, whose `marks` are candidate numbers: the
    # approved ones (approval voting) or the preferences in order (single transferable vote).
    choice = models.CharField(max_length=10, choices=Choice.choices, blank=True)
    marks = models.JSONField(default=list, blank=True)
    # SHA-256 of the private half of the voter's code: who knows it may change the ballot.
    change_key_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["resolution", "receipt"]

    def __str__(self) -> str:
        return self.receipt


class Election(models.Model):
    """The board election put to the vote as `resolution`: seats per share category; the
    method and the ties rule are the statutes' (dated data). `lot_seed` is drawn when the vote
    closes, if the statutes break ties by lot, and published with the results."""

    resolution = models.OneToOneField(
        Resolution, on_delete=models.PROTECT, primary_key=True, related_name="election"
    )
    seats = models.JSONField(_("seats per share category"), default=dict)
    lot_seed = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return str(self.resolution)

    @property
    def seat_count(self) -> int:
        return sum(int(n) for n in self.seats.values())


class Candidacy(StatusSteps, BaseModel):
    """A member standing for a seat of their share category, with a statement; staff confirm
    eligibility (then it gets its number on the ballot) or refuse it with a reason. The member
    may withdraw until the vote opens (final for that election: the number is not reused)."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    STEPS = {
        "decide": (Status.APPLIED,),
        "withdraw": (Status.APPLIED, Status.CONFIRMED),
    }

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="candidacies")
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="candidacies")
    category = models.CharField(_("share category"), max_length=5)
    statement = models.TextField(_("statement"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    refusal_reason = models.CharField(_("reason"), max_length=300, blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["election", "number", "created_at"]
        verbose_name_plural = _("candidacies")
        constraints = [
            models.UniqueConstraint(fields=["election", "voter"], name="candidacy_once"),
            models.UniqueConstraint(fields=["election", "number"], name="candidacy_number"),
            models.CheckConstraint(
                condition=models.Q(status="confirmed", number__isnull=False)
                | (~models.Q(status="confirmed") & models.Q(number__isnull=True)),
                name="candidacy_number_when_confirmed",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="candidacy_refusal_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or '-'} {self.voter_id}"


# --- Participation: working groups and their recommendations ------------------------------------


class WorkingGroup(BaseModel):
    """A working group of members: open (any member joins) or on invitation by staff. Its
    members publish recommendations that every member reads, supports and comments on."""

    class Access(models.TextChoices):
        OPEN = "open", _("Open to every member")
        INVITED = "invited", _("On invitation")

    entity = models.ForeignKey(LegalEntity, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    mandate = models.TextField(_("mandate"), blank=True, default="")
    access = models.CharField(_("access"), max_length=10, choices=Access.choices)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class GroupMembership(BaseModel):
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    invited = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="group_membership_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.group_id}"


class Recommendation(BaseModel):
    """Published by a member of the group; the board answers with a status everyone sees."""

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting the board's answer")
        IN_PROGRESS = "in_progress", _("In progress")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    group = models.ForeignKey(
        WorkingGroup, on_delete=models.PROTECT, related_name="recommendations"
    )
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.AWAITING)
    answer = models.TextField(_("the board's answer"), blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(answer=""),
                name="recommendation_rejection_reason",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Support(models.Model):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="supports"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "member"], name="support_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} supports {self.recommendation_id}"


class Comment(BaseModel):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="comments"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.member_id} on {self.recommendation_id}"
