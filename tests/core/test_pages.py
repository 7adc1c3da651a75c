import pytest
from django.test import Client


@pytest.mark.parametrize(
    ("language", "heading", "figure"),
    [
        ("nl", "Werk vrij", "27.268"),
        ("fr", "Travaillez librement", "27\u00a0268"),
        ("en", "Work freely", "27,268"),
        ("de", "Frei arbeiten", "27.268"),
    ],
)
@pytest.mark.django_db
def test_the_landing_page_speaks_each_language_with_its_number_format(language, heading, figure):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/")
    assert response.status_code == 200
    assert f'lang="{language}"' in response.text
    assert heading in response.text
    assert figure in response.text


@pytest.mark.django_db
def test_the_landing_page_shows_the_fee_and_share_price_of_the_pack():
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/")
    assert "6.5\u00a0%" in response.text
    assert "€30.00" in response.text


@pytest.mark.django_db
def test_the_back_office_dashboard_shows_failed_tasks_to_administrators_only(entity):
    from django.urls import reverse

    from smartcoop.core.models import TaskFailure
    from smartcoop.core.roles import Role
    from tests.factories import staff_user

    TaskFailure.objects.create(task_name="invoicing.render_documents", task_id="x", error="boom")
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(staff_user(Role.ADMINISTRATOR))
    widgets = {w["key"]: w for w in admin.get(reverse("core:backoffice_home")).context["widgets"]}
    assert widgets["failed_tasks"]["figure"].value == 1
    assert widgets["failed_tasks"]["figure"].tone == "bad"

    adviser = Client(HTTP_ACCEPT_LANGUAGE="en")
    adviser.force_login(staff_user(Role.ADVISER, entities=[entity]))
    keys = {w["key"] for w in adviser.get(reverse("core:backoffice_home")).context["widgets"]}
    assert "failed_tasks" not in keys


@pytest.mark.django_db
def test_the_landing_page_leads_to_the_simulator_which_needs_no_account():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert 'href="/activities/simulator/"' in client.get("/").text
    assert client.get("/activities/simulator/").status_code == 200


def test_every_page_title_is_plain_text():
    """A browser tab shows the title block as text: markup pasted into it (a misplaced edit)
    would show as raw tags in the tab and push the section out of the page."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    titles = re.compile(r"{% block title %}(.*?){% endblock", re.S)
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        for title in titles.findall(path.read_text())
        if "<" in title or "\n" in title.strip()
    ]
    assert offenders == []
