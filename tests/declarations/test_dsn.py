"""DSN (France): the monthly DSN of an establishment from the approved payslips of the month,
its end-of-contract signals (FCTU) for ended CDDU, both passing the checker built from the norm's
CSVs, with totals equal to the payslips'; bad input keeps it in draft; the PAS rates the tax
administration returns are applied from their date, an unreadable file is kept and not applied."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations import dsn, services_dsn
from declarations.models import AuthorityAnswer, Declaration, DsnSettings, PasRate
from payroll import services as payroll
from payroll.models import TaxProfile
from smartcoop.core.errors import Conflict
from smartcoop.core.models import LegalEntity
from smartcoop.countries.registry import load_pack
from tests.activities.factories import make_member
from tests.factories import staff_user

from . import dsn_checker
from .helpers import make_contract, worker_activity

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("entity")]
NIR = "185077505612345"
NIR_2 = "292037512345678"
SIRET = "73282932000074"


@pytest.fixture
def france(settings):
    settings.COUNTRY_PACK = load_pack("FR")


def french_employer(entity, *, settings: bool = True):
    LegalEntity.objects.filter(pk=entity.pk).update(
        employer_number=SIRET,
        street="10 rue de la Roquette",
        postcode="75011",
        city="Paris",
        country="FR",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
    )
    entity.refresh_from_db()
    if settings:
        DsnSettings.objects.with_scopes_disabled().create(
            entity=entity,
            naf_code="9001Z",
            urssaf_id="78861779300013",
            retirement_id="G022",
            leave_fund_id="CCS75",  # a CDDU pays Congés Spectacles (payroll intermittents)
            contact_name="Service paie",
            contact_email="paie@example.org",
            contact_phone="0102030405",
        )


def next_month_start() -> dt.date:
    today = dt.date.today()
    return (today.replace(day=28) + dt.timedelta(days=40)).replace(day=1)


def paid(activity, member, kind: str, days: list[int], *, length: int = 1):
    from activities.services import contract_validate

    month = next_month_start()
    contracts = []
    for day in days:
        contract = make_contract(
            activity, start=month + dt.timedelta(days=day), days=length, kind=kind, validate=False
        )
        if member is not None:
            type(contract).objects.with_scopes_disabled().filter(pk=contract.pk).update(
                member=member
            )
            contract.refresh_from_db()
        contracts.append(contract_validate(contract=contract, actor=None))
    payslip = payroll.payslip_compute(
        entity=activity.entity,
        member=contracts[0].member,
        pay_date=month + dt.timedelta(days=40),
        contracts=contracts,
        actor=None,
        at_mp_rate=Decimal("0.0090"),
    )
    return payroll.payslip_approve(
        payslip=payslip, actor=None, now=timezone.now(), render_pdf=False
    )


def two_workers(entity):
    activity = worker_activity(entity, national_number=NIR)
    first = activity.coordinator
    first.birth_date = dt.date(1985, 7, 30)
    first.save()
    one = paid(activity, None, "cddu", [2, 9])
    second = make_member(
        national_number=NIR_2,
        birth_date=dt.date(1992, 3, 14),
        first_name="Zoé",
        last_name="Lefèvre",
    )
    two = paid(activity, second, "cdi", [12], length=10)
    return [one, two]


def build(entity):
    month = next_month_start()
    return services_dsn.dsn_build_month(
        entity=entity, year=month.year, month=month.month, actor=None
    )


def total(values) -> Decimal:
    return sum(values, Decimal("0"))


def test_the_monthly_dsn_equals_the_payslips_and_passes_the_checker(entity, france):
    french_employer(entity)
    payslips = two_workers(entity)
    declaration = build(entity)
    assert declaration.status == "ready", declaration.problems
    content = declaration.payload
    assert dsn_checker.check(content) == []
    assert dsn_checker.values(content, "S20.G00.05.001") == ["01"]
    assert dsn_checker.values(content, "S20.G00.05.005") == [
        "01" + next_month_start().strftime("%m%Y")
    ]
    assert sorted(dsn_checker.values(content, "S21.G00.30.001")) == [NIR[:13], NIR_2[:13]]
    assert sorted(dsn_checker.values(content, "S21.G00.40.007")) == ["01", "02", "02"]
    assert dsn_checker.values(content, "S21.G00.40.021") == ["05", "05"]
    assert dsn_checker.values(content, "S21.G00.06.001") == [SIRET[:9]]

    def line_sum(slips, *, pas: bool) -> Decimal:
        return total(
            Decimal(line["amount"])
            for slip in slips
            for line in slip.lines
            if (line["code"] == "pas") == pas
        )

    gross = [
        Decimal(v)
        for v, kind in zip(
            dsn_checker.values(content, "S21.G00.51.013"),
            dsn_checker.values(content, "S21.G00.51.011"),
            strict=True,
        )
        if kind == "001"
    ]
    assert total(gross) == total(p.gross for p in payslips)
    assert total(dsn_checker.amounts(content, "S21.G00.50.002")) == total(
        p.net_taxable for p in payslips
    )
    assert total(dsn_checker.amounts(content, "S21.G00.50.004")) == total(
        p.net_pay for p in payslips
    )
    pas = total(dsn_checker.amounts(content, "S21.G00.50.009"))
    assert pas == line_sum(payslips, pas=True)
    assert total(dsn_checker.amounts(content, "S21.G00.81.004")) == line_sum(payslips, pas=False)
    # What is paid to the bodies is every deduction and every employer contribution.
    assert total(dsn_checker.amounts(content, "S21.G00.20.005")) == total(
        p.employee_deductions + p.employer_contributions for p in payslips
    )
    urssaf = dsn_checker.amounts(content, "S21.G00.20.005")[0]
    assert dsn_checker.amounts(content, "S21.G00.22.005") == [urssaf]
    assert total(dsn_checker.amounts(content, "S21.G00.23.005")) == urssaf
    assert "100" in dsn_checker.values(content, "S21.G00.23.001")
    # The réduction générale comes with the SMIC it was computed on (S21.G00.79 type 01).
    if "018" in dsn_checker.values(content, "S21.G00.81.001"):
        assert all(amount > 0 for amount in dsn_checker.amounts(content, "S21.G00.79.004"))
    # Two workers: the small employers' deadline, the 15th of the next month at noon.
    due = timezone.localtime(declaration.due_at)
    assert (due.day, due.hour) == (15, 12)
    assert due.month == (next_month_start().month % 12) + 1
    # Same inputs, same file (the order number and creation date aside).
    again = services_dsn.month_inputs(
        entity, next_month_start(), order=str(declaration.pk), created_on=timezone.localdate()
    )[0]
    assert dsn.dsn_text(again) == content


def test_ended_cddu_get_their_fctu_with_the_certificate_data(entity, france):
    french_employer(entity)
    two_workers(entity)
    build(entity)
    signals = Declaration.objects.with_scopes_disabled().filter(kind="dsn_fctu")
    assert signals.count() == 2  # the two CDDU; the CDI has not ended
    for signal in signals:
        assert signal.status == "ready", signal.problems
        content = signal.payload
        assert dsn_checker.check(content) == []
        assert dsn_checker.values(content, "S20.G00.05.001") == ["07"]
        assert dsn_checker.values(content, "S21.G00.62.002") == ["031"]
        assert dsn_checker.values(content, "S21.G00.62.001") == [
            signal.contract.end_date.strftime("%d%m%Y")
        ]
        assert (
            dsn_checker.values(content, "S21.G00.40.009")
            == dsn_checker.values(content, "S21.G00.51.010")[:1]
        )
        assert dsn_checker.values(content, "S21.G00.53.002") == ["8.00"]  # hours worked
        assert dsn_checker.values(content, "S21.G00.53.003") == ["35"]  # intermittents' hours
        assert "S21.G00.20.001" not in content
        end = signal.contract.end_date
        assert timezone.localtime(signal.due_at).date() > end
    # Building the month again does not duplicate the signals.
    build(entity)
    assert Declaration.objects.with_scopes_disabled().filter(kind="dsn_fctu").count() == 2


def test_a_broken_dsn_fails_the_checker(entity, france):
    french_employer(entity)
    two_workers(entity)
    content = build(entity).payload
    lines = content.split("\r\n")

    def broken(old: str, new: str) -> list[str]:
        assert old in content
        return dsn_checker.check(content.replace(old, new, 1))

    assert any("S20.G00.05.001" in e for e in broken("S20.G00.05.001,'01'", "S20.G00.05.001,'03'"))
    assert any("CSL-11" in e for e in broken(f"'{SIRET[:9]}'", "'732829321'"))
    assert any("CCH-11" in e and "S21.G00.30.006" in e for e in broken("'30071985'", "'30071986'"))
    assert any("S90.G00.90.001" in e for e in dsn_checker.check("\r\n".join(lines[1:])))
    no_restored = "\r\n".join(
        line
        for index, line in enumerate(lines)
        if not (
            line == "S21.G00.51.011,'003'"
            or lines[index + 1 : index + 2] == ["S21.G00.51.011,'003'"]
        )
    )
    assert any("S21.G00.51.011 CCH-11" in e for e in dsn_checker.check(no_restored))
    assert any("length" in e for e in broken("S21.G00.11.002,'9001Z'", "S21.G00.11.002,'9001ZZ'"))
    assert any("not a rubric line" in e for e in dsn_checker.check(content + "garbage\r\n"))
    # A remuneration without its payment block: out of the norm's tree.
    no_payment = "\r\n".join(line for line in lines if not line.startswith("S21.G00.50."))
    assert any("S21.G00.51 is not inside a S21.G00.50" in e for e in dsn_checker.check(no_payment))
    pas_line = next(line for line in lines if line.startswith("S21.G00.50.009"))
    assert any("CCH-11" in e for e in broken(pas_line, "S21.G00.50.009,'999.00'"))


def test_missing_nir_settings_or_parameter_keep_it_in_draft(entity, france):
    french_employer(entity, settings=False)
    activity = worker_activity(entity, national_number="")
    activity.coordinator.birth_date = dt.date(1985, 7, 30)
    activity.coordinator.save()
    paid(activity, None, "cddu", [3])
    declaration = build(entity)
    assert declaration.status == "draft" and declaration.payload == ""
    fields = [p["field"] for p in declaration.problems]
    assert "dsn_settings.naf_code" in fields and "dsn_settings.urssaf_id" in fields
    nir = next(p for p in declaration.problems if p["field"] == "member.national_number")
    assert nir["message"] == f"{activity.coordinator.display_name}: the worker has no NIR"
    fctu = Declaration.objects.with_scopes_disabled().get(kind="dsn_fctu")
    assert fctu.status == "draft"
    assert any(
        p["field"] == "member.national_number" and "contract " in p["message"]
        for p in fctu.problems
    )
    # A payslip line without its DSN code is named, not guessed.
    slip = SimpleNamespace(
        lines=[{"code": "new_levy", "amount": "1.00", "base": "100", "rate": "0.01"}],
        tax_profile={},
        net_taxable=Decimal("90"),
        paid_contracts=SimpleNamespace(all=lambda: []),
        parameters=[],
        pay_date=dt.date(2026, 2, 5),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
        gross=Decimal("100"),
        net_pay=Decimal("89"),
    )
    _payment, problems = services_dsn._payment(
        slip, codes=services_dsn._codes(dt.date(2026, 1, 1)), large=False, pas_rows=[], where="W"
    )
    assert problems[0].field == "parameter" and "new_levy" in problems[0].message


def test_rebuild_withdraws_a_draft_and_refuses_after_acceptance(entity, france, client):
    french_employer(entity)
    two_workers(entity)
    staff = staff_user("payroll_officer", entities=[entity])
    client.force_login(staff)
    month = next_month_start().strftime("%Y-%m")
    queue = client.get(reverse("declarations:queue")).content.decode()
    assert "DSN of a month" in queue and "Withholding rates returned" in queue
    assert client.post(reverse("declarations:dsn"), {"month": "2026-13"}).status_code == 302
    assert not Declaration.objects.with_scopes_disabled().filter(kind="dsn").exists()
    built = client.post(reverse("declarations:dsn"), {"month": month})
    first = Declaration.objects.with_scopes_disabled().get(kind="dsn")
    assert built["Location"] == reverse("declarations:detail", args=[first.public_id])
    download = client.get(reverse("declarations:payload", args=[first.public_id]))
    assert download["Content-Type"] == "text/plain; charset=iso-8859-1"
    assert download["Content-Disposition"].endswith('.txt"')
    assert download.content.decode("latin-1") == first.payload
    page = client.get(built["Location"]).content.decode()
    assert "file it on net-entreprises" in page
    second = build(entity)
    first.refresh_from_db()
    assert first.status == "withdrawn" and second.status == "ready"
    client.post(
        reverse("declarations:detail", args=[second.public_id]),
        {"action": "acknowledged", "reference": "DSN-2027-0001"},
    )
    second.refresh_from_db()
    assert second.status == "accepted" and second.authority_reference == "DSN-2027-0001"
    with pytest.raises(Conflict):
        build(entity)


def test_the_pas_return_applies_each_rate_from_its_date(entity, france, client):
    french_employer(entity)
    member = two_workers(entity)[0].member
    today = timezone.localdate()
    later = today + dt.timedelta(days=20)
    crm = (
        f"S21.G00.06.001,'{SIRET[:9]}'\r\nS21.G00.11.001,'{SIRET[9:]}'\r\n"
        f"S21.G00.30.001,'{NIR[:13]}'\r\nS21.G00.50.001,'{later:%d%m%Y}'\r\n"
        "S21.G00.50.006,'7.50'\r\nS21.G00.50.008,'4455667788'\r\n"
        "S21.G00.30.001,'1990175999999'\r\nS21.G00.50.001,'01012026'\r\n"
        "S21.G00.50.006,'3.00'\r\nS21.G00.50.008,'1'\r\n"
    ).encode()
    staff = staff_user("payroll_officer", entities=[entity])
    client.force_login(staff)
    response = client.post(
        reverse("declarations:pas_return"), {"answer": _upload(crm)}, follow=True
    )
    assert "Withholding rate applied to 1 worker." in response.content.decode()
    assert "withholding rate applied to 1 worker" in response.content.decode()  # answers list
    answer = AuthorityAnswer.objects.with_scopes_disabled().get()
    assert answer.parsed and answer.applied == 1 and len(answer.unmatched) == 1
    profiles = TaxProfile.objects.filter(member=member).order_by("valid_from")
    assert [(p.valid_from, p.fr_pas_rate) for p in profiles] == [(later, Decimal("0.0750"))]
    rate = PasRate.objects.with_scopes_disabled().get()
    assert rate.identifier == "4455667788" and rate.valid_from == later


def test_an_unreadable_pas_return_is_kept_and_never_applied(entity, france):
    from declarations.pas_return import pas_return_import

    french_employer(entity)
    two_workers(entity)
    today = timezone.localdate()
    for raw in (
        b"%PDF-1.4 not a CRM",
        f"S21.G00.06.001,'{SIRET[:9]}'\r\nS21.G00.11.001,'{SIRET[9:]}'\r\n".encode(),
        f"S21.G00.06.001,'{SIRET[:9]}'\r\nS21.G00.11.001,'{SIRET[9:]}'\r\n"
        f"S21.G00.30.001,'{NIR[:13]}'\r\nS21.G00.50.001,'01012027'\r\n"
        "S21.G00.50.006,'seven'\r\nS21.G00.50.008,'1'\r\n".encode(),
        f"S21.G00.06.001,'552100554'\r\nS21.G00.11.001,'00013'\r\n"
        f"S21.G00.30.001,'{NIR[:13]}'\r\nS21.G00.50.001,'01012027'\r\n"
        "S21.G00.50.006,'7.50'\r\nS21.G00.50.008,'1'\r\n".encode(),
    ):
        answer = pas_return_import(entity=entity, raw=raw, actor=None, today=today)
        assert not answer.parsed and answer.error and answer.applied == 0
    assert AuthorityAnswer.objects.with_scopes_disabled().count() == 4
    assert not TaxProfile.objects.exists() and not PasRate.objects.with_scopes_disabled().exists()


def test_a_personalised_rate_goes_into_the_dsn_with_its_identifier(entity, france):
    from declarations.pas_return import pas_return_import
    from members.models import Member

    french_employer(entity)
    activity = worker_activity(entity, national_number=NIR)
    member = activity.coordinator
    member.birth_date = dt.date(1985, 7, 30)
    member.save()
    make_contract(activity, start=next_month_start() + dt.timedelta(days=20), kind="cddu")
    today = timezone.localdate()
    crm = (
        f"S21.G00.06.001,'{SIRET[:9]}'\r\nS21.G00.11.001,'{SIRET[9:]}'\r\n"
        f"S21.G00.30.001,'{NIR[:13]}'\r\nS21.G00.50.001,'{today:%d%m%Y}'\r\n"
        "S21.G00.50.006,'12.30'\r\nS21.G00.50.008,'900001'\r\n"
    ).encode()
    assert pas_return_import(entity=entity, raw=crm, actor=None, today=today).applied == 1
    assert Member.objects.get(pk=member.pk).tax_profiles.get().fr_pas_rate == Decimal("0.1230")
    paid(activity, None, "cddu", [5])
    content = build(entity).payload
    assert dsn_checker.check(content) == []
    assert dsn_checker.values(content, "S21.G00.50.006") == ["12.30"]
    assert dsn_checker.values(content, "S21.G00.50.007") == ["01"]
    assert dsn_checker.values(content, "S21.G00.50.008") == ["900001"]


def _upload(raw: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("crm.txt", raw, content_type="text/plain")


def test_a_refused_dsn_is_corrected_from_its_page_and_a_draft_built_again(entity, france, client):
    french_employer(entity, settings=False)
    two_workers(entity)
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    draft = build(entity)
    assert draft.status == "draft"
    page = client.get(reverse("declarations:detail", args=[draft.public_id])).content.decode()
    assert "the DSN settings of the entity lack the APE/NAF code" in page
    DsnSettings.objects.with_scopes_disabled().create(
        entity=entity,
        naf_code="9001Z",
        urssaf_id="78861779300013",
        retirement_id="G022",
        leave_fund_id="CCS75",
        contact_name="Service paie",
        contact_email="paie@example.org",
    )
    rebuilt = client.post(
        reverse("declarations:detail", args=[draft.public_id]), {"action": "build"}
    )
    ready = Declaration.objects.with_scopes_disabled().get(kind="dsn", status="ready")
    assert rebuilt["Location"] == reverse("declarations:detail", args=[ready.public_id])
    client.post(
        reverse("declarations:detail", args=[ready.public_id]),
        {"action": "refused", "reference": "CCH-13", "message": "Période hors mois"},
    )
    ready.refresh_from_db()
    assert ready.status == "rejected" and ready.authority_codes == ["CCH-13"]
    corrected = client.post(
        reverse("declarations:detail", args=[ready.public_id]), {"action": "correct"}
    )
    correction = Declaration.objects.with_scopes_disabled().get(corrects=ready)
    assert corrected["Location"] == reverse("declarations:detail", args=[correction.public_id])
    ready.refresh_from_db()
    assert ready.status == "corrected" and correction.status == "ready"
    assert dsn_checker.check(correction.payload) == []


def test_an_administrator_records_the_dsn_settings_audited(entity, client):
    from smartcoop.core.models import AuditLogEntry
    from smartcoop.core.roles import Role

    client.force_login(staff_user(Role.ADMINISTRATOR, entities=[entity]))
    response = client.post(
        "/admin/declarations/dsnsettings/add/",
        {
            "entity": entity.pk,
            "naf_code": "9001Z",
            "urssaf_id": "78861779300013",
            "retirement_id": "G022",
            "leave_fund_id": "CCS75",
            "contact_name": "Service paie",
            "contact_email": "paie@example.org",
            "contact_phone": "0102030405",
            "test_mode": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = DsnSettings.objects.with_scopes_disabled().get(entity=entity)
    assert saved.naf_code == "9001Z" and saved.test_mode
    entry = AuditLogEntry.objects.get(action="declarations.dsn_settings.saved")
    assert "urssaf_id" in entry.data["changed"]
