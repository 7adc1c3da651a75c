"""The scale seeder at a small factor: the report's proportions, and the platform's invariants."""

from __future__ import annotations

from decimal import Decimal

from django.core.management import call_command
from django.db.models import F
from django_scopes import scopes_disabled

from activities.models import EmploymentContract
from invoicing.models import Invoice
from keyfigures import scale, selectors
from members.models import Member
from payroll.models import Payslip
from payroll.services import payslip_reference
from smartcoop.core.models import LegalEntity


def test_seed_scale_builds_the_report_volumes_and_keeps_the_invariants(db, capsys):
    call_command("seed_scale", "--profile", "smart-be", "--factor", "0.002", "--years", "2",
                 "--last-year", "2025")  # fmt: skip
    out = capsys.readouterr().out
    assert "invariants hold" in out
    with scopes_disabled():
        assert scale.check_invariants() == []
        assert Member.objects.filter(email__endswith="@scale.invalid").count() == 55
        issued = Invoice.objects.filter(kind="invoice", year=2025, performance__scale=True)
        assert issued.count() > 0
        invoices_2025 = Invoice.objects.filter(kind="invoice", year=2025).exclude(
            activity__name__startswith="Demo"
        )
        assert 280 <= invoices_2025.count() <= 299  # 149,308 x 0.002
        # Written by COPY: every paid invoice has its payment and is settled, and the payslips
        # carry payroll's own references.
        paid = invoices_2025.filter(status="paid")
        assert paid.count() > 200
        assert not paid.exclude(amount_paid=F("total_incl_vat")).exists()
        assert paid.filter(payments__amount=F("total_incl_vat")).distinct().count() == paid.count()
        slip = Payslip.objects.filter(year=2025).order_by("number").last()
        assert slip is not None and slip.reference == payslip_reference(
            year=2025, number=slip.number
        )
        contracts = EmploymentContract.objects.filter(paid_on__year=2025, function="Freelance work")
        assert contracts.count() > 100
        ids = tuple(LegalEntity.objects.values_list("pk", flat=True))
        figures = selectors.work_totals(selectors.Scope(year=2025, entity_ids=ids))
        assert figures["work_budget"] == selectors.ledger_work_budget(
            selectors.Scope(year=2025, entity_ids=ids)
        )
        turnover = sum(
            r["turnover"]
            for r in selectors.turnover_by_entity(selectors.Scope(year=2025, entity_ids=ids))
        )
        # ~129.7 M x 0.002 = 259 k, within the spread of the drawn amounts
        assert Decimal("150000") < turnover < Decimal("400000")
