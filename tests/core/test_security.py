"""Secure by default: the headers every page sends, the production settings (`check --deploy`
clean with the example environment), the client's real address behind the proxy, a lock-out
nobody can inflict on someone else, and link tokens kept out of the logs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import RequestFactory
from django.urls import reverse

from smartcoop.core.logging import GunicornLogger, RedactSensitiveData
from smartcoop.core.middleware import client_ip
from tests.factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


# --- Headers ------------------------------------------------------------------------------------


def test_every_page_sends_a_strict_content_security_policy_and_a_permissions_policy(client):
    for url in ("/", reverse("account_login"), "/api/docs/"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        # 'self', plus the request's nonce when the page has an element that uses it
        assert directives["script-src"].split()[0] == "'self'", url
        assert directives["style-src"].split()[0] == "'self'", url
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        assert "camera=()" in response.headers["Permissions-Policy"], url


def _pages(resolver=None, prefix=""):
    """Every URL of the URL conf that names no object (no converter), as a path."""
    from django.urls import URLPattern, URLResolver, get_resolver

    for pattern in (resolver or get_resolver()).url_patterns:
        route = str(pattern.pattern)
        if "<" in route or "^" in route or "(" in route:
            continue
        if isinstance(pattern, URLResolver):
            yield from _pages(pattern, prefix + route)
        elif isinstance(pattern, URLPattern):
            yield "/" + prefix + route


def test_every_page_sends_the_policies_and_signed_in_pages_are_never_stored(client, member_user):
    """Whatever answers (a page, a redirect to sign in, a 403/404/405), the response carries the
    Content-Security-Policy and the Permissions-Policy; for a signed-in member, no-store."""
    pages = sorted(set(_pages()) - {"/accounts/logout/"})
    assert len(pages) > 60
    problems = []
    for who in ("anonymous", "member"):
        if who == "member":
            client.force_login(member_user)
        for path in pages:
            response = client.get(path)
            headers = response.headers
            if "script-src 'self'" not in headers.get("Content-Security-Policy", ""):
                problems.append(f"{who} {path} {response.status_code}: no CSP")
            if "camera=()" not in headers.get("Permissions-Policy", ""):
                problems.append(f"{who} {path} {response.status_code}: no Permissions-Policy")
            # The public simulator's API answers everyone the same (DRF runs it unauthenticated).
            public = path == "/api/v1/activities/simulator/"
            if (
                who == "member"
                and not public
                and "no-store" not in headers.get("Cache-Control", "")
            ):
                problems.append(f"{who} {path} {response.status_code}: stored")
    assert problems == []


def test_the_pages_carry_no_inline_script_or_event_handler_or_style_attribute():
    """What the policy forbids is not in any page template (PDF templates are rendered by
    WeasyPrint, not a browser, and keep their <style>)."""
    import re

    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "/pdf/" in str(path):
            continue
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\ssrc=)", r"\son[a-z]+=\"", r"\sstyle=\""):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []


def test_the_payment_page_and_logged_in_pages_are_never_stored(client, member_user):
    anonymous = client.get("/")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")

    client.force_login(member_user)
    page = client.get(reverse("core:member_home"))
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    assert "private" in page.headers["Cache-Control"]
    client.logout()

    # A bad token still answers through the payment view: no-store even on its 404.
    response = client.get(reverse("invoicing:pay", args=["not-a-token"]))
    assert response.status_code == 404
    assert "no-store" in response.headers["Cache-Control"]


# --- Production settings ------------------------------------------------------------------------


def example_environment(**overrides: str) -> dict[str, str]:
    """The environment of .env.example, as an operator fills it in: the two placeholders
    replaced by real secrets, everything else as shipped."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SMARTCOOP_"))}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    env["DJANGO_SECRET_KEY"] = "k7Gq2-" + "x9Lm4PzR8vT1nB6wQ3sY" * 3
    env["SMARTCOOP_FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_check_deploy_is_clean_with_the_production_example_environment():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], example_environment()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_is_https_only_unless_turned_off_explicitly():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SESSION_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)"
    )
    env = example_environment()
    for key in [k for k in env if k.startswith("DJANGO_SECURE_")]:
        del env[key]  # not even mentioned: the defaults
    result = run(["-c", code], env)
    assert result.stdout.split() == [
        "True",
        "31536000",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ], result.stderr
    off = example_environment(DJANGO_SECURE_SSL_REDIRECT="false", DJANGO_SECURE_HSTS_SECONDS="0")
    assert run(["-c", code], off).stdout.split()[:2] == ["False", "0"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # .env.example as shipped: both placeholders
        ({"DJANGO_SECRET_KEY": "change-me-to-a-long-random-string"}, "DJANGO_SECRET_KEY is still"),
        (
            {"SMARTCOOP_FIELD_ENCRYPTION_KEYS": "generate-with-cryptography-fernet"},
            "key 1 (generate-wit…) is not a Fernet key",
        ),
        (
            {"SMARTCOOP_FIELD_ENCRYPTION_KEYS": "ZGV2LW9ubHkta2V5LWRldi1vbmx5LWtleS1kZXYtMDA="},
            "key 1 is the development/test key published in the repository",
        ),
        (
            {
                "SMARTCOOP_FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()
                + ",dGVzdC1vbmx5LWtleS10ZXN0LW9ubHkta2V5LXRlc3Q="
            },
            "key 2 is the development/test key",
        ),
        ({"SMARTCOOP_FIELD_ENCRYPTION_KEYS": ""}, "SMARTCOOP_FIELD_ENCRYPTION_KEYS is not set"),
    ],
)
def test_a_production_start_refuses_placeholder_and_published_secrets(overrides, message):
    result = run(["-c", "import django; django.setup()"], example_environment(**overrides))
    assert result.returncode != 0
    assert message in result.stderr


# --- The client's address behind the proxy ------------------------------------------------------


def test_the_client_address_comes_from_the_proxy_header_only_behind_the_proxy(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    settings.BEHIND_TLS_PROXY = False
    assert client_ip(request) == "10.0.0.2"  # a forged header is ignored without a proxy
    settings.BEHIND_TLS_PROXY = True
    # The right-most entry is the one our proxy appended; "6.6.6.6" was sent by the client.
    assert client_ip(request) == "203.0.113.7"


def test_compose_publishes_the_web_container_that_trusts_the_proxy_on_loopback_only():
    """.env.example trusts the proxy's X-Forwarded-For, so gunicorn must be reachable only
    through that proxy: every port docker-compose.yml publishes is bound to the host's loopback
    (a bare "8000:8000" would let anyone forge their address), and the database and broker are
    not published at all."""
    import yaml

    assert example_environment()["DJANGO_BEHIND_TLS_PROXY"] == "true"
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    published = {name: service.get("ports", []) for name, service in services.items()}
    assert published["web"], "the web container is reached through the host's proxy"
    for name, ports in published.items():
        for port in ports:
            assert str(port).startswith("127.0.0.1:"), (name, port)
    assert published["db"] == [] and published["redis"] == []


def test_behind_the_proxy_the_payment_pages_rate_limit_counts_each_real_client(
    client, settings, time_machine
):
    from django.utils import timezone

    from invoicing.views import RATE_LIMIT

    # The limit counts per clock minute: stop the clock so a slow machine stays in one minute.
    time_machine.move_to(timezone.now(), tick=False)

    settings.BEHIND_TLS_PROXY = True
    url = reverse("invoicing:pay", args=["not-a-token"])
    proxy = {"REMOTE_ADDR": "10.0.0.2"}  # every request arrives from the proxy
    for _ in range(RATE_LIMIT):
        client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy)
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 429
    # A forged left-most entry does not reset the count…
    forged = "1.2.3.4, 198.51.100.1"
    assert client.get(url, HTTP_X_FORWARDED_FOR=forged, **proxy).status_code == 429
    # …and another client behind the same proxy is not throttled with the first one.
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 404


# --- Lock-out -----------------------------------------------------------------------------------


def test_an_attackers_failed_logins_do_not_lock_the_owner_out(client, member_user):
    from django.test import Client

    login = reverse("account_login")
    attacker = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.66")
    for _ in range(12):
        attacker.post(login, {"login": member_user.email, "password": "wrong-guess"})
    refused = attacker.post(login, {"login": member_user.email, "password": TEST_PASSWORD})
    assert refused.status_code != 302  # the attacker's address is throttled for this account
    assert "Too many failed login attempts" in refused.text

    owner = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.5")
    response = owner.post(login, {"login": member_user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert owner.get(reverse("core:member_home")).status_code == 200


def test_one_address_cannot_keep_guessing_across_accounts(client, member_user):
    from django.test import Client

    login = reverse("account_login")
    attacker = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.67")
    for n in range(20):  # "20/5m/ip": spread over many e-mails
        attacker.post(login, {"login": f"someone{n}@example.org", "password": "wrong-guess"})
    response = attacker.post(login, {"login": member_user.email, "password": TEST_PASSWORD})
    assert response.status_code != 302
    assert "Too many failed login attempts" in response.text


# --- Logs ---------------------------------------------------------------------------------------


def test_link_tokens_never_reach_django_or_runserver_logs(caplog):
    token = "eyJpbnZvaWNlIjo0Mn0:1vS3cr3t:AbCdEfGhIjKl"
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /invoicing/pay/{token}/pdf/ HTTP/1.1", "200", "512"),
        None,
    )
    RedactSensitiveData().filter(record)
    assert token not in record.getMessage()
    assert "/invoicing/pay/[TOKEN]/pdf/" in record.getMessage()


def test_the_not_found_warning_of_a_mistyped_link_logs_no_token(client, caplog):
    token = "AbCdEfGhIjKlMnOpQrStUv"
    handler = logging.StreamHandler()
    from io import StringIO

    handler.stream = StringIO()
    handler.addFilter(RedactSensitiveData())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get(f"/invoicing/quote/{token}/")
    finally:
        logger.removeHandler(handler)
    written = handler.stream.getvalue()
    assert "Not Found: /invoicing/quote/[TOKEN]/" in written and token not in written


def test_gunicorns_access_log_shows_the_path_without_the_token():
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    token = "AbCdEfGhIjKlMnOpQrStUv"
    config = Config()
    config.set("logger_class", "smartcoop.core.logging.GunicornLogger")
    config.set("accesslog", "-")
    log = GunicornLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/invoicing/pay/{token}/?lang=nl",
        "PATH_INFO": f"/invoicing/pay/{token}/",
        "QUERY_STRING": "lang=nl",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://coop.example/invoicing/pay/{token}/",
        "REMOTE_ADDR": "10.0.0.2",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    req = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = log.atoms(resp, req, environ, timedelta(seconds=0))
    line = config.access_log_format % log.atoms_wrapper_class(atoms)
    line += " " + " ".join(str(v) for v in atoms.values())
    assert token not in line
    assert "GET /invoicing/pay/[TOKEN]/?lang=nl HTTP/1.1" in atoms["r"]
