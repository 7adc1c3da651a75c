import time

import pytest
from celery import shared_task
from django.core.cache import cache
from django.urls import reverse

from smartcoop.core.models import TaskFailure
from smartcoop.core.roles import Role
from smartcoop.core.tasks import HEARTBEAT_CACHE_KEY, SmartcoopTask, heartbeat
from tests.factories import staff_user


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_health_page_shows_database_broker_worker_and_beat_answering(client, celery_worker):
    heartbeat.delay()  # what beat sends every minute, run by the real worker
    deadline = time.monotonic() + 10
    while not cache.get(HEARTBEAT_CACHE_KEY) and time.monotonic() < deadline:
        time.sleep(0.1)
    client.force_login(staff_user(Role.ADMINISTRATOR))
    response = client.get(reverse("core:health"))
    assert response.status_code == 200
    checks = response.context["checks"]
    assert all(check["ok"] for check in checks.values()), checks
    assert "PostgreSQL" in checks["database"]["detail"]
    assert celery_worker in checks["worker"]["detail"]


@pytest.mark.django_db
def test_the_health_page_says_when_no_worker_answers(client):
    client.force_login(staff_user(Role.ADMINISTRATOR))
    response = client.get(reverse("core:health"))
    assert response.status_code in (200, 503)
    checks = response.context["checks"]
    assert checks["database"]["ok"] and checks["broker"]["ok"]
    if not checks["worker"]["ok"]:  # no worker of this run is up: the page says so
        assert response.status_code == 503
        assert "no worker answered" in checks["worker"]["detail"]


@pytest.mark.django_db
def test_advisers_do_not_see_the_health_page(client, entity):
    client.force_login(staff_user(Role.ADVISER, entities=[entity]))
    assert client.get(reverse("core:health")).status_code == 404


@shared_task(
    base=SmartcoopTask, name="tests.core.explode", max_retries=0, without_entity="test: no rows"
)
def explode(member_id: int) -> None:
    raise ValueError(f"cannot pay member {member_id} to BE68 5390 0754 7034")


@shared_task(base=SmartcoopTask, name="tests.core.count_activities", max_retries=0)
def count_activities(*, entity_id: int) -> int:
    from activities.models import Activity

    return Activity.objects.count()


@shared_task(
    base=SmartcoopTask,
    name="tests.core.count_every_activity",
    max_retries=0,
    without_entity="test: a sweep that forgets to open a scope per entity",
)
def count_every_activity() -> int:
    from activities.models import Activity

    return Activity.objects.count()


@pytest.mark.django_db
def test_a_task_runs_in_the_scope_of_its_entity_and_a_sweep_in_none(entity, other_entity):
    from django_scopes import scopes_disabled

    from tests.invoicing.conftest import make_activity, make_member

    make_activity(entity=other_entity, member=make_member())
    with scopes_disabled():  # whatever scope the sender had open does not reach the task
        assert count_activities(entity_id=entity.pk) == 0
        assert count_activities(entity_id=other_entity.pk) == 1
        count_every_activity.apply()
    failure = TaskFailure.objects.get(task_name="tests.core.count_every_activity")
    assert "ScopeError" in failure.error and "needs to be active" in failure.error
    # Sent without its entity: a clear error, kept for the health page.
    count_activities.apply()
    failure = TaskFailure.objects.get(task_name="tests.core.count_activities")
    assert "tests.core.count_activities works on entity-owned rows" in failure.error


@pytest.mark.django_db
def test_a_sweep_opens_each_entity_in_turn(entity, other_entity):
    from activities.models import Activity
    from smartcoop.core.tasks import in_each_entity
    from tests.invoicing.conftest import make_activity, make_member

    make_activity(entity=entity, member=make_member())
    make_activity(entity=other_entity, member=make_member())
    make_activity(entity=other_entity, member=make_member())
    seen: dict[int, int] = {}

    def count(current):
        seen[current.pk] = Activity.objects.count()
        return seen[current.pk]

    assert in_each_entity(count) == 3
    assert seen[entity.pk] == 1 and seen[other_entity.pk] == 2


@pytest.mark.django_db
def test_a_task_that_fails_for_good_lands_in_a_visible_failed_state(client):
    explode.apply(args=(42,))
    failure = TaskFailure.objects.get(task_name="tests.core.explode")
    assert "cannot pay member 42" in failure.error
    assert "BE68" not in failure.error  # the IBAN in the message is not kept
    client.force_login(staff_user(Role.ADMINISTRATOR))
    assert "tests.core.explode" in client.get(reverse("core:health")).text


def test_every_beat_entry_names_a_task_the_worker_knows():
    from django.conf import settings

    from smartcoop.celery import app

    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"beat entry {name!r}: unknown task {entry['task']!r}"
