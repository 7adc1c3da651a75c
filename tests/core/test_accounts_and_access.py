import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.urls import reverse

from smartcoop.core.roles import ROLE_PERMISSIONS, Permission, Role, has_permission
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, UserFactory, staff_user

pytestmark = pytest.mark.django_db


def current_code_from_allauth() -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(TEST_TOTP_SECRET, counters[len(counters) // 2]))


def login(client, email, password=TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_sign_up_sends_a_confirmation_and_an_unconfirmed_account_cannot_log_in(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "confirm-email" in mail.outbox[0].body
    client.logout()
    response = login(client, "new@example.org", "a-long-and-unusual-passphrase")
    assert response.url == reverse("account_email_verification_sent")
    assert client.get(reverse("core:member_home")).status_code == 302


def test_a_member_logs_in_and_reaches_their_space_but_not_the_back_office(client, member_user):
    response = login(client, member_user.email)
    assert response.status_code == 302
    assert client.get(reverse("core:member_home")).status_code == 200
    assert client.get(reverse("core:backoffice_home")).status_code == 404
    assert client.get("/admin/").status_code == 302  # to the login page: members have no admin


def test_staff_log_in_with_their_second_factor(client, entity):
    adviser = staff_user(Role.ADVISER, entities=[entity])
    response = login(client, adviser.email)
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("core:backoffice_home")).status_code == 302  # not in yet
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert client.get(reverse("core:backoffice_home")).status_code == 302
    client.post(reverse("mfa_authenticate"), {"code": current_code_from_allauth()})
    response = client.get(reverse("core:backoffice_home"))
    assert response.status_code == 200
    assert entity.name in response.text


def test_staff_without_two_factor_are_sent_to_set_it_up_and_reach_nothing_else(client, entity):
    adviser = staff_user(Role.ADVISER, entities=[entity], mfa=False)
    login(client, adviser.email)
    for url in (reverse("core:backoffice_home"), reverse("core:member_home"), "/api/v1/me/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_members_may_use_two_factor_but_need_not(client, member_user):
    login(client, member_user.email)
    assert client.get(reverse("core:member_home")).status_code == 200
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_the_django_admin_is_for_administrators_with_two_factor_only(client, entity):
    for role in (Role.ADVISER, Role.ACCOUNTANT, Role.PAYROLL_OFFICER):
        client.force_login(staff_user(role, entities=[entity]))
        assert client.get("/admin/").status_code == 302
    client.force_login(staff_user(Role.ADMINISTRATOR))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert client.get("/admin/core/legalentity/").status_code == 200


def test_failed_logins_are_rate_limited(client, member_user):
    for _ in range(5):
        assert login(client, member_user.email, "wrong-password").status_code == 200
    # Even the right password is refused for a while after five failures.
    response = login(client, member_user.email, TEST_PASSWORD)
    assert response.status_code in (200, 429)
    assert client.get(reverse("core:member_home")).status_code == 302


def test_permissions_are_granted_by_role_only():
    member = UserFactory.build(role=Role.MEMBER)
    adviser = UserFactory.build(role=Role.ADVISER)
    admin = UserFactory.build(role=Role.ADMINISTRATOR)
    assert not has_permission(member, Permission.BACKOFFICE_ACCESS)
    assert has_permission(adviser, Permission.VIEW_MEMBERS_OF_OFFICE)
    assert not has_permission(adviser, Permission.VIEW_NATIONAL_NUMBERS)
    assert not has_permission(adviser, Permission.USE_ADMIN)
    assert all(has_permission(admin, p) for p in Permission)
    adviser.is_active = False
    assert not has_permission(adviser, Permission.BACKOFFICE_ACCESS)
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_session_and_csrf_cookies_are_http_only_and_same_site(settings):
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.X_FRAME_OPTIONS == "DENY"


def test_a_forgotten_password_is_reset_by_e_mail(client, member_user):
    import re

    client.post(reverse("account_reset_password"), {"email": member_user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": "another-long-passphrase", "password2": "another-long-passphrase"},
    )
    assert response.status_code == 302
    client.logout()
    assert login(client, member_user.email, "another-long-passphrase").status_code == 302
    assert client.get(reverse("core:member_home")).status_code == 200


def test_the_chosen_language_is_remembered_for_the_next_login(client, member_user):
    from django.conf import settings
    from django.test import Client

    login(client, member_user.email)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/app/"})
    member_user.refresh_from_db()
    assert member_user.preferred_language == "fr"

    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="nl")
    response = login(elsewhere, member_user.email)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert 'lang="fr"' in elsewhere.get("/app/").text


def test_the_code_printer_of_scripts_agrees_with_allauth():
    from smartcoop.core.totp import current_code

    for at in (0, 59, 1_800_000_000):
        expected = format_hotp_value(hotp_value(TEST_TOTP_SECRET, at // 30))
        assert current_code(TEST_TOTP_SECRET, at=at) == expected
