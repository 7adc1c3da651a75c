"""Forms parse and check shapes only; the rules live in services."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import cast

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from smartcoop.core.money import parse_amount
from smartcoop.countries import current_pack

from .models import Client, Invoice, InvoiceLine


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """A choice field of `form`, typed as one (`Form.fields` holds plain Fields for mypy)."""
    return cast(forms.ChoiceField, form.fields[name])


def _pack_country() -> str:
    """The deployment's country, offered first (clients and work are mostly domestic)."""
    return current_pack().code


COUNTRIES = [
    ("BE", _("Belgium")),
    ("FR", _("France")),
    ("NL", _("Netherlands")),
    ("DE", _("Germany")),
    ("LU", _("Luxembourg")),
    ("ES", _("Spain")),
    ("IT", _("Italy")),
    ("AT", _("Austria")),
    ("PT", _("Portugal")),
    ("IE", _("Ireland")),
    ("SE", _("Sweden")),
    ("CH", _("Switzerland")),
    ("GB", _("United Kingdom")),
    ("US", _("United States")),
    ("CA", _("Canada")),
]


class ClientForm(forms.Form):
    activity = forms.ChoiceField(label=_("For the Activity"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Client.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRIES, initial=_pack_country)
    vat_number = forms.CharField(
        label=_("VAT number"),
        max_length=30,
        required=False,
        help_text=_("Required for a business in another EU country (reverse charge)."),
    )
    enterprise_number = forms.CharField(label=_("Enterprise number"), max_length=30, required=False)
    street = forms.CharField(label=_("Street and number"), max_length=200)
    postcode = forms.CharField(label=_("Postcode"), max_length=12)
    city = forms.CharField(label=_("City"), max_length=120)
    email = forms.EmailField(label=_("Invoice e-mail"), required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("nl", "Nederlands"), ("fr", "Français"), ("en", "English"), ("de", "Deutsch")],
        initial="en",
    )
    confirm_duplicate = forms.BooleanField(
        label=_("This is a different client with the same name"), required=False
    )

    def __init__(self, *args, activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(a.public_id), a.name) for a in activities]
        _choice_field(self, "activity").choices = choices
        if len(choices) == 1:
            self.fields["activity"].initial = choices[0][0]
            self.fields["activity"].widget = forms.HiddenInput()


class InstalmentsField(forms.CharField):
    """Instalments typed one a line, a date and an amount ("15/01/2027 500,00" or "2027-01-15
    500.00", in the page's language), cleaned to [(date, Decimal)]; each bad line is named."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        text = super().to_python(value) or ""
        rows: list[tuple[date, Decimal]] = []
        errors = []
        day_field = forms.DateField(localize=True)
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            parts = line.split()
            try:
                if len(parts) != 2:
                    raise forms.ValidationError("shape")
                day = day_field.clean(parts[0])
                rows.append((day, parse_amount(parts[1])))
            except (forms.ValidationError, InvalidOperation, ValueError):
                errors.append(
                    forms.ValidationError(
                        _("Line %(n)s: write a date and an amount, such as %(example)s."),
                        params={"n": number, "example": "15/01/2027 500,00"},
                    )
                )
        if errors:
            raise forms.ValidationError(errors)
        return rows


class InvoiceForm(forms.Form):
    activity = forms.ChoiceField(label=_("Activity"))
    client = forms.ChoiceField(label=_("Client"))
    delivery_date = forms.DateField(
        label=_("Date of the service"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    operation_category = forms.ChoiceField(
        label=_("What you invoice"),
        choices=Invoice.OperationCategory.choices,
        initial=Invoice.OperationCategory.SERVICES,
        required=False,  # services when not said (older forms and scripts)
    )
    payment_days = forms.IntegerField(
        label=_("Payment term (days)"), required=False, min_value=0, max_value=365
    )
    buyer_reference = forms.CharField(
        label=_("Client's reference (order number)"), max_length=100, required=False
    )
    discount_rate = forms.DecimalField(
        label=_("Discount (%)"), required=False, min_value=0, max_value=99, decimal_places=2
    )
    delivery_street = forms.CharField(
        label=_("Delivery address: street and number (optional)"),
        max_length=200,
        required=False,
        help_text=_(
            "Only when the goods go, or the service is performed, elsewhere than the client's "
            "address. Printed on the invoice."
        ),
    )
    delivery_postcode = forms.CharField(label=_("Delivery postcode"), max_length=12, required=False)
    delivery_city = forms.CharField(label=_("Delivery city"), max_length=120, required=False)
    delivery_country = forms.CharField(
        label=_("Delivery country (two letters)"),
        max_length=2,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "FR", "size": 2}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    instalments = InstalmentsField(
        label=_("Payment in instalments (optional)"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "15/01/2027 500,00\n15/02/2027 659,20"}
        ),
        help_text=_(
            "One instalment a line: its date and amount. They must add up to the total; the "
            "last date is the due date. Reminders follow the schedule."
        ),
    )
    is_deposit = forms.BooleanField(
        label=_("Deposit invoice"),
        required=False,
        help_text=_("Part of the price in advance; the final invoice deducts it."),
    )
    deposits = forms.MultipleChoiceField(
        label=_("Deduct these deposit invoices"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Deposit invoices already issued to this client, not yet deducted."),
    )

    def __init__(self, *args, activities=(), clients=(), deposits=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choice_field(self, "activity").choices = [(str(a.public_id), a.name) for a in activities]
        _choice_field(self, "client").choices = [(str(c.public_id), str(c)) for c in clients]
        _choice_field(self, "deposits").choices = [
            (str(d.public_id), f"{d.reference} — {d.client} — {d.total_incl_vat}") for d in deposits
        ]
        if not deposits:
            del self.fields["deposits"]


class LineForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=300)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=4)
    unit = forms.ChoiceField(label=_("Unit"), choices=InvoiceLine.Unit.choices)
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=14, decimal_places=4)
    vat_rate_code = forms.ChoiceField(label=_("VAT"), choices=InvoiceLine.VatRate.choices)


# As many lines as the services accept (invoicing.services.invoices.MAX_LINES).
LineFormSet = formset_factory(
    LineForm, extra=0, min_num=1, validate_min=True, max_num=100, validate_max=True
)


class PaymentPlanForm(forms.Form):
    instalments = InstalmentsField(
        label=_("Payment plan (one instalment a line: date and amount)"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "15/01/2027 500,00"}),
    )


class VatOverrideForm(forms.Form):
    regime = forms.ChoiceField(label=_("VAT treatment"), choices=Invoice.VatRegime.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ClientMessageForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail"))
    message = forms.CharField(
        label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_dispute = forms.BooleanField(
        label=_("I dispute this invoice (reminders stop until we answer)"), required=False
    )
    # A one-time token per page shown: the same form posted twice is stored once.
    submission = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)


class StatementUploadForm(forms.Form):
    # A year of daily statements of a busy account is a few megabytes.
    MAX_BYTES = 20 * 1024 * 1024

    file = forms.FileField(label=_("camt.053 or CODA file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB: split it by period.")
                % {"limit": self.MAX_BYTES // (1024 * 1024)}
            )
        return upload


class ManualMatchForm(forms.Form):
    invoice = forms.CharField(label=_("Invoice number"), max_length=40)


class QuoteForm(forms.Form):
    activity = forms.ChoiceField(label=_("Activity"))
    client = forms.ChoiceField(label=_("Client"))
    title = forms.CharField(label=_("Title"), max_length=200)
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"), required=False, min_value=1, max_value=365, initial=30
    )

    def __init__(self, *args, activities=(), clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choice_field(self, "activity").choices = [(str(a.public_id), a.name) for a in activities]
        _choice_field(self, "client").choices = [(str(c.public_id), str(c)) for c in clients]


class PerformanceForm(forms.Form):
    """Contract tool: one performance for a client (the invoice and the contract follow)."""

    activity = forms.ChoiceField(label=_("Activity"))
    client = forms.ChoiceField(label=_("Client"))
    contract_type = forms.ChoiceField(label=_("Contract"))
    function = forms.CharField(label=_("Your function"), max_length=120)
    start_date = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label=_("Hours worked"), max_digits=6, decimal_places=2, min_value=0)
    price_excl_vat = forms.DecimalField(
        label=_("Price excl. VAT"), max_digits=12, decimal_places=2, min_value=0
    )
    vat_rate_code = forms.ChoiceField(label=_("VAT"), choices=InvoiceLine.VatRate.choices)
    workplace_country = forms.CharField(
        label=_("Country of work"), max_length=2, initial=_pack_country
    )
    description = forms.CharField(
        label=_("Description on the invoice"), max_length=300, required=False
    )

    def __init__(self, *args, activities=(), clients=(), contract_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choice_field(self, "activity").choices = [(str(a.public_id), a.name) for a in activities]
        _choice_field(self, "client").choices = [(str(c.public_id), str(c)) for c in clients]
        _choice_field(self, "contract_type").choices = [(t.code, t.label) for t in contract_types]


class ReminderPolicyForm(forms.Form):
    """One audience's reminder levels; the law's bounds are checked by the service."""

    first_reminder_enabled = forms.BooleanField(label=_("Send a first reminder"), required=False)
    first_reminder_days = forms.IntegerField(
        label=_("Days after the due date"), min_value=0, max_value=3650
    )
    first_reminder_text = forms.CharField(
        label=_("Extra paragraph"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    second_reminder_enabled = forms.BooleanField(label=_("Send a second reminder"), required=False)
    second_reminder_days = forms.IntegerField(
        label=_("Days after the due date"), min_value=0, max_value=3650
    )
    second_reminder_text = forms.CharField(
        label=_("Extra paragraph"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    formal_notice_enabled = forms.BooleanField(label=_("Send a formal notice"), required=False)
    formal_notice_days = forms.IntegerField(
        label=_("Days after the due date"), min_value=0, max_value=3650
    )
    formal_notice_text = forms.CharField(
        label=_("Extra paragraph"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def levels(self) -> list[dict]:
        """The fields grouped per level, for the template."""
        titles = {
            "first_reminder": _("First reminder"),
            "second_reminder": _("Second reminder"),
            "formal_notice": _("Formal notice (interest and costs)"),
        }
        return [
            {
                "title": title,
                "fields": [self[f"{level}_{part}"] for part in ("enabled", "days", "text")],
            }
            for level, title in titles.items()
        ]
