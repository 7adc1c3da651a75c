"""Forms parse input; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from smartcoop.core.models import LegalEntity
from smartcoop.core.money import MoneyDigits
from smartcoop.core.sectors import Sector
from smartcoop.countries import current_pack

from .models import (
    EmploymentContract,
    ExpenseLine,
    PostingDocument,
    SolidarityRequest,
    WorkInterruption,
)

DATE = forms.DateInput(attrs={"type": "date"})
MONEY_KW: MoneyDigits = {"max_digits": 14, "decimal_places": 2}


def contract_type_choices() -> list[tuple[str, str]]:
    return [(t.code, str(t.label)) for t in current_pack().contract_types]


class ActivityForm(forms.Form):
    entity = forms.ModelChoiceField(
        label=_("Entity"),
        queryset=LegalEntity.objects.filter(is_employer=True, is_active=True),
        help_text=_("The cooperative's entity that will invoice and employ for this Activity."),
        empty_label=None,
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    description = forms.CharField(
        label=_("What you do"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class SalaryRequestForm(forms.Form):
    contract_type = forms.ChoiceField(label=_("Contract type"), choices=contract_type_choices)
    start_date = forms.DateField(label=_("First day"), widget=DATE)
    end_date = forms.DateField(label=_("Last day"), widget=DATE)
    hours = forms.DecimalField(
        label=_("Hours"), max_digits=7, decimal_places=2, min_value=Decimal("0.5")
    )
    gross_wage = forms.DecimalField(label=_("Gross wage"), min_value=Decimal("0.01"), **MONEY_KW)
    function = forms.CharField(label=_("Function"), max_length=200)
    workplace_country = forms.CharField(
        label=_("Country of work"),
        max_length=2,
        required=False,
        help_text=_("Two letters, e.g. BE or FR. Work abroad needs posting documents."),
    )
    workplace_address = forms.CharField(label=_("Place of work"), max_length=300, required=False)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_workplace_country(self) -> str:
        return (self.cleaned_data.get("workplace_country") or "").strip().upper()


class ReserveForm(forms.Form):
    reserve_amount = forms.DecimalField(label=_("Keep aside"), min_value=Decimal("0"), **MONEY_KW)


class TeamMemberForm(forms.Form):
    member_number = forms.IntegerField(label=_("Member number"))
    can_invoice = forms.BooleanField(label=_("May invoice"), required=False, initial=True)
    can_request_salary = forms.BooleanField(
        label=_("May request salaries"), required=False, initial=True
    )
    can_spend = forms.BooleanField(label=_("May spend (expenses, loans)"), required=False)


class ExpenseClaimForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)


class ExpenseLineForm(forms.Form):
    spent_on = forms.DateField(label=_("Date"), widget=DATE)
    category = forms.ChoiceField(label=_("Category"), choices=ExpenseLine.Category.choices)
    description = forms.CharField(label=_("Description"), max_length=200)
    amount_incl_vat = forms.DecimalField(
        label=_("Amount incl. VAT"), required=False, min_value=Decimal("0.01"), **MONEY_KW
    )
    vat_amount = forms.DecimalField(
        label=_("Of which VAT"), required=False, min_value=Decimal("0"), **MONEY_KW
    )
    km = forms.DecimalField(
        label=_("Kilometres"),
        required=False,
        max_digits=8,
        decimal_places=1,
        help_text=_("For a kilometre allowance: the amount follows from the official rate."),
    )
    receipt = forms.FileField(
        label=_("Receipt"),
        required=False,
        help_text=_("PDF, PNG or JPEG, 10 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


class LoanForm(forms.Form):
    purpose = forms.CharField(
        label=_("What the loan is for"), widget=forms.Textarea(attrs={"rows": 3})
    )
    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("1"), **MONEY_KW)
    months = forms.IntegerField(label=_("Repay over (months)"), min_value=1, max_value=60)


class SolidarityForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=SolidarityRequest.Reason.choices)
    explanation = forms.CharField(
        label=_("Your situation"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only you and the solidarity committee read this."),
    )
    amount_requested = forms.DecimalField(
        label=_("Amount you need"), min_value=Decimal("1"), **MONEY_KW
    )


class SimulatorForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Invoice amount excl. VAT"),
        min_value=Decimal("0.01"),
        max_value=Decimal("10000000"),
        initial=Decimal("1000"),
        **MONEY_KW,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class AdjustForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), help_text=_("Positive to credit, negative to debit."), **MONEY_KW
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class PostingForm(forms.Form):
    statuses = [c for c in EmploymentContract.PostingStatus.choices if c[0] != "not_needed"]
    a1_status = forms.ChoiceField(label=_("A1 certificate"), choices=statuses)
    a1_reference = forms.CharField(label=_("A1 reference"), max_length=100, required=False)
    host_declaration_status = forms.ChoiceField(
        label=_("Host-country declaration"), choices=statuses
    )
    host_declaration_reference = forms.CharField(
        label=_("Declaration reference (e.g. SIPSI)"), max_length=100, required=False
    )
    host_representative = forms.CharField(
        label=_("Representative in the host country"), max_length=200, required=False
    )

    def __init__(self, *args, by_member: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if by_member:
            # A member gives the data and says a request is made; staff confirm "in place".
            allowed = [c for c in self.statuses if c[0] in ("missing", "requested")]
            for name in ("a1_status", "host_declaration_status"):
                field = cast(forms.ChoiceField, self.fields[name])
                field.choices = allowed
                field.help_text = _("Your adviser confirms when it is in place.")
                if self.initial.get(name) == EmploymentContract.PostingStatus.IN_PLACE:
                    # confirmed by staff: shown, kept as it is when the member saves
                    field.choices = [c for c in self.statuses if c[0] == "in_place"]
                    field.disabled = True
                    field.help_text = _("Confirmed by your adviser.")


class PostingDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=PostingDocument.Kind.choices)
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG or JPEG, 10 MB at most."))


class InterruptionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkInterruption.Kind.choices)
    start_date = forms.DateField(label=_("From"), widget=DATE)
    end_date = forms.DateField(label=_("To"), widget=DATE)
    hours = forms.DecimalField(
        label=_("Hours"), max_digits=7, decimal_places=2, required=False, min_value=Decimal("0")
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ContractDatesForm(forms.Form):
    """Staff move a validated contract's dates (the declarations follow)."""

    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    end_date = forms.DateField(label=_("End date"), widget=DATE)
    hours = forms.DecimalField(
        label=_("Hours"), max_digits=7, decimal_places=2, min_value=Decimal("0.01")
    )
    reason = forms.CharField(label=_("Why the dates change"), max_length=300)


class JointCommitteeForm(forms.Form):
    """Staff record the joint committee of a draft contract (Belgium); the service checks it."""

    joint_committee = forms.CharField(
        label=_("Joint committee"),
        max_length=20,
        help_text=_(
            "3 digits, with the sub-committee after a dot if there is one: 200, 304, 302.01."
        ),
    )


class SolidarityDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("refuse", _("Refuse"))]
    )
    amount_granted = forms.DecimalField(
        label=_("Amount granted"), required=False, min_value=Decimal("0.01"), **MONEY_KW
    )
    note = forms.CharField(
        label=_("Committee note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class EarlyRepaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to repay now"), min_value=Decimal("0.01"), **MONEY_KW
    )


class TransferForm(forms.Form):
    to_activity = forms.ChoiceField(label=_("To the Activity"))
    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0.01"), **MONEY_KW)
    reason = forms.CharField(label=_("Why"), max_length=300)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to_activity"]).choices = [
            (str(a.public_id), a.name) for a in targets
        ]
