from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import LegalEntity
from .services import ENTITY_EDITABLE_FIELDS


class LegalEntityForm(forms.ModelForm):
    """Parses the entity settings; validation of identifiers happens in the service."""

    default_language = forms.ChoiceField(label=_("Default language"), choices=())

    class Meta:
        model = LegalEntity
        fields = ENTITY_EDITABLE_FIELDS
        widgets = {"vat_on_debits_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = self.fields["default_language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = settings.LANGUAGES

    def _post_clean(self) -> None:
        # Model validation is the service's job (so the API and the page share it).
        pass
