import os

import pytest
from django_scopes import scopes_disabled

from tests.factories import LegalEntityFactory, OfficeFactory, UserFactory, staff_user

# Playwright's sync API runs an event loop in the test thread; Django's live_server is fine with it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _no_entity_scope_in_test_setup():
    """Tests build their data across entities; the scoping safety net is tested explicitly with
    django_scopes.scope(...) and through requests (the middleware opens the request's scope)."""
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def entity(db):
    return LegalEntityFactory()


@pytest.fixture
def other_entity(db):
    return LegalEntityFactory()


@pytest.fixture
def office(db):
    return OfficeFactory()


@pytest.fixture
def member_user(db):
    return UserFactory()


@pytest.fixture
def make_staff(db):
    return staff_user


@pytest.fixture
def admin_user(db, entity):
    return staff_user("administrator")
