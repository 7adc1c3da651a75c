"""Every string our code and templates show is translated in each language we ship a catalogue
for: the msgids are extracted the way `makemessages` does (Django's `templatize` for templates,
then GNU xgettext with Django's keywords) and looked up in locale/<lang>/LC_MESSAGES/django.po,
read with polib. A string Django or allauth translate themselves (their own catalogues) passes."""

from __future__ import annotations

import functools
import gettext as gettext_module
import subprocess
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.translation import templatize

ROOT = Path(settings.BASE_DIR)
SKIPPED = {
    ".venv",
    ".venv-openfisca",
    ".git",
    ".run",
    "tests",
    "benchmarks",
    "scripts",
    "staticfiles",
    "var",
}
KEYWORDS = [
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
]
CATALOGUES = sorted((ROOT / "locale").glob("*/LC_MESSAGES/django.po"))


def used_messages(tmp_path: Path) -> polib.POFile:
    """The msgids of our Python code and templates, as makemessages would collect them."""
    sources = []
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in SKIPPED or not path.is_file():
            continue
        if path.suffix == ".py":
            sources.append(str(path))
        elif path.suffix in (".html", ".txt") and "templates" in relative.parts:
            target = tmp_path / str(relative).replace("/", "__")
            target.write_text(templatize(path.read_text(), origin=str(relative)))
            sources.append(str(target))
    result = subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", *KEYWORDS, "--output=-", *sources],
        capture_output=True,
        text=True,
        check=True,
    )
    return polib.pofile(result.stdout)


@functools.cache
def _others_catalogue(language: str) -> dict:
    """Django's and the installed apps' (allauth's…) own catalogues, without ours."""
    import django

    folders = [Path(django.__file__).parent / "conf" / "locale"]
    folders += [Path(app.path) / "locale" for app in apps.get_app_configs()]
    merged: dict = {}
    for folder in folders:
        if folder.is_relative_to(ROOT) and not folder.is_relative_to(ROOT / ".venv"):
            continue
        found = gettext_module.translation("django", str(folder), [language], fallback=True)
        merged.update(getattr(found, "_catalog", {}))
    return merged


def _translated_elsewhere(language: str, entry: polib.POEntry) -> bool:
    """Django or an installed app (allauth) translates it in its own catalogue."""
    catalogue = _others_catalogue(language)
    key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
    if entry.msgid_plural:
        return bool(catalogue.get((key, 0)))
    return bool(catalogue.get(key))


@pytest.fixture(scope="module")
def used(tmp_path_factory) -> polib.POFile:
    messages = used_messages(tmp_path_factory.mktemp("templatized"))
    assert len(messages) > 1000  # the extraction found our strings, not an empty catalogue
    return messages


def untranslated(used: polib.POFile, po: polib.POFile, language: str) -> list[str]:
    """The used msgids that `po` leaves empty, fuzzy or out, and Django and allauth too."""
    catalogue = {(e.msgctxt, e.msgid): e for e in po}
    missing = []
    with translation.override(language):
        for entry in used:
            ours = catalogue.get((entry.msgctxt, entry.msgid))
            if ours is not None and ours.translated():
                continue
            if ours is None and _translated_elsewhere(language, entry):
                continue
            where = (
                Path(entry.occurrences[0][0]).name.replace("__", "/") if entry.occurrences else "?"
            )
            missing.append(f"{where}: {entry.msgid!r}")
    return missing


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: path.parts[-3])
def test_every_string_we_show_is_translated(used, po_path):
    language = po_path.parts[-3]
    missing = untranslated(used, polib.pofile(str(po_path)), language)
    assert not missing, f"{len(missing)} strings without a {language} translation:\n" + (
        "\n".join(missing)
    )


def test_an_empty_or_missing_translation_is_caught(used):
    po = polib.pofile(str(ROOT / "locale/nl/LC_MESSAGES/django.po"))
    po.find("Copy the IBAN").msgstr = ""
    po.remove(po.find("This link no longer works"))
    missing = untranslated(used, po, "nl")
    assert len(missing) == 2
    assert "templates/invoicing/pay.html: 'Copy the IBAN'" in missing
    assert "templates/invoicing/link_gone.html: 'This link no longer works'" in missing


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: path.parts[-3])
def test_the_compiled_catalogues_match_the_po_files(po_path):
    """A .po edited without compilemessages shows English: the .mo must say the same."""
    language = po_path.parts[-3]
    stale = []
    with translation.override(language):
        for entry in polib.pofile(str(po_path)).translated_entries():
            if entry.msgid_plural or entry.msgctxt:
                continue
            if translation.gettext(entry.msgid) != entry.msgstr:
                stale.append(entry.msgid)
    assert not stale, f"{language}: run compilemessages; stale: {stale[:10]}"


@pytest.mark.parametrize(
    ("value", "dutch"),
    [
        ("BE68 5390 0754 7035", "de controlecijfers kloppen niet"),
        ("BE68 5390 0754 703", "niet het juiste aantal tekens"),
        ("XX68 5390 0754 7034", "moet beginnen met een landcode"),
        ("BE68-5390-0754-7034x", "tekens die er niet in thuishoren"),
    ],
)
def test_iban_errors_are_written_in_the_readers_language(value, dutch):
    """schwifty explains in English; the member reads why in their own language."""
    from django.core.exceptions import ValidationError

    from smartcoop.core.validators import clean_iban

    with translation.override("nl"), pytest.raises(ValidationError) as error:
        clean_iban(value)
    message = error.value.messages[0]
    assert message.startswith("Dit IBAN is ongeldig") and dutch in message
    assert "Invalid" not in message and "checksum" not in message


@pytest.mark.django_db
def test_the_sign_in_message_is_in_the_members_language(client):
    """Logging in from an English page switches to the member's Dutch; the "signed in" message
    is written after the switch, not in the login page's English."""
    from allauth.account.models import EmailAddress

    from tests.factories import TEST_PASSWORD, UserFactory

    user = UserFactory(preferred_language="nl")
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": TEST_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 1 and shown[0].startswith("Je bent nu ingelogd als"), shown


@pytest.mark.django_db
def test_a_password_reset_email_is_in_the_members_language(client):
    """Asked for from an English page, the e-mail still goes out in the member's Dutch."""
    from django.core import mail

    from tests.factories import UserFactory

    user = UserFactory(preferred_language="nl")
    client.post("/accounts/password/reset/", {"email": user.email}, HTTP_ACCEPT_LANGUAGE="en")
    (sent,) = mail.outbox
    assert sent.to == [user.email]
    with translation.override("nl"):
        expected = translation.gettext("Password Reset Email")
    assert expected != "Password Reset Email" and expected in sent.subject, sent.subject
