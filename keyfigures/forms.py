from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import EmploymentContract
from smartcoop.core.models import LegalEntity, Office
from smartcoop.core.sectors import Sector
from smartcoop.countries import current_pack


class FiguresFilterForm(forms.Form):
    """The page's filters (GET). Entities are limited to those the reader may see; the office
    choice is offered only to staff who see every office."""

    year = forms.IntegerField(label=_("Year"), min_value=2000)
    entity = forms.ChoiceField(label=_("Entity"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    contract_type = forms.ChoiceField(label=_("Contract type"), required=False)
    tool = forms.ChoiceField(label=_("Tool"), required=False)
    office = forms.ChoiceField(label=_("Office"), required=False)

    def __init__(self, data, *, entities: list[LegalEntity], all_offices: bool) -> None:
        super().__init__(data)
        self.entities = entities
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.IntegerField)
        year_field.max_value = timezone.localdate().year
        year_field.validators.append(MaxValueValidator(timezone.localdate().year))
        every = [("", _("All"))]
        self._set_choices("entity", every + [(str(e.public_id), e.name) for e in entities])
        self._set_choices("sector", every + list(Sector.choices))
        self._set_choices(
            "contract_type",
            every + [(c.code, str(c.label)) for c in current_pack().contract_types],
        )
        self._set_choices("tool", every + list(EmploymentContract.Tool.choices))
        if all_offices:
            offices = Office.objects.order_by("name")
            self._set_choices("office", every + [(str(o.public_id), o.name) for o in offices])
        else:
            del self.fields["office"]

    def _set_choices(self, name: str, choices) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def entity_ids(self) -> tuple[int, ...]:
        chosen = self.cleaned_data.get("entity")
        return tuple(e.pk for e in self.entities if not chosen or str(e.public_id) == chosen)

    def office_id(self) -> int | None:
        chosen = self.cleaned_data.get("office")
        if not chosen:
            return None
        office = Office.objects.filter(public_id=chosen).first()
        return office.pk if office else None
