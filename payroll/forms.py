from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TaxProfile

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TaxProfileForm(forms.Form):
    valid_from = forms.DateField(label=_("Applies from"), widget=DATE)
    marital_status = forms.ChoiceField(
        label=_("Marital status"),
        choices=TaxProfile.MaritalStatus.choices,
        widget=forms.RadioSelect,
    )
    partner_has_income = forms.BooleanField(
        label=_("My partner has a professional income"),
        required=False,
        help_text=_("Wages, benefits or a pension of their own; leave unticked if single."),
    )
    dependent_children = forms.IntegerField(
        label=_("Dependent children"), min_value=0, max_value=20, initial=0
    )
    disabled_children = forms.IntegerField(
        label=_("Of whom with a disability"), min_value=0, max_value=20, initial=0
    )
    other_dependants = forms.IntegerField(
        label=_("Other dependants"),
        min_value=0,
        max_value=20,
        initial=0,
        help_text=_("Parents, grandparents or other people living with you whom you support."),
    )
    disabled = forms.BooleanField(label=_("I have a recognised disability"), required=False)
    fr_pas_rate_percent = forms.DecimalField(
        label=_("Personalised withholding rate (%)"),
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        help_text=_("The rate the tax administration gave you; leave empty for the neutral rate."),
    )

    def __init__(self, *args, personalised_rate: bool, **kwargs) -> None:
        """`personalised_rate`: the pack's `personalised_withholding_rate` (France's PAS)."""
        super().__init__(*args, **kwargs)
        if not personalised_rate:
            del self.fields["fr_pas_rate_percent"]

    @property
    def fr_pas_rate(self) -> Decimal | None:
        percent = self.cleaned_data.get("fr_pas_rate_percent")
        return None if percent is None else percent / Decimal("100")


class WorkerBankForm(forms.Form):
    """The account a worker's net is paid to, entered by a payroll officer from a pay run."""

    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bic = forms.CharField(
        label=_("BIC"),
        max_length=11,
        required=False,
        help_text=_("Optional: found from the IBAN for most banks."),
    )


class PayslipCorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit trail, e.g. the wrong tax profile or hours."),
    )
    pay_date = forms.DateField(label=_("Pay date of the correction"), widget=DATE)


class WorkAccidentRateForm(forms.Form):
    valid_from = forms.DateField(label=_("Applies from"), widget=DATE)
    rate_percent = forms.DecimalField(
        label=_("Rate (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=3,
        help_text=_("The rate on the CARSAT's notification, e.g. 1.25 %."),
    )
    reference = forms.CharField(label=_("Notification reference"), max_length=100, required=False)


class DebitMatchForm(forms.Form):
    bank_reference = forms.CharField(
        label=_("Bank reference of the debit"),
        max_length=100,
        help_text=_("As shown on the bank page, e.g. the entry's reference in the statement."),
    )
