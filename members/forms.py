"""Forms parse input only; the rules live in services (their errors come back onto the form)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from smartcoop.core.models import Office, User
from smartcoop.core.sectors import Sector
from smartcoop.countries import IdentifierKind, current_pack

from .models import InfoSession, Member


class DateInput(forms.DateInput):
    """A browser date picker: its value must be ISO (YYYY-MM-DD), whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format=format)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "strftime"):
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


def _identifier_help(kind: IdentifierKind) -> str:
    identifier = current_pack().identifier(kind)
    if identifier is None:
        return ""
    return _("For example %(example)s") % {"example": identifier.example}


def _identifier_label(kind: IdentifierKind, default) -> str:
    identifier = current_pack().identifier(kind)
    if identifier is None:
        return default
    label = str(identifier.label)
    return label[:1].upper() + label[1:]


class IdentityForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I join as"), choices=Member.Kind.choices, widget=forms.RadioSelect
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput)
    national_number = forms.CharField(label=_("National number"), max_length=30, required=False)
    legal_name = forms.CharField(label=_("Legal name"), max_length=200, required=False)
    enterprise_number = forms.CharField(label=_("Enterprise number"), max_length=20, required=False)
    nationality = forms.CharField(
        label=_("Nationality (country code)"),
        max_length=2,
        required=False,
        help_text=_("Two letters, e.g. BE, FR, NL"),
    )
    street = forms.CharField(label=_("Street and number"), max_length=200)
    postcode = forms.CharField(label=_("Postcode"), max_length=12)
    city = forms.CharField(label=_("City"), max_length=120)
    country = forms.CharField(label=_("Country (code)"), max_length=2)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        nn = self.fields["national_number"]
        nn.label = _identifier_label(IdentifierKind.NATIONAL_NUMBER, nn.label)
        nn.help_text = _identifier_help(IdentifierKind.NATIONAL_NUMBER)
        en = self.fields["enterprise_number"]
        en.label = _identifier_label(IdentifierKind.ENTERPRISE_NUMBER, en.label)
        en.help_text = _identifier_help(IdentifierKind.ENTERPRISE_NUMBER)
        for name in ("first_name", "last_name"):
            self.fields[name].widget.attrs["autocomplete"] = {
                "first_name": "given-name",
                "last_name": "family-name",
            }[name]
        self.fields["street"].widget.attrs["autocomplete"] = "street-address"
        self.fields["postcode"].widget.attrs.update(
            {"autocomplete": "postal-code", "inputmode": "numeric"}
        )
        self.fields["phone"].widget.input_type = "tel"
        self.fields["national_number"].widget.attrs["inputmode"] = "numeric"


class BankForm(forms.Form):
    iban = forms.CharField(
        label=_("IBAN"), max_length=42, help_text=_("The account your wages will be paid to.")
    )
    bic = forms.CharField(
        label=_("BIC"),
        max_length=11,
        required=False,
        help_text=_("Optional: found from the IBAN for most banks."),
    )


class ProfileForm(forms.Form):
    language = forms.ChoiceField(label=_("Preferred language"))
    profession = forms.CharField(label=_("Profession"), max_length=150)
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "—"), *Sector.choices])
    heard_from = forms.ChoiceField(
        label=_("How did you hear of the cooperative?"),
        choices=[("", "—"), *Member.HeardFrom.choices],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            (code, names.get(code, code)) for code in current_pack().languages
        ]


class ConsentForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read the privacy notice and agree to it."), required=False
    )


class SubscribeForm(forms.Form):
    shares = forms.IntegerField(label=_("Number of shares"), min_value=1, initial=1)
    category = forms.ChoiceField(label=_("Category"))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            (c.code, c.label) for c in categories
        ]
        if len(categories) == 1:
            self.fields["category"].widget = forms.HiddenInput()
            self.fields["category"].initial = categories[0].code


class ConfirmPaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Received on"), widget=DateInput)


class AdviserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.office})"


class AssignForm(forms.Form):
    office: forms.ModelChoiceField[Office] = forms.ModelChoiceField(
        label=_("Office"), queryset=None
    )
    adviser = AdviserChoiceField(label=_("Adviser"), queryset=None, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, offices, advisers, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["office"]).queryset = offices
        cast(forms.ModelChoiceField, self.fields["adviser"]).queryset = advisers


class LeaveForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Reason for leaving"),
        choices=[
            (Member.Status.RESIGNED, _("Resignation")),
            (Member.Status.EXCLUDED, _("Exclusion")),
        ],
    )
    on = forms.DateField(label=_("Date"), widget=DateInput)
    reason = forms.CharField(label=_("Explanation"), widget=forms.Textarea, required=False)


class TransferForm(forms.Form):
    """A share transfer from the member whose page it is. The receiving member is typed (member
    number or name) and looked up among the members the user may see by the view."""

    to_member = forms.CharField(
        label=_("Receiving member"),
        max_length=100,
        help_text=_("Member number or name"),
    )
    category = forms.ChoiceField(label=_("Category"))
    shares = forms.IntegerField(label=_("Number of shares"), min_value=1, initial=1)
    on = forms.DateField(label=_("Date"), widget=DateInput)
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("For example the board decision approving the transfer"),
    )

    def __init__(self, *args, holdings=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            (
                h.category,
                _("%(category)s (%(count)d held)") % {"category": h.category, "count": h.shares},
            )
            for h in holdings
        ]
        self.fields["to_member"].widget.attrs.update(
            {"autocomplete": "off", "placeholder": _("e.g. 12 or Dupont")}
        )


class InfoSessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), initial=90, min_value=15)
    language = forms.ChoiceField(label=_("Language"))
    mode = forms.ChoiceField(label=_("Where"), choices=InfoSession.Mode.choices)
    office: forms.ModelChoiceField[Office] = forms.ModelChoiceField(
        label=_("Office"), queryset=None, required=False
    )
    online_url = forms.URLField(label=_("Online link"), required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, initial=20)

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            (c, names.get(c, c)) for c in current_pack().languages
        ]
        cast(forms.ModelChoiceField, self.fields["office"]).queryset = offices


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), initial=45, min_value=15)
    location = forms.CharField(
        label=_("Where"), max_length=200, required=False, help_text=_("Office room or video link")
    )


class NotesForm(forms.Form):
    staff_notes = forms.CharField(
        label=_("Notes (staff only)"), widget=forms.Textarea, required=False
    )


class BookAppointmentForm(forms.Form):
    topic = forms.CharField(label=_("What would you like to talk about?"), max_length=200)


class RegisterForm(forms.Form):
    on = forms.DateField(label=_("Register on"), widget=DateInput)
