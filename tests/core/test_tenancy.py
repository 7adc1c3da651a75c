import pytest
from django.db import transaction
from django.urls import reverse
from django_scopes import ScopeError, scope, scopes_disabled

from smartcoop.core.models import NumberSequence
from smartcoop.core.numbering import number_allocate
from smartcoop.core.roles import Role
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def numbered(entity, series="INV"):
    with transaction.atomic():
        number_allocate(entity=entity, series=series, year=2026)
    with scopes_disabled():
        return NumberSequence.objects.get(entity=entity, series=series)


def test_a_query_that_forgets_the_entity_fails_loudly(entity):
    numbered(entity)
    with pytest.raises(ScopeError), scope():
        list(NumberSequence.objects.all())


def test_within_a_scope_only_that_entitys_rows_exist(entity, other_entity):
    mine, theirs = numbered(entity), numbered(other_entity)
    with scope(entity=entity.pk):
        assert list(NumberSequence.objects.all()) == [mine]
        assert not NumberSequence.objects.filter(pk=theirs.pk).exists()


def test_staff_see_the_series_of_the_entity_they_work_in_and_404_for_another(
    client, entity, other_entity
):
    accountant = staff_user(Role.ACCOUNTANT, entities=[entity, other_entity])
    client.force_login(accountant)
    mine, theirs = numbered(entity), numbered(other_entity, series="OTHER")
    session = client.session
    session["smartcoop_entity_id"] = entity.pk
    session.save()
    page = client.get(reverse("core:number_series"))
    assert "INV" in page.text and "OTHER" not in page.text
    assert (
        client.get(reverse("core:number_series_detail", args=[mine.public_id])).status_code == 200
    )
    assert (
        client.get(reverse("core:number_series_detail", args=[theirs.public_id])).status_code == 404
    )

    # After switching entity, the other series is visible and the first one is not.
    client.post(reverse("core:switch_entity"), {"entity": str(other_entity.public_id)})
    assert (
        client.get(reverse("core:number_series_detail", args=[theirs.public_id])).status_code == 200
    )
    assert (
        client.get(reverse("core:number_series_detail", args=[mine.public_id])).status_code == 404
    )


def test_staff_cannot_switch_to_an_entity_they_were_not_given(client, entity, other_entity):
    adviser = staff_user(Role.ADVISER, entities=[entity])
    client.force_login(adviser)
    response = client.post(reverse("core:switch_entity"), {"entity": str(other_entity.public_id)})
    assert response.status_code == 404


def test_members_do_not_see_number_series(client, member_user):
    client.force_login(member_user)
    assert client.get(reverse("core:number_series")).status_code == 404


def test_a_test_body_runs_without_any_scope_like_code_that_forgot_its_entity(entity):
    """Fixtures build data with the scope disabled; the test body does not inherit that, so a
    query on entity-owned rows that no request, task or explicit scope bounds fails here too."""
    numbered(entity)
    with pytest.raises(ScopeError):
        NumberSequence.objects.count()


# Modules whose docstring says why they read across entities as a whole: the key figures cover
# every entity the reader may see (the entity filter written out), the scale generator writes a
# whole deployment.
_CROSS_ENTITY_MODULES = {"keyfigures/selectors.py", "keyfigures/scale.py"}


def test_every_lifted_scope_in_the_apps_says_why():
    """Lifting the entity scope defeats the safety net (a query that forgets its entity fails):
    application code may do it only where a read must cross entities, with the reason in a
    comment just above. Test-only helpers, migrations and demo commands are not application
    code."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    apps = [
        "activities",
        "declarations",
        "governance",
        "invoicing",
        "keyfigures",
        "members",
        "payroll",
        "smartcoop",
    ]
    unexplained = []
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "/migrations/" in relative or "/management/" in relative:
                continue
            if relative in _CROSS_ENTITY_MODULES:
                continue
            lines = path.read_text(encoding="utf-8").splitlines()
            for number, line in enumerate(lines):
                if "with_scopes_disabled()" not in line and "scopes_disabled():" not in line:
                    continue
                above = lines[max(0, number - 4) : number]
                if not any("on purpose" in text for text in above if text.strip().startswith("#")):
                    unexplained.append(f"{relative}:{number + 1}: {line.strip()}")
    assert unexplained == []
