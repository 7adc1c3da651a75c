"""Clients of an entity: creation, with duplicate detection within the entity."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from activities.models import Activity
from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import LegalEntity, User
from smartcoop.core.validators import check_texts, validate_country_code
from smartcoop.countries import pack_of_country

from ..models import Client
from ..vat import clean_client_enterprise_number, clean_client_vat_number


def client_create(
    *,
    entity: LegalEntity,
    actor: User | None,
    activity: Activity | None,
    kind: str,
    name: str,
    street: str,
    postcode: str,
    city: str,
    country: str,
    vat_number: str = "",
    enterprise_number: str = "",
    email: str = "",
    language: str = "",
    confirm_duplicate: bool = False,
) -> Client:
    """A new client of `entity`, linked to `activity`.

    Duplicates within the entity: the same VAT or enterprise number is the same client (it is
    linked to the Activity and returned); the same name and postcode without identifiers is
    refused unless `confirm_duplicate`."""
    country = (country or "").upper().strip()
    if len(country) != 2:
        raise ValidationFailed(_("Choose the client's country."), field="country")
    try:
        validate_country_code(country)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], field="country") from None
    if not name.strip():
        raise ValidationFailed(_("The client needs a name."), field="name")
    check_texts(
        name=name,
        street=street,
        postcode=postcode,
        city=city,
        vat_number=vat_number,
        enterprise_number=enterprise_number,
        email=email,
    )
    vat_number = clean_client_vat_number(country=country, value=vat_number)
    enterprise_number = clean_client_enterprise_number(country=country, value=enterprise_number)
    client_pack = pack_of_country(country)
    holds = client_pack is not None and client_pack.vat_number_holds_enterprise_number
    if holds and vat_number and not enterprise_number:
        enterprise_number = vat_number[2:]
    if kind == Client.Kind.PERSON and (vat_number or enterprise_number):
        kind = Client.Kind.COMPANY  # a person with a VAT number acts as a business
    with transaction.atomic():
        existing = None
        if vat_number:
            existing = Client.objects.filter(entity=entity, vat_number=vat_number).first()
        if existing is None and enterprise_number:
            existing = Client.objects.filter(
                entity=entity, enterprise_number=enterprise_number
            ).first()
        if existing is not None:
            if activity is not None:
                existing.activities.add(activity)
            audit_log(actor=actor, action="invoicing.client.linked", target=existing)
            existing.was_duplicate = True
            return existing
        if not confirm_duplicate and (
            Client.objects.filter(
                entity=entity, name__iexact=name.strip(), postcode=postcode.strip()
            ).exists()
        ):
            raise ValidationFailed(
                _(
                    "A client with this name and postcode already exists. Check it is not the "
                    "same client, then confirm."
                ),
                code="duplicate",
                field="name",
            )
        client = Client(
            entity=entity,
            kind=kind,
            name=name.strip(),
            street=street.strip(),
            postcode=postcode.strip(),
            city=city.strip(),
            country=country,
            vat_number=vat_number,
            enterprise_number=enterprise_number,
            email=email.strip(),
            language=language or entity.default_language,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if (
            client_pack
            and client_pack.peppol_by_enterprise_number
            and kind == Client.Kind.COMPANY
            and enterprise_number
        ):
            # Peppol participant under its enterprise number (Belgium: 0208 = KBO/BCE number).
            client.peppol_scheme = client_pack.enterprise_number_scheme
            client.peppol_id = enterprise_number
        try:
            with transaction.atomic():
                client.save()
        except IntegrityError:
            raise Conflict(
                _("This client was just created by someone else."), field="name"
            ) from None
        if activity is not None:
            client.activities.add(activity)
        audit_log(
            actor=actor,
            action="invoicing.client.created",
            target=client,
            data={"name": client.name, "country": country, "vat_number": vat_number},
        )
    client.was_duplicate = False
    return client
