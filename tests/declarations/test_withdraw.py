"""A quarter (DmfA) or a month (DSN) with nothing to declare is not filed: the one action and
the direct build refuse it with a clear message and create nothing. A periodic declaration in
draft or ready that should not be sent is withdrawn by staff with a reason (audited): it is no
longer late, and nothing else can be withdrawn that way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations import dmfa, selectors, services, services_dsn
from declarations.models import Declaration, FilingJob
from smartcoop.core.errors import ValidationFailed
from smartcoop.core.models import AuditLogEntry
from smartcoop.countries.registry import load_pack
from tests.factories import staff_user

from .helpers import make_contract, worker_activity

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("entity")]
S = Declaration.Status


def last_quarter() -> str:
    return dmfa.quarter_of(timezone.localdate().replace(day=1) - dt.timedelta(days=100))


def test_filing_a_quarter_without_payslips_is_refused_with_a_clear_message(entity, client):
    quarter = last_quarter()
    with pytest.raises(ValidationFailed) as refused:
        services.filing_start(entity=entity, kind="dmfa", period=quarter, actor=None)
    assert refused.value.field == "period"
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    page = client.post(
        reverse("declarations:file"), {"kind": "dmfa", "period": quarter}, follow=True
    ).content.decode()
    label = f"{quarter[:4]} Q{quarter[4:]}"
    assert f"Nothing to declare for {label}: no payslip of this entity has its period" in page
    page = client.post(reverse("declarations:dmfa"), {"quarter": quarter}, follow=True)
    assert "Nothing to declare for" in page.content.decode()
    assert not FilingJob.objects.with_scopes_disabled().exists()
    assert not Declaration.objects.with_scopes_disabled().filter(kind="dmfa").exists()
    assert selectors.late_count(entity=entity) == 0


def test_filing_a_month_without_payslips_is_refused(entity, client, settings):
    settings.COUNTRY_PACK = load_pack("FR")
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    for url, data in (
        (reverse("declarations:file"), {"kind": "dsn", "period": month}),
        (reverse("declarations:dsn"), {"month": month}),
    ):
        page = client.post(url, data, follow=True).content.decode()
        assert f"Nothing to declare for {month}: no payslip" in page
    assert not Declaration.objects.with_scopes_disabled().filter(kind="dsn").exists()


def test_staff_withdraw_a_late_empty_dmfa_with_a_reason(entity, client):
    """A draft DmfA left by an earlier filing of an empty quarter, now past its deadline: staff
    withdraw it with a reason and it no longer counts as late."""
    empty = services.dmfa_build_quarter(entity=entity, quarter=last_quarter(), actor=None)
    Declaration.objects.with_scopes_disabled().filter(pk=empty.pk).update(
        due_at=timezone.now() - dt.timedelta(days=3)
    )
    assert empty.status == S.DRAFT and selectors.late_count(entity=entity) == 1
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    url = reverse("declarations:detail", args=[empty.public_id])
    page = client.get(url).content.decode()
    assert "data-withdraw" in page and 'value="withdraw"' in page

    refused = client.post(url, {"action": "withdraw", "reason": "  "}, follow=True)
    assert "Say why it should not be sent." in refused.content.decode()
    empty.refresh_from_db()
    assert empty.status == S.DRAFT

    done = client.post(
        url, {"action": "withdraw", "reason": "No one was paid this quarter"}, follow=True
    ).content.decode()
    assert "The declaration is withdrawn: it will not be sent." in done
    empty.refresh_from_db()
    assert empty.status == S.WITHDRAWN
    assert selectors.late_count(entity=entity) == 0
    queue = client.get(reverse("declarations:queue")).content.decode()
    assert str(empty.public_id) not in queue
    entry = AuditLogEntry.objects.get(
        action="declarations.declaration.withdrawn", target_id=str(empty.public_id)
    )
    assert entry.data["reason"] == "No one was paid this quarter"
    assert "data-withdraw" not in client.get(url).content.decode()


def test_a_month_dsn_in_draft_is_withdrawn_and_a_dimona_is_not_withdrawn_here(
    entity, client, settings
):
    settings.COUNTRY_PACK = load_pack("FR")
    month = timezone.localdate().replace(day=1) - dt.timedelta(days=40)
    dsn = services_dsn.dsn_build_month(
        entity=entity, year=month.year, month=month.month, actor=None
    )
    assert dsn.status == S.DRAFT
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    client.post(
        reverse("declarations:detail", args=[dsn.public_id]),
        {"action": "withdraw", "reason": "Built by mistake"},
    )
    dsn.refresh_from_db()
    assert dsn.status == S.WITHDRAWN

    settings.COUNTRY_PACK = load_pack("BE")
    dimona = Declaration.objects.with_scopes_disabled().get(
        contract=make_contract(worker_activity(entity))
    )
    url = reverse("declarations:detail", args=[dimona.public_id])
    assert "data-withdraw" not in client.get(url).content.decode()
    page = client.post(url, {"action": "withdraw", "reason": "no"}, follow=True).content.decode()
    assert "withdrawn by cancelling its contract" in page
    dimona.refresh_from_db()
    assert dimona.status == S.READY


def test_a_correction_of_a_rejected_dmfa_is_not_withdrawn(entity, client):
    """Withdrawing it would leave the rejected one with nothing to correct it."""
    quarter = last_quarter()
    rejected = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    Declaration.objects.with_scopes_disabled().filter(pk=rejected.pk).update(
        status=S.REJECTED, authority_message="refused", payload_sha256="0" * 64
    )
    correction = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    assert correction.corrects_id == rejected.pk and correction.status == S.DRAFT
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    url = reverse("declarations:detail", args=[correction.public_id])
    assert "data-withdraw" not in client.get(url).content.decode()
    page = client.post(url, {"action": "withdraw", "reason": "oops"}, follow=True)
    assert "corrects a rejected one" in page.content.decode()
    correction.refresh_from_db()
    assert correction.status == S.DRAFT
