"""Belcotax 281.10: one form per worker paid in the year, from the approved payslips, valid
against the FPS schema, whose amounts equal the payslips' sums; a missing national number or
address keeps it in draft naming the worker and the field; a rebuild after acceptance corrects
only what changed; payroll builds it with one action and records the answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from declarations import belcotax
from declarations.models import Declaration
from declarations.periodic import belcotax_build_year
from payroll import services as payroll
from payroll.labels import TAX_CODES
from smartcoop.core.errors import Conflict
from tests.activities.factories import make_member

from .helpers import INSS, worker_activity
from .test_dmfa import paid

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("entity")]
SCHEMA = "Belcotax-2024.xsd"
ADDRESS = {"street": "Rue Haute 12", "postcode": "1000", "city": "Bruxelles", "country": "BE"}


@pytest.fixture(autouse=True)
def sender(settings, entity):
    settings.SMARTCOOP_DECLARATION_CONTACT_PHONE = "025551234"
    entity.email = "payroll@example.org"
    entity.save()


def housed(activity):
    member = activity.coordinator
    for field, value in ADDRESS.items():
        setattr(member, field, value)
    member.save()
    return member


def forms(declaration) -> dict[str, etree._Element]:
    root = etree.fromstring(declaration.payload.encode())
    return {fiche.findtext("f2011_nationaalnr"): fiche for fiche in root.iter("Fiche28110")}


def cents(amount: Decimal) -> str:
    return str(int(amount * 100))


def test_one_form_per_worker_equal_to_the_payslips_and_schema_valid(entity):
    activity = worker_activity(entity)
    housed(activity)
    first = paid(activity, None, "employee", [2, 9])
    student = make_member(
        national_number="90020199745", birth_date=dt.date(2005, 3, 1), language="fr", **ADDRESS
    )
    second = paid(activity, student, "student", [4])
    year = first.pay_date.year

    declaration = belcotax_build_year(entity=entity, year=year, actor=None)
    assert declaration.status == "ready", declaration.problems
    document = declaration.payload.encode()
    assert belcotax.belcotax_errors(document, SCHEMA) == []
    found = forms(declaration)
    assert set(found) == {INSS, "90020199745"}
    for payslip, inss in ((first, INSS), (second, "90020199745")):
        fiche = found[inss]
        tax = sum(Decimal(x["amount"]) for x in payslip.lines if x["code"] in TAX_CODES)
        # the exit holiday pay less its personal contributions is 2.063, not ordinary pay
        amount = {x["code"]: Decimal(x["amount"]) for x in payslip.lines}.get
        early = sum(
            amount(f"exit_holiday_{part}", 0) for part in ("simple", "double", "additional")
        )
        early -= amount("exit_holiday_ssc", 0) + amount("exit_holiday_special_contribution", 0)
        ordinary = payslip.net_taxable - early
        assert fiche.findtext("f10_2060_gewonebezoldiginge") == cents(ordinary)
        assert fiche.findtext("f10_2062_totaal") == cents(ordinary)
        if inss == INSS:  # the employee's last contract ended: exit holiday pay
            assert early > 0 and fiche.findtext("f10_2063_vervroegdvakantieg") == cents(early)
        else:  # a student gets none
            assert fiche.find("f10_2063_vervroegdvakantieg") is None
        assert int(fiche.findtext("f10_2059_totaalcontrole")) == sum(
            int(fiche.findtext(zone) or 0)
            for zone in (
                "f10_2060_gewonebezoldiginge", "f10_2062_totaal", "f10_2063_vervroegdvakantieg",
                "f10_2074_bedrijfsvoorheffing", "f10_2075_bijzonderbijdrage",
            )
        )  # fmt: skip
        assert fiche.findtext("f10_2074_bedrijfsvoorheffing") == cents(tax)
        assert fiche.findtext("f2028_typetraitement") == "0"
        assert fiche.findtext("f2016_postcodebelgisch") == "1000"
    assert found["90020199745"].findtext("f2027_taalcode") == "2"
    root = etree.fromstring(document)
    assert root.findtext(".//r8010_aantalrecords") == "4"
    assert root.findtext(".//r8011_controletotaal") == "3"  # sequence numbers 1 + 2
    assert int(root.findtext(".//r8012_controletotaal")) == sum(
        int(f.findtext("f10_2059_totaalcontrole")) for f in found.values()
    )
    assert root.findtext(".//v0025_typeenvoi") == "0"
    due = timezone.localtime(declaration.due_at).date()
    assert due == dt.date(year + 1, 3, 1) - dt.timedelta(days=1)
    # The national number is only in the file, never in the kept inputs.
    assert INSS not in str(declaration.inputs)


def test_a_month_of_3000_declares_its_withholding_special_contribution_and_exit_pay(entity):
    """A white-collar month of EUR 3,000 whose contract is the last: income tax, the special
    social security contribution and the exit holiday pay are on the form with the payslip's
    amounts, each positive, and the zones add up to the taxable pay of the payslip."""
    from activities.services import contract_validate
    from tests.activities.factories import salary_contract

    activity = worker_activity(entity)
    housed(activity)
    month = dt.date.today().replace(day=1) + dt.timedelta(days=40)
    contract = salary_contract(activity, gross="3000.00", start=month.replace(day=1), days=28)
    contract = contract_validate(contract=contract, actor=None)
    payslip = payroll.payslip_compute(
        entity=entity, member=contract.member, pay_date=contract.end_date + dt.timedelta(days=5),
        contracts=[contract], actor=None,
    )  # fmt: skip
    payslip = payroll.payslip_approve(payslip=payslip, actor=None, now=timezone.now())
    line = {x["code"]: Decimal(x["amount"]) for x in payslip.lines}
    assert line["withholding_tax"] > 0 and line["special_ssc"] > 0

    declaration = belcotax_build_year(entity=entity, year=payslip.pay_date.year, actor=None)
    assert declaration.status == "ready", declaration.problems
    assert belcotax.belcotax_errors(declaration.payload.encode(), SCHEMA) == []
    fiche = forms(declaration)[INSS]
    tax = sum(amount for code, amount in line.items() if code in TAX_CODES)
    assert fiche.findtext("f10_2074_bedrijfsvoorheffing") == cents(tax) != "0"
    assert fiche.findtext("f10_2075_bijzonderbijdrage") == cents(line["special_ssc"])
    early = (
        line["exit_holiday_simple"] + line["exit_holiday_double"]
        + line["exit_holiday_additional"] - line["exit_holiday_ssc"]
        - line["exit_holiday_special_contribution"]
    )  # fmt: skip
    assert fiche.findtext("f10_2063_vervroegdvakantieg") == cents(early)
    assert Decimal(fiche.findtext("f10_2060_gewonebezoldiginge")) / 100 + early == (
        payslip.net_taxable
    )


def test_the_pure_builder_gives_the_same_bytes_and_the_schema_refuses_a_broken_file():
    party = belcotax.Party(
        name="Smart",
        street="Koolmijnenkaai 30",
        postcode="1080",
        city="Brussel",
        enterprise_number="0896755397",
        language="1",
        contact="Payroll",
        phone="025551234",
        email="payroll@example.org",
    )
    fiche = belcotax.Fiche(
        sequence=1,
        inss=INSS,
        last_name="Member",
        first_names="Sam",
        street="Rue Haute 12",
        postcode="75011",
        city="Paris",
        country_code="00111",
        language="",
        treatment="0",
        taxable=Decimal("1234.56"),
        withheld=Decimal("100.10"),
        special_ssc=Decimal("9.30"),
    )
    data = belcotax.BelcotaxInput(
        year=2026, created_on=dt.date(2027, 1, 15), sender=party, fiches=(fiche,)
    )
    document = belcotax.belcotax_xml(data)
    assert document == belcotax.belcotax_xml(data)
    assert belcotax.belcotax_errors(document, SCHEMA) == []
    root = etree.fromstring(document)
    assert root.findtext(".//f2112_buitenlandspostnummer") == "75011"
    assert root.find(".//f2016_postcodebelgisch") is None
    assert root.findtext(".//f10_2059_totaalcontrole") == str(123456 * 2 + 10010 + 930)
    root.find(".//Fiche28110").remove(root.find(".//f2013_naam"))
    assert belcotax.belcotax_errors(etree.tostring(root), SCHEMA)


def test_a_missing_national_number_or_address_keeps_it_in_draft_naming_the_worker(entity):
    activity = worker_activity(entity, national_number="")
    housed(activity)
    first = paid(activity, None, "employee", [2])
    homeless = make_member(national_number="90020199745", first_name="Noa", last_name="Nobody")
    paid(activity, homeless, "employee", [5])
    declaration = belcotax_build_year(entity=entity, year=first.pay_date.year, actor=None)
    assert declaration.status == "draft" and declaration.payload == ""
    coordinator = activity.coordinator.display_name
    assert declaration.problems == [
        {
            "field": "member.street",
            "message": "Noa Nobody: no street and number in the address for the 281.10",
        },
        {
            "field": "member.postcode",
            "message": "Noa Nobody: no postcode in the address for the 281.10",
        },
        {"field": "member.city", "message": "Noa Nobody: no city in the address for the 281.10"},
        {
            "field": "member.country",
            "message": "Noa Nobody: the country of the address (—) has no Belcotax code",
        },
        {
            "field": "member.national_number",
            "message": f"{coordinator}: no national number (INSZ/NISS) for the 281.10",
        },
    ]
    # Staff complete the data; building again makes it ready and withdraws the draft.
    member = activity.coordinator
    member.national_number = INSS
    member.save()
    for field, value in ADDRESS.items():
        setattr(homeless, field, value)
    homeless.save()
    again = belcotax_build_year(entity=entity, year=first.pay_date.year, actor=None)
    declaration.refresh_from_db()
    assert again.status == "ready" and declaration.status == "withdrawn"


def test_a_rebuild_after_acceptance_sends_only_the_changed_forms(entity):
    activity = worker_activity(entity)
    housed(activity)
    first = paid(activity, None, "employee", [2])
    year = first.pay_date.year
    kept = make_member(national_number="90020199745", **ADDRESS)
    paid(activity, kept, "employee", [5])
    original = belcotax_build_year(entity=entity, year=year, actor=None)
    sequences = {k: f.findtext("f2009_volgnummer") for k, f in forms(original).items()}
    Declaration.objects.with_scopes_disabled().filter(pk=original.pk).update(status="sent")
    with pytest.raises(Conflict):  # filed and not answered yet: nothing is built over it
        belcotax_build_year(entity=entity, year=year, actor=None)
    Declaration.objects.with_scopes_disabled().filter(pk=original.pk).update(status="accepted")

    nothing = belcotax_build_year(entity=entity, year=year, actor=None)
    assert nothing.status == "draft" and nothing.problems[0]["field"] == "payslips"
    assert "nothing changed" in nothing.problems[0]["message"]

    # The coordinator's payslip is reversed, and a new worker is paid in the year.
    reversal = payroll.payslip_correct(payslip=first, pay_date=first.pay_date, actor=None)
    payroll.payslip_approve(payslip=reversal, actor=None, now=timezone.now())
    newcomer = make_member(national_number="91031599961", **ADDRESS)
    paid(activity, newcomer, "employee", [7])
    correction = belcotax_build_year(entity=entity, year=year, actor=None)
    nothing.refresh_from_db()
    assert nothing.status == "withdrawn"
    assert correction.status == "ready", correction.problems
    assert correction.corrects_id == original.pk
    assert belcotax.belcotax_errors(correction.payload.encode(), SCHEMA) == []
    root = etree.fromstring(correction.payload.encode())
    assert root.findtext(".//v0025_typeenvoi") == "1"
    changed = forms(correction)
    assert set(changed) == {INSS, "91031599961"}  # the unchanged worker is not sent again
    assert changed[INSS].findtext("f2028_typetraitement") == "3"  # cancelled
    assert changed[INSS].findtext("f2009_volgnummer") == sequences[INSS]
    assert changed["91031599961"].findtext("f2028_typetraitement") == "2"  # added
    assert changed["91031599961"].findtext("f2009_volgnummer") == "3"


def test_payroll_builds_the_year_with_one_action_and_records_the_answer(entity, client):
    from tests.factories import staff_user

    activity = worker_activity(entity)
    housed(activity)
    year = paid(activity, None, "employee", [2]).pay_date.year
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    queue = client.get(reverse("declarations:queue")).content.decode()
    this_year = timezone.localdate().year
    assert f"Build the 281.10 of {this_year - 1}" in queue
    assert client.post(reverse("declarations:belcotax"), {"year": "nonsense"}).status_code == 302
    assert not Declaration.objects.with_scopes_disabled().filter(kind="belcotax_28110").exists()
    built = client.post(reverse("declarations:belcotax"), {"year": year})
    declaration = Declaration.objects.with_scopes_disabled().get(kind="belcotax_28110")
    assert built["Location"] == reverse("declarations:detail", args=[declaration.public_id])
    page = client.get(built["Location"]).content.decode()
    assert "file it on Belcotax-on-web, then record its answer" in page
    download = client.get(reverse("declarations:payload", args=[declaration.public_id]))
    assert download.content.decode() == declaration.payload
    # "Build again" on its page rebuilds the year: the unsent one is withdrawn.
    again = client.post(built["Location"], {"action": "build"})
    declaration.refresh_from_db()
    assert declaration.status == "withdrawn"
    declaration = Declaration.objects.with_scopes_disabled().get(
        kind="belcotax_28110", status="ready"
    )
    assert again["Location"] == reverse("declarations:detail", args=[declaration.public_id])
    client.post(again["Location"], {"action": "acknowledged", "reference": "BOW-2027-0042"})
    declaration.refresh_from_db()
    assert declaration.status == "accepted" and declaration.authority_reference == "BOW-2027-0042"
