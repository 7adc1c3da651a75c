"""VAT treatment of an invoice: the pure decision (calculations.vat_decide) with its translated
explanations and legal mentions, and client identifier validation per country.

Legal references (shared/RULES.md §4.6-4.7): BE VAT Code art. 21 §2 (place of supply of services
to a taxable person), art. 44 (exemptions), art. 51 §2 1° (reverse charge by the customer);
VAT Directive 2006/112/EC art. 44, 196.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError

from smartcoop.core.errors import ValidationFailed
from smartcoop.countries import IdentifierKind, current_pack, pack_of_country

from .calculations import EU_COUNTRIES

SIREN_SCHEME = "0002"  # ISO 6523 ICD of the French SIREN


def vat_texts(country: str | None = None) -> dict[str, str]:
    """Explanations and legal mentions, translated, with the references of the entity's country
    (the deployment's by default): which wording applies is the pack's `vat_mentions` (Belgian
    VAT Code; France: CGI art. 259-1, 261, 283-2)."""
    pack = pack_of_country(country) or current_pack()
    texts = _be_texts()
    if pack.vat_mentions == "fr_cgi":
        texts.update(
            {
                "exempt_mention": _("VAT exemption - article 261 of the French General Tax Code."),
                "reverse_charge_mention": _(
                    "Reverse charge - VAT to be accounted for by the customer (art. 196 Directive "
                    "2006/112/EC; art. 283-2 French General Tax Code)."
                ),
                "outside_eu_mention": _(
                    "VAT not applicable - art. 259-1 of the French General Tax Code (place of "
                    "supply outside the EU)."
                ),
                "exempt_explanation": _(
                    "The services are exempt from VAT (French General Tax Code art. 261): no VAT "
                    "is charged and the exemption is printed."
                ),
            }
        )
    return texts


def _be_texts() -> dict[str, str]:
    return {
        "domestic_explanation": _(
            "The client is established in the same country as the entity: local VAT applies at "
            "the rate chosen on each line."
        ),
        "consumer_explanation": _(
            "The client is a private person: the entity's VAT applies (general rule for services "
            "to consumers, VAT Directive art. 45)."
        ),
        "exempt_explanation": _(
            "The services are exempt from VAT (Belgian VAT Code art. 44): no VAT is charged and "
            "the exemption is printed."
        ),
        "exempt_mention": _("VAT exemption - article 44 of the Belgian VAT Code."),
        "reverse_charge_explanation": _(
            "The client is a business in another EU country: the place of supply is the client's "
            "country and the client accounts for the VAT (reverse charge, VAT Directive art. 44 "
            "and 196). No VAT is charged; the client's VAT number is printed."
        ),
        "reverse_charge_mention": _(
            "Reverse charge - VAT to be accounted for by the customer (art. 196 Directive "
            "2006/112/EC; art. 21 §2 Belgian VAT Code)."
        ),
        "reverse_charge_needs_vat": _(
            "Reverse charge needs the client's VAT number: a business client in another EU "
            "country must have a valid VAT number."
        ),
        "outside_eu_explanation": _(
            "The client is a business outside the EU: the services are supplied where the client "
            "is established, outside the scope of EU VAT."
        ),
        "outside_eu_mention": _(
            "Not subject to Belgian VAT - place of supply outside the EU (art. 21 §2 Belgian VAT "
            "Code)."
        ),
    }


def clean_client_vat_number(*, country: str, value: str) -> str:
    """The compact VAT number (with its country prefix), or ValidationFailed naming the field."""
    value = (value or "").strip()
    if not value:
        return ""
    country = country.upper()
    try:
        if country in EU_COUNTRIES or country == "EL":
            compact = eu_vat.validate(value if value[:2].isalpha() else country + value)
            if compact[:2].upper() not in (country, "EL" if country == "GR" else country):
                raise ValidationFailed(
                    _("This VAT number belongs to another country than the client's."),
                    field="vat_number",
                )
            return compact
        module = get_cc_module(country.lower(), "vat")
        return module.validate(value) if module else value.replace(" ", "").upper()
    except StdnumError:
        raise ValidationFailed(
            _("This VAT number is not valid for %(country)s (check digits or format).")
            % {"country": country},
            field="vat_number",
        ) from None


def clean_client_enterprise_number(*, country: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    country = country.upper()
    pack = pack_of_country(country)
    identifier = pack.identifier(IdentifierKind.ENTERPRISE_NUMBER) if pack else None
    try:
        if identifier is not None:  # the client's country pack knows its enterprise numbers
            return identifier.validate(value)
    except ValueError:
        raise ValidationFailed(
            _("This enterprise number is not valid for %(country)s.") % {"country": country},
            field="enterprise_number",
        ) from None
    return value.replace(" ", "")


def french_siren(*, country: str | None, enterprise_number: str, vat_number: str) -> str:
    """The SIREN of a French party: its enterprise number, or else the last nine digits of its
    French VAT number (FR + two-character key + SIREN). Empty for a party elsewhere: one whose
    pack's enterprise numbers are not SIRENs (`enterprise_number_scheme`, ISO 6523 0002)."""
    pack = pack_of_country(country)
    if pack is None or pack.enterprise_number_scheme != SIREN_SCHEME:
        return ""
    number = "".join((enterprise_number or "").split())
    if number.isdigit() and len(number) == 9:
        return number
    vat = "".join((vat_number or "").split()).upper()
    if vat.startswith("FR") and len(vat) == 13 and vat[4:].isdigit():
        return vat[4:]
    return ""
