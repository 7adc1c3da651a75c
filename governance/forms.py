"""Forms of the governance pages; the services check everything again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Assembly, Choice, Resolution, Statutes


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
