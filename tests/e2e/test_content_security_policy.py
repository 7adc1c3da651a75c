# ruff: noqa: F811 - the invoicing fixtures are imported, then requested by name
"""Every kind of page works in Chromium under the Content-Security-Policy: no violation is
reported, the behaviours that used to be inline scripts still work (entity switcher, invoice
lines, the joining form), the client's payment page is never stored, and the API docs render
from our own files with every other origin blocked (as offline)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from invoicing import services as invoicing_services
from members import services as members_services
from smartcoop.core.roles import Role
from tests.factories import LegalEntityFactory, UserFactory, staff_user
from tests.invoicing.conftest import (  # noqa: F401 - fixtures
    activity,
    be_client,
    be_entity,
    draft,
    issued,
    member,
    office,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REPORT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def watched(context: BrowserContext, live_server):
    """Records CSP violations (event and console) and any request to another origin, which is
    aborted: the pages must work without the internet."""
    seen: dict[str, list[str]] = {"console": [], "external": []}
    context.add_init_script(REPORT_VIOLATIONS)

    def route(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            seen["external"].append(route.request.url)
            route.abort()

    context.route("**/*", route)
    context.on(
        "console",
        lambda message: (
            seen["console"].append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return seen


def sign_in(context: BrowserContext, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def test_public_pages_the_payment_page_and_the_api_docs(live_server, page: Page, watched, issued):
    found: list[str] = []
    for path in ("/", "/accounts/login/"):
        response = page.goto(live_server.url + path)
        assert response and response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        found += violations(page)

    pay = invoicing_services.payment_link_url(invoice=issued)
    pay = live_server.url + pay[pay.index("/invoicing/pay/") :]
    response = page.goto(pay)
    assert response and response.status == 200
    assert "no-store" in response.headers["cache-control"]
    expect(page.get_by_text(issued.reference).first).to_be_visible()
    found += violations(page)

    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("smartcoop API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    found += violations(page)

    assert found == [] and watched["console"] == []
    assert watched["external"] == []


def test_member_pages_behave_without_inline_scripts(
    live_server,
    page: Page,
    context,
    watched,
    member,
    activity,
    be_client,
):
    sign_in(context, live_server, member.user)
    page.goto(live_server.url + "/invoicing/new/")
    lines = page.locator("#lines tbody tr.line")
    before = lines.count()
    page.get_by_role("button", name="Add a line").click()
    expect(lines).to_have_count(before + 1)
    found = violations(page)

    newcomer = members_services.member_start_onboarding(user=UserFactory())
    context.clear_cookies()
    sign_in(context, live_server, newcomer.user)
    page.goto(live_server.url + "/members/join/identity/")
    national_number = page.locator("input[name=national_number]")
    page.locator("input[name=kind][value=legal_person]").check()
    expect(national_number).to_be_hidden()
    expect(page.locator("input[name=legal_name]")).to_be_visible()
    page.locator("input[name=kind][value=person]").check()
    expect(national_number).to_be_visible()
    found += violations(page)

    response = page.goto(live_server.url + "/app/")
    assert response and "no-store" in response.headers["cache-control"]
    found += violations(page)
    assert found == [] and watched["console"] == [] and watched["external"] == []


def test_the_back_office_entity_switcher_works_under_the_policy(
    live_server, page: Page, context, watched
):
    first = LegalEntityFactory(name="Verenigde Producties")
    second = LegalEntityFactory(name="Verenigde Opleidingen")
    accountant = staff_user(Role.ACCOUNTANT, entities=[first, second])
    sign_in(context, live_server, accountant)
    page.goto(live_server.url + "/backoffice/")
    select = page.locator("#entity-select")
    current = select.input_value()
    other = second.public_id if str(first.public_id) == current else first.public_id
    with page.expect_navigation():
        select.select_option(str(other))
    expect(page.locator("#entity-select")).to_have_value(str(other))
    assert violations(page) == [] and watched["console"] == [] and watched["external"] == []
