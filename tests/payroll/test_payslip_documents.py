"""Payslip numbers (gap-free per entity and year), the PDF (typst) rendered once by the task in
the worker's language with its SHA-256, user text printed as written, and corrections."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from payroll import services
from payroll.documents.render import payslip_document_data, typst_pdf
from payroll.documents.sample import sample_facts, sample_payslip
from payroll.models import Payslip, PayslipDocument
from payroll.tasks import PayslipRenderFailed, payslip_render_pdf
from smartcoop.core.errors import Conflict
from smartcoop.core.models import TaskFailure

from .test_payslips import activity, compute, contract, next_month_start  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]
D = Decimal


def pdf_text(content: bytes, *, layout: bool = True) -> str:
    command = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(command, input=content, capture_output=True, check=True).stdout.decode()


def approve(payslip):
    return services.payslip_approve(payslip=payslip, actor=None, now=timezone.now())


def draft(activity, day, pay_offset):  # noqa: F811
    return compute(
        activity,
        [contract(activity, day=day)],
        pay_date=next_month_start() + dt.timedelta(days=pay_offset),
    )


def test_approval_numbers_payslips_without_gap_or_duplicate(activity):  # noqa: F811
    first, second, third = (draft(activity, day, 40 + day) for day in (1, 2, 3))
    assert first.number is None and first.reference == ""
    approve(first)
    # an approval that fails after taking its number gives the number back
    with pytest.raises(RuntimeError), transaction.atomic():
        approve(second)
        raise RuntimeError("the officer's transaction fails")
    approve(third)
    approve(second)
    numbers = {
        p.pk: p.number for p in Payslip.objects.filter(pk__in=[first.pk, second.pk, third.pk])
    }
    assert sorted(numbers.values()) == [1, 2, 3]
    assert numbers[first.pk] == 1 and numbers[third.pk] == 2 and numbers[second.pk] == 3
    third.refresh_from_db()
    assert third.reference == f"P{third.pay_date.year}-000002"
    with pytest.raises(Conflict):
        approve(third)


def test_the_pdf_is_rendered_once_in_the_workers_language_with_its_checksum(activity):  # noqa: F811
    member = activity.coordinator
    member.language = "nl"
    member.save(update_fields=["language"])
    payslip = approve(draft(activity, 4, 44))
    assert payslip_render_pdf(payslip_id=payslip.pk, entity_id=payslip.entity_id) is True
    document = PayslipDocument.objects.get(payslip=payslip)
    content = document.pdf.read()
    assert content.startswith(b"%PDF") and document.language == "nl"
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    text = pdf_text(content)
    assert "Loonbrief" in text and payslip.reference in text
    assert "Paritair comité" in text  # Belgian mentions: joint committee, employer numbers
    assert f"{payslip.net_pay:.2f}".replace(".", ",") in text.replace(".", "")
    # running it again renders nothing and keeps the one document
    assert payslip_render_pdf(payslip_id=payslip.pk, entity_id=payslip.entity_id) is False
    assert PayslipDocument.objects.filter(payslip=payslip).count() == 1


def test_a_draft_gets_no_pdf(activity):  # noqa: F811
    payslip = draft(activity, 5, 45)
    assert payslip_render_pdf(payslip_id=payslip.pk, entity_id=payslip.entity_id) is False
    assert not PayslipDocument.objects.filter(payslip=payslip).exists()


def test_a_rendering_failure_names_the_payslip(activity):  # noqa: F811
    payslip = approve(draft(activity, 6, 46))
    broken = Payslip.objects.create(
        entity=payslip.entity, member=payslip.member, pay_date=payslip.pay_date,
        period_start=payslip.period_start, period_end=payslip.period_end, category="employee",
        gross=0, employee_deductions=0, net_taxable=0, net_social=0, net_pay=0,
        employer_contributions=0, employer_cost=0, lines=[{"code": "ssc_personal"}],
        corrects=payslip, status="approved", number=99, year=payslip.year, reference="P-BROKEN",
    )  # fmt: skip
    result = payslip_render_pdf.apply(
        kwargs={"payslip_id": broken.pk, "entity_id": broken.entity_id}
    )
    assert isinstance(result.result, PayslipRenderFailed)
    failure = TaskFailure.objects.get(task_name="payroll.payslip_render_pdf")
    assert "P-BROKEN" in failure.error
    assert not PayslipDocument.objects.filter(payslip=broken).exists()


@pytest.mark.parametrize("language", ["en", "fr", "nl", "de"])
def test_user_text_is_printed_as_written_in_every_language(language):
    name = 'Zoë #set "O\'Brien" $x$ *b* _i_ \\ <a> @ref // [x] `c`'
    facts = sample_facts("FR", worker_name=name)
    data = payslip_document_data(sample_payslip("FR"), facts, language)
    text = " ".join(pdf_text(typst_pdf(data), layout=False).split())  # the name may wrap
    assert name in text
    assert "P2026-000042" in text


def test_the_employer_numbers_are_labelled_in_the_documents_language(activity):  # noqa: F811
    """The worker process reads the facts in its own language; a French payslip still says
    'Numéro d'entreprise', not the Dutch 'Ondernemingsnummer'."""
    from django.utils import translation

    from payroll.documents.render import payslip_facts

    payslip = approve(draft(activity, 6, 46))
    with translation.override("nl"):
        facts = payslip_facts(payslip)
    text = pdf_text(typst_pdf(payslip_document_data(payslip, facts, "fr")))
    assert "Numéro d'entreprise" in text.replace(chr(0x2019), "'")
    assert "Ondernemingsnummer" not in text


def test_french_payslip_shows_the_clarified_amounts():
    payslip = sample_payslip("FR")
    text = pdf_text(typst_pdf(payslip_document_data(payslip, sample_facts("FR"), "fr")))
    for words in ("Montant net social", "Net à payer", "Net imposable", "Coût total employeur"):
        assert words in text, words
    pas = next(line for line in payslip.lines if line["code"] == "pas")
    assert f"{D(pas['amount']):.2f}".replace(".", ",") in text.replace("\u202f", "")


def test_exit_holiday_pay_is_printed_between_the_wages_and_the_gross():
    """A Belgian last contract: the wages, then the three exit holiday pay lines, then the gross
    that adds them up, in the worker's language."""
    payslip = sample_payslip("BE", exit_holiday=True)
    rows = payslip_document_data(payslip, sample_facts("BE"), "fr")["worker_lines"]
    labels = [row["label"] for row in rows[:5]]
    assert labels == [
        "Salaire",
        "Pécule de vacances de sortie, simple",
        "Pécule de vacances de sortie, double",
        "Pécule de vacances de sortie, double complémentaire",
        "Salaire brut",
    ]
    text = pdf_text(typst_pdf(payslip_document_data(payslip, sample_facts("BE"), "nl")))
    assert "Vertrekvakantiegeld, enkel deel" in text and "9.986,08" in text


def test_a_correction_references_and_reverses_the_payslip(activity):  # noqa: F811
    original = approve(draft(activity, 7, 47))
    reversal = services.payslip_correct(
        payslip=original, pay_date=original.pay_date + dt.timedelta(days=3), actor=None
    )
    assert reversal.corrects_id == original.pk and reversal.status == Payslip.Status.DRAFT
    assert reversal.net_pay == -original.net_pay and reversal.gross == -original.gross
    assert [line["amount"] for line in reversal.lines] == [
        str(-D(line["amount"])) for line in original.lines
    ]
    approve(reversal)
    reversal.refresh_from_db()
    assert reversal.number == original.number + 1
    with pytest.raises(Conflict):
        services.payslip_correct(payslip=original, pay_date=original.pay_date, actor=None)
    text = pdf_text(typst_pdf(payslip_document_data(reversal, sample_facts("BE"), "en")))
    assert original.reference in text and "Corrected payslip" in text


def test_the_member_sees_their_payslips_by_year_and_downloads_only_their_own(client, activity):  # noqa: F811
    from django.urls import reverse

    from smartcoop.core.templatetags.smartcoop import money
    from tests.activities.factories import ActivityFactory, credit

    payslip = approve(draft(activity, 8, 48))
    payslip_render_pdf(payslip_id=payslip.pk, entity_id=payslip.entity_id)
    client.force_login(activity.coordinator.user)
    page = client.get(reverse("payroll:member_index")).content.decode()
    assert payslip.reference in page and str(payslip.pay_date.year) in page
    assert money(payslip.net_pay) in page  # the net paid
    url = reverse("payroll:member_payslip_pdf", args=[payslip.public_id])
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    other = ActivityFactory()
    credit(other, "30000.00")
    client.force_login(other.coordinator.user)
    assert client.get(url).status_code == 404
    assert payslip.reference not in client.get(reverse("payroll:member_index")).content.decode()


def test_a_payroll_officer_sees_a_payslip_of_their_entity_only(client, activity):  # noqa: F811
    from django.urls import reverse

    from smartcoop.core.templatetags.smartcoop import money
    from tests.factories import LegalEntityFactory, staff_user

    payslip = approve(draft(activity, 9, 49))
    payslip_render_pdf(payslip_id=payslip.pk, entity_id=payslip.entity_id)
    client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
    page = client.get(reverse("payroll:staff_payslip", args=[payslip.public_id]))
    assert page.status_code == 200 and payslip.reference in page.content.decode()
    assert "Personal social security contribution" in page.content.decode()
    # the worker's only contract with the entity: its exit holiday pay is listed above the gross
    body = page.content.decode()
    assert body.index("Exit holiday pay, single part") < body.index("Gross pay")
    # ... below the wages themselves, so the lines add up to the gross as on the PDF
    earned = sum(Decimal(str(x["amount"])) for x in payslip.lines if x["side"] == "earning")
    assert body.index("Wages") < body.index("Exit holiday pay, single part")
    assert money(payslip.gross - earned) in body
    pdf = client.get(reverse("payroll:staff_payslip_pdf", args=[payslip.public_id]))
    assert pdf.status_code == 200
    client.force_login(staff_user("payroll_officer", entities=[LegalEntityFactory()]))
    assert client.get(reverse("payroll:staff_payslip", args=[payslip.public_id])).status_code == 404


def test_a_render_chunk_prints_what_one_render_prints_in_the_same_few_queries(activity):  # noqa: F811
    """A pay run renders its PDFs 25 to a task: the chunk reads the facts of all its payslips
    at once (year-to-date included) and prints exactly what rendering each alone prints."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from payroll.documents.render import payslip_facts, payslip_language
    from payroll.tasks import payslips_render_pdfs

    payslips = [approve(draft(activity, day, 40 + day)) for day in range(1, 8)]
    expected = {}
    for payslip in payslips:
        language = payslip_language(payslip)
        data = payslip_document_data(payslip, payslip_facts(payslip), language)
        expected[payslip.pk] = pdf_text(typst_pdf(data))  # the bytes carry the time of day
    with CaptureQueriesContext(connection) as two:
        assert payslips_render_pdfs([p.pk for p in payslips[:2]]) == (2, [])
    with CaptureQueriesContext(connection) as five:
        assert payslips_render_pdfs([p.pk for p in payslips[2:]]) == (5, [])
    assert len(five.captured_queries) == len(two.captured_queries) <= 12
    for payslip in payslips:
        document = PayslipDocument.objects.get(payslip=payslip)
        content = document.pdf.read()
        assert pdf_text(content) == expected[payslip.pk]
        assert document.sha256 == hashlib.sha256(content).hexdigest()
    # the last payslip's year to date adds up the seven gross pays of the year
    text = pdf_text(PayslipDocument.objects.get(payslip=payslips[-1]).pdf.read())
    year_gross = sum((p.gross for p in payslips), D("0"))
    assert f"{year_gross:.2f}".replace(".", ",") in text.replace(".", "")
    # rendered payslips are skipped: a second chunk stores nothing
    assert payslips_render_pdfs([p.pk for p in payslips]) == (0, [])
    assert PayslipDocument.objects.filter(payslip__in=payslips).count() == 7


def test_each_countrys_legal_mentions_are_printed():
    """BE: employer and ONSS numbers, joint committee, worker category, period, hours; FR: SIREN
    and SIRET, net social, the PAS rate and amount, total employer cost; both: the mention of a
    tax profile left at the legal default (the samples have none)."""
    from payroll.documents.render import money, percent

    def plain(text):  # the PDF's narrow and non-breaking spaces and apostrophes, plainly
        return " ".join(text.translate({0x202F: " ", 0xA0: " ", 0x2019: "'"}).split())

    def text_of(country, language):
        payslip = sample_payslip(country)
        text = pdf_text(typst_pdf(payslip_document_data(payslip, sample_facts(country), language)))
        return payslip, plain(text)

    payslip, be = text_of("BE", "nl")
    assert "tax_profile_default" in payslip.notes
    for words in ("Ondernemingsnummer 0896.755.397", "051-1234567-89", "Paritair comité 200",
                  "Werknemerscategorie Bediende", "01-06-2026 \u2013 30-06-2026",
                  "Betaalde uren 151,67", "wettelijke standaard"):  # fmt: skip
        assert words in be, words
    payslip, fr = text_of("FR", "fr")
    pas = next(line for line in payslip.lines if line["code"] == "pas")
    for words in ("SIREN 512 345 678", "SIRET 512 345 678 00021", "Catégorie de travailleur Cadre",
                  "Montant net social", f"taux non personnalisé {percent(pas['rate'], 'fr')}",
                  money(pas["amount"], "fr"),
                  f"Coût total employeur {money(payslip.employer_cost, 'fr')}",
                  "situation par défaut"):  # fmt: skip
        assert plain(words) in fr, words


def test_the_tax_return_figures_are_per_employer_never_added_across_entities(client, activity):  # noqa: F811
    """A 281.10 is one form per employer, and a French employer's net imposable is another
    country's figure: a member paid by two entities in a year sees two blocks, each its own."""
    from django.urls import reverse

    from tests.factories import LegalEntityFactory

    payslip = approve(draft(activity, 10, 50))
    other = LegalEntityFactory(name="Smart France SCIC")
    Payslip.objects.create(
        entity=other, member=activity.coordinator, pay_date=payslip.pay_date,
        period_start=payslip.period_start, period_end=payslip.period_end, category="non_cadre",
        status="approved", gross=D("1000.00"), employee_deductions=D("250.00"),
        net_taxable=D("800.00"), net_social=D("780.00"), net_pay=D("750.00"),
        employer_contributions=D("400.00"), employer_cost=D("1400.00"), number=1,
        year=payslip.pay_date.year,
        lines=[{"code": "pas", "amount": "30.00", "side": "employee"}],
    )  # fmt: skip
    client.force_login(activity.coordinator.user)
    page = client.get(reverse("payroll:member_index"))
    years = page.context["years"]
    assert [(y["year"], y["employer"]) for y in years] == sorted(
        [(payslip.pay_date.year, activity.entity.name), (payslip.pay_date.year, other.name)],
        key=lambda pair: pair[1],
    )
    french = next(y for y in years if y["employer"] == other.name)
    assert (french["gross"], french["taxable"], french["withheld"]) == (
        D("1000.00"), D("800.00"), D("30.00"))  # fmt: skip
    ours = next(y for y in years if y["employer"] == activity.entity.name)
    assert ours["gross"] == payslip.gross and ours["taxable"] == payslip.net_taxable
    assert f"{payslip.pay_date.year} · Smart France SCIC" in page.content.decode()


@pytest.mark.parametrize("language", ["en", "fr", "nl", "de"])
def test_the_longest_payslips_stay_on_one_page_in_every_language(language):
    """A French cadre's 28 lines and a Belgian leaver's exit holiday pay, the longest payslips
    the engines make, print on one A4 page whatever the language's label lengths."""
    import io

    from pypdf import PdfReader

    for country, payslip in (("FR", sample_payslip("FR")),
                             ("FR", sample_payslip("FR", intermittent="technician")),
                             ("BE", sample_payslip("BE", exit_holiday=True))):  # fmt: skip
        pdf = typst_pdf(payslip_document_data(payslip, sample_facts(country), language))
        assert len(PdfReader(io.BytesIO(pdf)).pages) == 1, (country, language)


FR_HEADINGS = [
    "Santé",
    "Accidents du travail \u2013 maladies professionnelles",
    "Retraite",
    "Famille",
    "Assurance chômage",
    "Autres contributions dues par l'employeur",
    "CSG déductible de l'impôt sur le revenu",
    "CSG/CRDS non déductible de l'impôt sur le revenu",
    "Exonérations, écrêtements et allègements de cotisations",
]


def test_the_french_payslip_groups_contributions_by_risk_both_parts_in_one_row():
    """The "bulletin de paie clarifié" (arrêté of 25 February 2016): the contributions under
    the official risk headings, each with its base, the employee's rate and amount and the
    employer's rate and amount on one line; then the totals, the nets, the withholding (base,
    rate, non-personalised) and the employer's total cost. Every line is printed once."""
    payslip = sample_payslip("FR")
    data = payslip_document_data(payslip, sample_facts("FR"), "fr")
    sections = data["grouped"]["sections"]
    assert [s["label"] for s in sections] == FR_HEADINGS
    retirement = {r["label"]: r for r in sections[2]["rows"]}
    capped = retirement["Sécurité sociale plafonnée"]
    assert capped["base"] == "4\u202f005,00"
    assert tuple(capped["employee"]) == ("6,9\u00a0%", "276,35")
    assert tuple(capped["employer"]) == ("8,55\u00a0%", "342,43")
    # each side's rows add up to its total, and nothing is printed twice or left out
    rows = [r for s in sections for r in s["rows"]]

    def total(side):
        return sum((D(r[side][1].replace("\u202f", "").replace(",", ".").replace("\u2212", "-"))
                    for r in rows if r[side][1]), D("0"))  # fmt: skip

    pas = next(D(line["amount"]) for line in payslip.lines if line["code"] == "pas")
    assert total("employee") == payslip.employee_deductions - pas
    assert total("employer") == payslip.employer_contributions
    # on paper: one line holds the label, the base, both rates and both amounts
    text = pdf_text(typst_pdf(data)).replace("\u202f", " ").replace("\u00a0", " ")
    line = next(x for x in text.splitlines() if "Sécurité sociale plafonnée" in x)
    assert all(x in line for x in ("4 005,00", "6,9 %", "276,35", "8,55 %", "342,43"))
    total_line = next(x for x in text.splitlines() if "Total des cotisations" in x)
    assert "1 078,02" in total_line and "2 031,03" in total_line
    for words in (
                  "Net à payer avant impôt sur le revenu", "taux non personnalisé 13,8", "Net payé",
                  "Montant net social", "Net imposable", "Coût total employeur"):  # fmt: skip
        assert words in text, words
    assert text.index("Santé") < text.index("Retraite") < text.index("Total des cotisations")
    assert text.index("Total des cotisations") < text.index("Net payé")


def test_a_personalised_withholding_rate_is_said_to_be_one():
    payslip = sample_payslip("FR", pas_rate="0.075")
    text = pdf_text(typst_pdf(payslip_document_data(payslip, sample_facts("FR"), "fr")))
    assert "taux personnalisé 7,5" in text and "non personnalisé" not in text


@pytest.mark.parametrize("language", ["fr", "nl", "de"])
def test_the_risk_headings_are_translated(language):
    english = payslip_document_data(sample_payslip("FR"), sample_facts("FR"), "en")
    data = payslip_document_data(sample_payslip("FR"), sample_facts("FR"), language)
    pairs = zip(english["grouped"]["sections"], data["grouped"]["sections"], strict=True)
    for ours, theirs in pairs:
        assert ours["label"] != theirs["label"], (language, ours["label"])
        for a, b in zip(ours["rows"], theirs["rows"], strict=True):
            assert a["label"] != b["label"] or a["label"] in {"CRDS"}, (language, a["label"])


def test_every_french_line_has_its_place_under_a_heading():
    """Whatever the engine computes for France (cadre or not, intermittent technician or
    artist, a low wage with the réduction générale) is printed under an official heading,
    never under the "other lines" catch-all."""
    from smartcoop.countries import pack_of_country

    layout = pack_of_country("FR").payslip
    named = {code for h in layout.contribution_headings for r in h.rows
             for code in (r.employee, r.employer) if code}  # fmt: skip
    payslips = [sample_payslip("FR"), sample_payslip("FR", "1900.00"),
                sample_payslip("FR", intermittent="artist"),
                sample_payslip("FR", "9000.00", intermittent="technician")]  # fmt: skip
    codes = {line["code"] for p in payslips for line in p.lines} - {"pas"}
    assert "reduction_generale" in codes and "conges_spectacles" in codes
    assert codes <= named, codes - named
    for payslip in payslips:
        data = payslip_document_data(payslip, sample_facts("FR"), "en")
        assert "Other lines" not in [s["label"] for s in data["grouped"]["sections"]]


def test_the_belgian_payslip_keeps_its_two_tables():
    data = payslip_document_data(sample_payslip("BE"), sample_facts("BE"), "nl")
    assert data["grouped"] is None and data["worker_lines"] and data["employer_lines"]


def test_the_demo_payslip_names_its_joint_committee_and_prints_the_enterprise_number_formatted():
    """The demo's paid payslip (seed_demo): 'Paritair comité 200', not a silent '—', and the
    entity's enterprise number as the KBO prints it (0466.388.470, not 0466388470)."""
    import io

    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from payroll.documents.render import enterprise_number, payslip_facts

    call_command("seed_demo", stdout=io.StringIO())
    with scopes_disabled():
        payslip = Payslip.objects.filter(status="approved").select_related("member").get()
        stored = payslip.entity.enterprise_number
        text = pdf_text(typst_pdf(payslip_document_data(payslip, payslip_facts(payslip), "nl")))
    printed = enterprise_number(payslip.entity)
    assert stored.isdigit() and printed == f"{stored[:4]}.{stored[4:7]}.{stored[7:]}"
    plain = " ".join(text.split())
    assert f"Ondernemingsnummer {printed}" in plain
    assert "Paritair comité 200" in plain
