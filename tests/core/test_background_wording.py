"""Pages whose work happens in the background say so in plain words: a member of staff reading
Dutch is not told that "a worker" (the Celery process) computes the payslips, on a page where
"worker" (werknemer) also means the people being paid."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import staff_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["payroll:runs", "declarations:queue"])
def test_background_work_is_described_without_the_word_worker(client, entity, url_name):
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    client.cookies["smartcoop_language"] = "nl"
    html = client.get(reverse(url_name)).content.decode()
    assert "op de achtergrond" in html
    assert "worker" not in html.replace("werknemer", "").lower().replace("data-worker", "")
