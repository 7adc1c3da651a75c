"""Belcotax-on-web (Belgium, yearly): a pure builder of the tax forms 281.10 (wages) of one
employer and one income year, in the FPS Finance XML valid against `schemas/Belcotax-<year>.xsd`.

Frozen dataclasses in, bytes out: no ORM, no clock (the creation date is an input). Structure:
`Verzendingen/Verzending` (the sender) → `Aangiften/Aangifte` (the debtor: the employer) →
`Opgaven/Opgave32510` (the summary 325.10) → one `Fiche28110` per worker, then the trailers'
counts and control totals. Amounts are integers in euro cents, dates `DD-MM-YYYY`.

Zones filled per worker (zone numbers of the FPS brochure, names of the schema):
2.060 ordinary taxable pay (gross - personal social contributions), 2.062 its total, 2.063 the
exit holiday pay less its personal contributions (SECONDARY: Odoo's l10n_be_hr_payroll 281.10
puts the termination holiday pay there and leaves it out of 2.062), 2.074
withholding tax, 2.075 special social security contribution, 2.059 the control total (sum of the
zones 2.060 to 2.088); r8011/r9012 = Σ sequence numbers, r8012/r9013 = Σ 2.059, r8013/r9014 =
Σ 2.074, r8010 = forms + 2, r9011 = forms + 4, r9010 = 3 (SECONDARY: third-party generators; the
XSD types them all as strings). Treatment code 2.028: 0 original, 1 modification, 2 addition,
3 cancellation; sending type v0025: 0 original, 1 grouped corrections (SECONDARY).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from lxml import etree

from .builders import SCHEMAS

ORIGINAL, MODIFICATION, ADDITION, CANCELLATION = "0", "1", "2", "3"
LANGUAGE_CODES = {"nl": "1", "fr": "2", "de": "3"}


@dataclass(frozen=True)
class Party:
    """The sender and the debtor of the income (the employer)."""

    name: str
    street: str
    postcode: str
    city: str
    enterprise_number: str  # 10 digits
    language: str  # 1 nl, 2 fr, 3 de
    contact: str
    phone: str
    email: str


@dataclass(frozen=True)
class Fiche:
    sequence: int
    inss: str
    last_name: str
    first_names: str
    street: str
    postcode: str
    city: str
    country_code: str  # "0" for Belgium, else the FPS code of the country
    language: str  # "" when unknown
    treatment: str
    taxable: Decimal  # 2.060
    withheld: Decimal  # 2.074
    special_ssc: Decimal  # 2.075
    # 2.063 "vervroegd vakantiegeld / pécules de vacances anticipés": the Belgian exit holiday
    # pay less the personal contributions on it (its SSC and the special contribution on the
    # double part); not in the total 2.062, which sums 2.060 and the benefits.
    early_holiday: Decimal = Decimal("0")

    @property
    def control_total(self) -> int:
        """2.059: the zones 2.060 to 2.088, the total 2.062 included."""
        taxable = cents(self.taxable)
        return (
            taxable
            + taxable
            + cents(self.early_holiday)
            + cents(self.withheld)
            + cents(self.special_ssc)
        )


@dataclass(frozen=True)
class BelcotaxInput:
    year: int
    created_on: dt.date
    sender: Party
    fiches: tuple[Fiche, ...]
    corrections: bool = False  # a grouped corrections sending (v0025 = 1)
    test: bool = False


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _el(parent, tag: str, text) -> None:
    etree.SubElement(parent, tag).text = str(text)


def _date(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def _fiche(parent, year: int, debtor: Party, fiche: Fiche) -> None:
    node = etree.SubElement(parent, "Fiche28110")
    _el(node, "f2002_inkomstenjaar", year)
    _el(node, "f2005_registratienummer", debtor.enterprise_number)
    _el(node, "f2008_typefiche", "28110")
    _el(node, "f2009_volgnummer", fiche.sequence)
    _el(node, "f2011_nationaalnr", fiche.inss)
    _el(node, "f2013_naam", fiche.last_name[:41])
    _el(node, "f2015_adres", fiche.street[:150])
    belgian = fiche.country_code == "0"
    if belgian:
        _el(node, "f2016_postcodebelgisch", fiche.postcode)
    _el(node, "f2017_gemeente", fiche.city[:50])
    _el(node, "f2018_landwoonplaats", fiche.country_code)
    if fiche.language:
        _el(node, "f2027_taalcode", fiche.language)
    _el(node, "f2028_typetraitement", fiche.treatment)
    _el(node, "f2029_enkelopgave325", 0)
    if not belgian:
        _el(node, "f2112_buitenlandspostnummer", fiche.postcode)
    _el(node, "f2114_voornamen", fiche.first_names[:30])
    _el(node, "f10_2059_totaalcontrole", fiche.control_total)
    _el(node, "f10_2060_gewonebezoldiginge", cents(fiche.taxable))
    _el(node, "f10_2062_totaal", cents(fiche.taxable))
    if fiche.early_holiday:
        _el(node, "f10_2063_vervroegdvakantieg", cents(fiche.early_holiday))
    _el(node, "f10_2074_bedrijfsvoorheffing", cents(fiche.withheld))
    _el(node, "f10_2075_bijzonderbijdrage", cents(fiche.special_ssc))


def belcotax_xml(data: BelcotaxInput) -> bytes:
    sender = data.sender
    root = etree.Element("Verzendingen")
    sending = etree.SubElement(root, "Verzending")
    _el(sending, "v0002_inkomstenjaar", data.year)
    _el(sending, "v0010_bestandtype", "BCTEST" if data.test else "BELCOTAX")
    _el(sending, "v0011_aanmaakdatum", _date(data.created_on))
    _el(sending, "v0014_naam", sender.name[:41])
    _el(sending, "v0015_adres", sender.street[:150])
    _el(sending, "v0016_postcode", sender.postcode)
    _el(sending, "v0017_gemeente", sender.city[:50])
    _el(sending, "v0018_telefoonnummer", sender.phone)
    _el(sending, "v0021_contactpersoon", sender.contact[:34])
    _el(sending, "v0022_taalcode", sender.language)
    _el(sending, "v0023_emailadres", sender.email)
    _el(sending, "v0024_nationaalnr", sender.enterprise_number)
    _el(sending, "v0025_typeenvoi", 1 if data.corrections else 0)
    declarations = etree.SubElement(sending, "Aangiften")
    declaration = etree.SubElement(declarations, "Aangifte")
    _el(declaration, "a1002_inkomstenjaar", data.year)
    _el(declaration, "a1005_registratienummer", sender.enterprise_number)
    _el(declaration, "a1011_naamnl1", sender.name[:41])
    _el(declaration, "a1013_adresnl", sender.street[:150])
    _el(declaration, "a1014_postcodebelgisch", sender.postcode)
    _el(declaration, "a1015_gemeente", sender.city[:50])
    _el(declaration, "a1020_taalcode", sender.language)
    summary = etree.SubElement(etree.SubElement(declaration, "Opgaven"), "Opgave32510")
    for fiche in data.fiches:
        _fiche(summary, data.year, sender, fiche)
    count = len(data.fiches)
    sequences = sum(f.sequence for f in data.fiches)
    controls = sum(f.control_total for f in data.fiches)
    withheld = sum(cents(f.withheld) for f in data.fiches)
    _el(declaration, "r8002_inkomstenjaar", data.year)
    _el(declaration, "r8005_registratienummer", sender.enterprise_number)
    _el(declaration, "r8010_aantalrecords", count + 2)
    _el(declaration, "r8011_controletotaal", sequences)
    _el(declaration, "r8012_controletotaal", controls)
    _el(declaration, "r8013_totaalvoorheffingen", withheld)
    _el(sending, "r9002_inkomstenjaar", data.year)
    _el(sending, "r9010_aantallogbestanden", 3)
    _el(sending, "r9011_totaalaantalrecords", count + 4)
    _el(sending, "r9012_controletotaal", sequences)
    _el(sending, "r9013_controletotaal", controls)
    _el(sending, "r9014_controletotaal", withheld)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@lru_cache(maxsize=4)
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def belcotax_errors(document: bytes, schema_name: str) -> list[str]:
    """The schema's complaints about a document (empty when valid)."""
    checker = _schema(schema_name)
    if checker.validate(etree.fromstring(document)):
        return []
    return [f"line {error.line}: {error.message}" for error in checker.error_log]
