import pytest
from django.urls import reverse

from smartcoop.core.errors import ValidationFailed
from smartcoop.core.models import AuditLogEntry
from smartcoop.core.roles import Role
from smartcoop.core.services import legal_entity_update
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def form_data(entity, **changes):
    data = {
        f: getattr(entity, f)
        for f in (
            "name",
            "legal_form",
            "vat_number",
            "employer_number",
            "street",
            "postcode",
            "city",
            "iban",
            "bic",
            "email",
            "default_language",
            "invoice_series_prefix",
            "credit_note_series_prefix",
        )
    }
    data.update(changes)
    return data


def test_an_administrator_changes_the_bank_account_and_it_is_audited(client, entity):
    admin = staff_user(Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.post(
        reverse("core:entity_settings"), form_data(entity, iban="BE71 0961 2345 6769", city="Gent")
    )
    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.iban == "BE71 0961 2345 6769" and entity.city == "Gent"
    row = AuditLogEntry.objects.get(action="core.entity.updated")
    assert row.actor == admin
    assert row.data["city"] == {"from": "Brussel", "to": "Gent"}
    assert "BE71" not in str(row.data["iban"]) and "0961" not in str(row.data["iban"])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("iban", "BE71 0961 2345 6768", "This IBAN is not valid"),
        ("vat_number", "BE0403170702", "check digits do not match"),
        ("employer_number", "100007", "check digits do not match"),
        ("bic", "GKCC", "This BIC is not valid"),
    ],
)
def test_invalid_identifiers_are_refused_at_their_field_and_nothing_is_saved(
    client, entity, field, value, message
):
    client.force_login(staff_user(Role.ADMINISTRATOR))
    response = client.post(
        reverse("core:entity_settings"), form_data(entity, city="Gent", **{field: value})
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    entity.refresh_from_db()
    assert entity.city == "Brussel"
    assert not AuditLogEntry.objects.exists()


def test_the_service_names_the_field_for_the_api_too(entity, admin_user):
    with pytest.raises(ValidationFailed) as error:
        legal_entity_update(entity=entity, actor=admin_user, data={"iban": "NL00 1234"})
    assert error.value.field == "iban"
    assert error.value.as_dict()["extra"]["field"] == "iban"


def test_only_administrators_edit_entities(client, entity):
    client.force_login(staff_user(Role.ACCOUNTANT, entities=[entity]))
    assert client.get(reverse("core:entity_settings")).status_code == 404


def test_a_line_break_in_the_entity_name_is_refused_at_its_field(client, entity):
    """The name is printed in e-mail subjects and UBL files: a line break or a control character
    there would break every document the entity issues."""
    client.force_login(staff_user(Role.ADMINISTRATOR))
    response = client.post(
        reverse("core:entity_settings"), form_data(entity, name="Smart\nBcc: x@evil.example")
    )
    assert response.status_code == 200
    assert "fit on one line" in " ".join(response.context["form"].errors["name"])
    entity.refresh_from_db()
    assert "\n" not in entity.name
    assert not AuditLogEntry.objects.exists()
