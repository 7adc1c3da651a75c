"""What the packs say drives the apps (issue #9): payroll's engines, worker categories and
simulator hours, the French forms (PAS rate, AT/MP rates), the payslip's layout, which
declarations are filed and the regions of the key figures. Each test changes the pack (a copy
with one field changed, as a new country would state it) and sees the app follow."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse

from activities.net_estimators import NetEstimateRequest
from declarations.models import Declaration
from payroll.calculations import (
    ContractPay,
    Intermittent,
    PayInput,
    WorkerCategory,
    compute_pay,
)
from payroll.documents.render import payslip_document_data
from payroll.documents.sample import sample_facts, sample_payslip
from payroll.estimates import estimate_net
from smartcoop.countries import available_countries, load_pack
from tests.declarations.helpers import make_contract, worker_activity
from tests.factories import staff_user

D = Decimal
JUNE = (dt.date(2026, 6, 1), dt.date(2026, 6, 30))


def test_every_pack_with_a_payroll_engine_names_modules_that_compute_its_contract_types():
    for code in sorted(available_countries()):
        pack = load_pack(code)
        if not pack.payroll_engine:
            assert not any(t.worker_category for t in pack.contract_types), code
            continue
        engine = importlib.import_module(f"payroll.calculations.{pack.payroll_engine}")
        batch = importlib.import_module(f"payroll.calculations.{pack.payroll_batch_engine}")
        assert callable(engine.compute) and callable(batch.plan), code
        for contract_type in pack.contract_types:
            if contract_type.pays_salary:
                assert WorkerCategory(contract_type.worker_category) in engine.CATEGORIES
            else:
                assert not contract_type.worker_category  # a French CAPE: no payslip


def test_a_country_without_an_engine_or_a_category_of_another_is_refused():
    contract = (ContractPay("C-1", D("2000.00"), D("151.67"), *JUNE),)
    with pytest.raises(ValueError, match="no payroll engine for DE"):
        compute_pay(PayInput("DE", WorkerCategory.EMPLOYEE, *JUNE, contract))
    with pytest.raises(ValueError, match="not a worker category of FR"):
        compute_pay(PayInput("FR", WorkerCategory.STUDENT, *JUNE, contract))


def test_the_simulator_reads_the_full_month_and_the_intermittent_contract_from_the_pack():
    """Without hours, a full-time month of the pack (France 151.67 h); the CDDU, an
    intermittent's contract type, is a short contract with the technicians' annexe 8, the CDI
    is neither."""
    pack = load_pack("FR")
    on = dt.date(2026, 6, 15)

    def engine(*, intermittent: bool) -> D:
        return compute_pay(
            PayInput(
                "FR", WorkerCategory.NON_CADRE, *JUNE,
                (ContractPay("estimate", D("2500.00"), pack.full_month_hours, *JUNE),),
                at_mp_rate=D("0"), short_contract=intermittent,
                intermittent=Intermittent.TECHNICIAN if intermittent else None,
            )
        ).net_pay  # fmt: skip

    cddu = estimate_net(NetEstimateRequest("FR", "cddu", D("2500.00"), on))
    cdi = estimate_net(NetEstimateRequest("FR", "cdi", D("2500.00"), on))
    assert pack.contract_type("cddu").intermittent and not pack.contract_type("cdi").intermittent
    assert cddu.net == engine(intermittent=True)
    assert cdi.net == engine(intermittent=False)
    assert cddu.net != cdi.net
    assert estimate_net(NetEstimateRequest("FR", "cape", D("2500.00"), on)) is None


def test_the_payslip_prints_what_the_packs_layout_says():
    be = payslip_document_data(sample_payslip("BE"), sample_facts("BE"), "en")
    fr = payslip_document_data(sample_payslip("FR"), sample_facts("FR"), "en")
    assert be["fr"] is None and "Net social amount" in [row["label"] for row in fr["fr"]]
    assert be["grouped"] is None and fr["grouped"]["sections"][0]["label"] == "Health"
    be_facts, fr_facts = (dict(row) for row in (be["facts"][1], fr["facts"][1]))
    assert be_facts["Joint committee"] == "200" and "Joint committee" not in fr_facts
    assert "ONSS employer number" in be_facts and "SIRET" in fr_facts
    assert be["mentions"][-1].startswith("Keep this payslip: it proves your pay")
    assert fr["mentions"][-1].startswith("Keep this payslip without time limit")


# --- Pages and services: the deployment's pack -------------------------------------------------


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_the_at_mp_pages_follow_the_packs_work_accident_rates(settings, client, entity):
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    settings.COUNTRY_PACK = load_pack("FR")
    assert "Work-accident rates" in client.get(reverse("payroll:staff_index")).content.decode()
    assert client.get(reverse("payroll:staff_work_accident_rates")).status_code == 200
    settings.COUNTRY_PACK = replace(load_pack("FR"), work_accident_rates=False)
    assert "Work-accident rates" not in client.get(reverse("payroll:staff_index")).content.decode()
    assert client.get(reverse("payroll:staff_work_accident_rates")).status_code == 404


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_the_personalised_withholding_rate_is_asked_where_the_pack_has_it(settings, client):
    from tests.activities.factories import make_member

    member = make_member()
    client.force_login(member.user)
    settings.COUNTRY_PACK = load_pack("BE")
    assert "fr_pas_rate_percent" not in client.get(reverse("payroll:tax_profile")).content.decode()
    settings.COUNTRY_PACK = replace(load_pack("BE"), personalised_withholding_rate=True)
    assert "fr_pas_rate_percent" in client.get(reverse("payroll:tax_profile")).content.decode()


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_the_declarations_filed_are_the_packs(settings, client, entity):
    settings.COUNTRY_PACK = load_pack("BE")
    activity = worker_activity(entity)
    declared = make_contract(activity, start=dt.date.today() + dt.timedelta(days=5))
    kinds = Declaration.objects.with_scopes_disabled().filter(contract=declared)
    assert list(kinds.values_list("kind", flat=True)) == ["dimona_in"]
    settings.COUNTRY_PACK = replace(load_pack("BE"), hiring_declaration="")
    undeclared = make_contract(activity, start=dt.date.today() + dt.timedelta(days=6))
    assert not Declaration.objects.with_scopes_disabled().filter(contract=undeclared).exists()

    client.force_login(staff_user("payroll_officer", entities=[entity]))
    settings.COUNTRY_PACK = load_pack("BE")
    html = client.get(reverse("declarations:queue")).content.decode()
    assert "DmfA of a quarter" in html and "Tax forms 281.10" in html
    assert "DSN of a month" not in html
    settings.COUNTRY_PACK = replace(load_pack("BE"), periodic_declarations=("dmfa",))
    html = client.get(reverse("declarations:queue")).content.decode()
    assert "DmfA of a quarter" in html and "Tax forms 281.10" not in html
    settings.COUNTRY_PACK = load_pack("FR")
    html = client.get(reverse("declarations:queue")).content.decode()
    assert "DSN of a month" in html and "DmfA of a quarter" not in html
