"""Forms of the governance pages; the services check everything again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Assembly, Choice, Recommendation, Resolution, Statutes, WorkingGroup


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class DateInput(forms.DateInput):
    input_type = "date"


class StatutesForm(forms.ModelForm):
    class Meta:
        model = Statutes
        fields = [
            "valid_from",
            "weighting",
            "colleges_by_category",
            "min_holding_days",
            "notice_days",
            "quorum_percent",
            "college_quorum_percent",
            "abstentions_count",
            "second_convocation_without_quorum",
            "proxy_max",
            "vote_changes_allowed",
            "secret_ballot",
            "election_method",
            "election_tie_rule",
        ]
        widgets = {"valid_from": DateInput}


class AssemblyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Assembly.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    online_url = forms.URLField(label=_("Livestream link"), required=False)
    record_date = forms.DateField(label=_("Record date"), widget=DateInput)
    vote_opens_at = forms.DateTimeField(label=_("Online vote opens at"), widget=DateTimeInput)
    vote_closes_at = forms.DateTimeField(label=_("Vote closes at"), widget=DateTimeInput)
    second_convocation = forms.BooleanField(label=_("Second convocation"), required=False)


class ResolutionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    majority = forms.ChoiceField(label=_("Majority"), choices=Resolution.Majority.choices)


class ProxyForm(forms.Form):
    holder = forms.IntegerField(label=_("Member number of the proxy holder"), min_value=1)


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your vote"), choices=Choice.choices, widget=forms.RadioSelect
    )
    change_code = forms.CharField(
        label=_("Code received when voting (to change a secret vote)"),
        required=False,
        max_length=40,
    )


class ElectionForm(forms.Form):
    """A board election on the agenda: a title and the seats of each share category."""

    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        from smartcoop.countries import current_pack

        super().__init__(*args, **kwargs)
        for category in current_pack().share_categories:
            self.fields[f"seats_{category.code}"] = forms.IntegerField(
                label=_("Seats for %(category)s") % {"category": category.label},
                min_value=0,
                max_value=50,
                initial=0,
            )

    def seats(self) -> dict[str, int]:
        return {
            name.removeprefix("seats_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("seats_")
        }


class CandidacyForm(forms.Form):
    statement = forms.CharField(
        label=_("Your statement"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        help_text=_("Who you are and what you would do on the board; the members read it."),
    )


class RefusalForm(forms.Form):
    reason = forms.CharField(label=_("Reason of the refusal"), max_length=300, required=False)


def election_marks(data, numbers: list[int], method: str) -> list[int]:
    """The candidate numbers of an election ballot from the posted form: the ticked ones
    (approval) or the ranks typed next to the names, in order (STV). Raises ValueError with a
    message for the voter."""
    if method == Statutes.ElectionMethod.APPROVAL:
        try:
            return sorted({int(n) for n in data.getlist("approve")})
        except ValueError:
            raise ValueError(_("Tick the candidates you approve.")) from None
    ranks: dict[int, int] = {}
    for number in numbers:
        raw = (data.get(f"rank-{number}") or "").strip()
        if not raw:
            continue
        if not raw.isdigit() or int(raw) < 1:
            raise ValueError(_("A rank is a whole number from 1."))
        if int(raw) in ranks:
            raise ValueError(_("Give each rank once: 1 to your first choice, 2 to the next…"))
        ranks[int(raw)] = number
    return [ranks[r] for r in sorted(ranks)]


class GroupForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    mandate = forms.CharField(
        label=_("Mandate"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    access = forms.ChoiceField(label=_("Who may join"), choices=WorkingGroup.Access.choices)


class InviteForm(forms.Form):
    member_number = forms.IntegerField(label=_("Member number"), min_value=1)


class RecommendationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 5}))


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("The board's answer"),
        choices=[
            (Recommendation.Status.ACCEPTED, Recommendation.Status.ACCEPTED.label),
            (Recommendation.Status.IN_PROGRESS, Recommendation.Status.IN_PROGRESS.label),
            (Recommendation.Status.REJECTED, Recommendation.Status.REJECTED.label),
        ],
    )
    answer = forms.CharField(
        label=_("Explanation (required for a rejection)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class DocumentForm(forms.Form):
    resolution = forms.UUIDField(label=_("Resolution"))
    title = forms.CharField(label=_("Title of the document"), max_length=200)
    file = forms.FileField(label=_("File (PDF, PNG or JPEG)"))
