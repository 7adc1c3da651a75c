import os

import pytest
from django.conf import settings as django_settings
from django_scopes import scope, scopes_disabled

from tests.factories import LegalEntityFactory, OfficeFactory, UserFactory, staff_user

# Playwright's sync API runs an event loop in the test thread; Django's live_server is fine with it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """Test set-up builds data across entities, so fixtures run with the entity scope disabled.
    The test body does not: code under test runs in the scope a request's middleware opens, a
    task's entity opens, or a test opens explicitly with `scope(entity=...)`, and a query that
    forgets its entity raises ScopeError instead of passing silently."""
    with scopes_disabled():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """`@pytest.mark.entity_scope("be_entity")` runs the test body in the scope of the entity that
    fixture gives, as a request of a staff member of that entity or a task for it would."""
    marker = item.get_closest_marker("entity_scope")
    if marker is None:
        return (yield)
    entity = item._request.getfixturevalue(marker.args[0])
    with scope(entity=entity.pk):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    with scopes_disabled():
        return (yield)


@pytest.fixture(autouse=True)
def _english_by_default():
    """Messages are asserted in English; the deployment's default language (nl) is tested on
    purpose where it matters (browser journeys, translations)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def live_server(live_server):
    """The live server answers each request in a thread of its own; with the deployment's
    persistent connections (CONN_MAX_AGE) those threads would leave their database sessions
    open and the test database could not be dropped at the end of the run. A request of the
    live server closes its own connection (the test client's requests are not affected: Django's
    test client does not close connections)."""
    from django.db import connections

    connections.settings["default"]["CONN_MAX_AGE"] = 0
    return live_server


@pytest.fixture
def client():
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _clear_cache(settings):
    if settings.TEST_SERVICES:  # bare runs (pure tests only) have no Redis to clear
        from django.core.cache import cache

        cache.clear()
    yield


if not django_settings.TEST_SERVICES:
    # Only the pure tests run bare; any test that needs the database fails with this advice.
    @pytest.fixture(scope="session")
    def django_db_setup():
        pytest.fail(
            "This test needs PostgreSQL and Redis: run it through scripts/services.py, e.g. "
            ".venv/bin/python scripts/services.py --ephemeral -- .venv/bin/pytest tests/...",
            pytrace=False,
        )


@pytest.fixture
def entity(db):
    return LegalEntityFactory()


@pytest.fixture
def other_entity(db):
    return LegalEntityFactory()


@pytest.fixture(name="activities_entity")
def _activities_entity(db):
    """The entity ActivityFactory makes Activities in unless told (tests/activities/factories)."""
    from tests.activities.factories import activities_entity

    return activities_entity()


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


@pytest.fixture(scope="session")
def _celery_worker_process(django_db_setup, django_db_blocker):
    """The real Celery worker subprocess, started once per run (see `celery_worker`)."""
    import subprocess
    import sys
    import time
    from urllib.parse import urlparse, urlunparse

    from django.conf import settings

    from smartcoop.celery import app

    url = urlparse(os.environ["DATABASE_URL"])
    test_db = settings.DATABASES["default"]["NAME"]
    env = {
        **os.environ,
        "DATABASE_URL": urlunparse(url._replace(path=f"/{test_db}")),
        "DJANGO_SETTINGS_MODULE": "smartcoop.settings.test",
    }
    name = f"test-{os.getpid()}@localhost"
    # The worker lives for the whole run but only consumes the task queue while a test that asked
    # for it runs (`celery_worker`): it starts on a queue nothing is sent to. Otherwise it would
    # run the tasks other transactional tests enqueue (certificates, e-mails...) against data
    # being flushed under them, and the flush would wait on (or deadlock with) its queries.
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "smartcoop",
            "worker",
            "-l",
            "warning",
            "-P",
            "solo",
            "-n",
            name,
            "-Q",
            f"test-{os.getpid()}-idle",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if (app.control.inspect(destination=[name], timeout=1).ping() or {}).get(name):
            break
        if proc.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {proc.returncode}")
    else:
        proc.kill()
        raise RuntimeError("the Celery worker did not answer within 30 s")
    try:
        yield name
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _worker_replied(replies, name: str) -> bool:
    return any(name in reply for reply in replies or [])


@pytest.fixture
def celery_worker(_celery_worker_process):
    """A real Celery worker (subprocess) on the real broker, using the test database.

    Tests that use it must be `django_db(transaction=True)` so the worker sees their data, and
    should request it before fixtures that enqueue tasks. Tasks left in the queue by tests without
    a worker (their data is gone) are discarded, then the worker consumes the queue for this test
    only. When the test ends, it stops consuming and we wait until it has finished what the test
    sent it: a task still querying while the test database is flushed deadlocks against the
    flush's table locks. The solo worker cannot answer while it runs a task, so no answer counts
    as busy."""
    import time

    from smartcoop.celery import app

    name = _celery_worker_process
    queue = app.conf.task_default_queue
    app.control.purge()
    replies = app.control.add_consumer(queue, destination=[name], reply=True, timeout=10)
    if not _worker_replied(replies, name):
        pytest.fail(f"the Celery worker did not start consuming {queue!r}: {replies!r}")
    yield name
    deadline = time.monotonic() + 30
    stopped = False
    while time.monotonic() < deadline:
        if not stopped:
            replies = app.control.cancel_consumer(queue, destination=[name], reply=True, timeout=1)
            stopped = _worker_replied(replies, name)
            continue
        inspect = app.control.inspect(destination=[name], timeout=1)
        replies = [inspect.active(), inspect.reserved(), inspect.scheduled()]
        if all(reply and name in reply and not reply[name] for reply in replies):
            return
        time.sleep(0.1)
    pytest.fail("the Celery worker was still busy 30 s after the test ended")
