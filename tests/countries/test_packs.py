from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from smartcoop.core.validators import clean_iban, clean_identifier
from smartcoop.countries import IdentifierKind, available_countries, load_pack

ON = date(2026, 3, 1)


def test_every_country_of_the_annual_report_has_a_pack():
    assert available_countries() == {"BE", "FR", "DE", "ES", "IT", "NL", "AT", "SE"}


@pytest.mark.parametrize("code", ["DE", "ES", "IT", "NL", "AT", "SE"])
def test_sister_cooperatives_are_partial_packs_with_the_seed_figures(code):
    pack = load_pack(code)
    assert pack.partial
    assert pack.fee_rate(ON) > 0
    assert pack.wage_payment_rule(ON)


def test_seed_fee_rates_and_currencies():
    assert load_pack("DE").fee_rate(ON) == Decimal("0.070")
    assert load_pack("IT").fee_rate(ON) == Decimal("0.085")
    assert load_pack("SE").currency == "SEK"
    assert load_pack("ES").share_price(ON) == Decimal("150.00")


def test_belgium_is_complete():
    pack = load_pack("BE")
    assert not pack.partial
    assert pack.languages == ("nl", "fr", "en", "de")
    assert pack.fee_rate(ON) == Decimal("0.065")
    assert pack.share_price(ON) == Decimal("30.00")
    assert [c.code for c in pack.share_categories] == ["A", "B", "C"]
    assert pack.default_share_category().code == "A"
    coefficients = {c.code: c.coefficient(ON) for c in pack.contract_types}
    assert coefficients["employee"] == Decimal("1.55")
    assert coefficients["artistic"] == Decimal("1.57")
    assert coefficients["student"] == Decimal("1.09")
    assert set(pack.identifiers) == set(IdentifierKind)
    assert pack.tools == ("contract", "activity")


def test_france_is_complete_with_the_activity_tool_only():
    pack = load_pack("FR")
    assert not pack.partial
    assert pack.languages == ("fr", "en")
    assert {c.code for c in pack.contract_types} == {"cddu", "cape", "cdi"}
    assert len(pack.share_categories) == 9
    assert pack.tools == ("activity",)


# Published examples: python-stdnum's documentation and the Belgian KBO's own number.
@pytest.mark.parametrize(
    ("kind", "value", "compact"),
    [
        (IdentifierKind.NATIONAL_NUMBER, "85.07.30-033.28", "85073003328"),
        (IdentifierKind.ENTERPRISE_NUMBER, "0403.170.701", "0403170701"),
        (IdentifierKind.VAT_NUMBER, "BE 0403.170.701", "0403170701"),
        (IdentifierKind.EMPLOYER_NUMBER, "100006", "000100006"),
    ],
)
def test_belgian_identifiers_accept_valid_numbers(kind, value, compact):
    assert clean_identifier(kind, value) == compact


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (IdentifierKind.NATIONAL_NUMBER, "85.07.30-033.61", "check digits"),
        (IdentifierKind.NATIONAL_NUMBER, "1234", "wrong length"),
        (IdentifierKind.ENTERPRISE_NUMBER, "0403.170.702", "check digits"),
        (IdentifierKind.VAT_NUMBER, "BE 0403.170.7", "wrong length"),
        (IdentifierKind.EMPLOYER_NUMBER, "100007", "check digits"),
        (IdentifierKind.EMPLOYER_NUMBER, "250000000", "outside the range"),
    ],
)
def test_belgian_identifiers_refuse_invalid_numbers_saying_why(kind, value, message):
    with pytest.raises(ValidationError, match=message):
        clean_identifier(kind, value)


def test_iban_is_checked():
    assert clean_iban("BE68 5390 0754 7034") == "BE68539007547034"
    with pytest.raises(ValidationError, match="IBAN is not valid"):
        clean_iban("BE68 5390 0754 7035")


@pytest.mark.parametrize("code", sorted(available_countries()))
def test_every_parameter_a_contract_type_names_exists(code):
    """The net estimate and the hours quota of a contract type are parameters of the pack."""
    from smartcoop.countries import param

    for kind in load_pack(code).contract_types:
        for name in (
            kind.estimate_contribution_param,
            kind.estimate_contribution_base_param,
            kind.estimate_withholding_param,
            kind.yearly_hours_quota_param,
        ):
            if name:
                assert param(name, on=ON) is not None, (code, kind.code, name)


def test_e_invoicing_and_vat_wording_are_pack_data():
    be, fr = load_pack("BE"), load_pack("FR")
    # Sender and legal registration of an e-invoice: KBO/BCE number (0208), SIREN (0002).
    assert (be.enterprise_number_scheme, fr.enterprise_number_scheme) == ("0208", "0002")
    # Belgian companies are reached on Peppol under their enterprise number, which their VAT
    # number holds; French ones are not addressed that way.
    assert be.peppol_by_enterprise_number and be.vat_number_holds_enterprise_number
    assert not fr.peppol_by_enterprise_number and not fr.vat_number_holds_enterprise_number
    assert (be.vat_mentions, fr.vat_mentions) == ("be_vat_code", "fr_cgi")
    # Only Belgian students have a yearly quota of hours.
    quotas = {t.code for p in (be, fr) for t in p.contract_types if t.yearly_hours_quota_param}
    assert quotas == {"student"}


def test_the_pdf_is_a_visual_copy_where_the_packs_e_invoice_is_the_legal_original():
    """Belgium: domestic B2B invoices issued from 1 Jan 2026 have the Peppol file as original
    (be.einvoice_format), so the PDF says it is a copy; France's Factur-X is the PDF itself."""
    from invoicing.tasks import _visual_copy

    def snapshot(issuer, client, kind, issued):
        return {
            "issuer": {"country": issuer},
            "client": {"country": client, "kind": kind},
            "issue_date": issued,
        }

    assert _visual_copy(snapshot("BE", "BE", "company", "2026-01-01"))
    assert not _visual_copy(snapshot("BE", "BE", "company", "2025-12-31"))  # the day before
    assert not _visual_copy(snapshot("BE", "BE", "person", "2026-03-01"))
    assert not _visual_copy(snapshot("BE", "FR", "company", "2026-03-01"))
    assert not _visual_copy(snapshot("FR", "FR", "company", "2026-03-01"))


# --- Country rules stay in the packs (issue #9) ----------------------------------------------

APPS = ("members", "activities", "invoicing", "payroll", "declarations", "governance", "keyfigures")
# Modules that may name a country: a country's own engine (its rules are the module), a format
# that is one country's, and reference or demo data keyed by country. Every other module asks
# the pack (`current_pack()`, `pack_of_country(code)`).
COUNTRY_MODULES = {
    "payroll/calculations/be.py": "the Belgian payroll engine",
    "payroll/calculations/be_batch.py": "the Belgian batch engine",
    "payroll/calculations/fr.py": "the French payroll engine",
    "payroll/calculations/fr_batch.py": "the French batch engine",
    "invoicing/documents/facturx.py": "Factur-X, the French format: its rules for French parties",
    "invoicing/documents/ubl.py": "Peppol's code list of VAT schemes by country",
    "payroll/documents/sample.py": "the demo payslips of each country",
    "keyfigures/scale.py": "the measured profile of the Belgian cooperative (seed data)",
}


def _country_code_branches(tree, codes: frozenset[str]) -> list[int]:
    """Lines comparing with a country code (`== "BE"`, `in ("BE", "FR")`) or keying a table
    by one (`{"FR": ...}`, `{("BE", "employee"): ...}`)."""
    import ast

    def names_a_code(node) -> bool:
        if isinstance(node, ast.Constant):
            return node.value in codes
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return any(names_a_code(element) for element in node.elts)
        return False

    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            named = [node.left, *node.comparators]
        elif isinstance(node, ast.Dict):
            named = [key for key in node.keys if key is not None]
        else:
            continue
        if any(names_a_code(each) for each in named):
            lines.append(node.lineno)
    return lines


def test_no_app_module_or_template_branches_on_a_country_code():
    """What differs between countries is pack data: an app that compares with "BE" or "FR"
    (or keys a table by them) would need editing for a third country. Tests, migrations and
    the demo/seed commands are left out; `COUNTRY_MODULES` says why the others may."""
    import ast
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    codes = available_countries()
    offenders = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "/migrations/" in relative or "/management/" in relative:
                continue
            if relative in COUNTRY_MODULES:
                continue
            tree = ast.parse(path.read_text(), filename=relative)
            offenders += [f"{relative}:{line}" for line in _country_code_branches(tree, codes)]
    alternatives = "|".join(sorted(codes))
    compared = re.compile(rf"""(==|!=|\bin)\s*["']({alternatives})["']""")
    for path in sorted((root / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if compared.search(line):
                offenders.append(f"{path.relative_to(root).as_posix()}:{number}")
    assert offenders == []
    assert all((root / relative).exists() for relative in COUNTRY_MODULES)
    # the scan finds what it looks for, and lets reference lists be
    assert _country_code_branches(ast.parse('x = country == "BE"'), codes) == [1]
    assert _country_code_branches(ast.parse('T = {("FR", "cddu"): 1}'), codes) == [1]
    assert _country_code_branches(ast.parse('if code in ("BE", "FR"): pass'), codes) == [1]
    assert _country_code_branches(ast.parse('EU = ("BE", "FR")'), codes) == []
