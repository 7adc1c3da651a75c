import threading

import pytest
from django.db import connection, transaction
from django_scopes import scope

from smartcoop.core.models import NumberSequence
from smartcoop.core.numbering import number_allocate
from tests.factories import LegalEntityFactory


@pytest.mark.django_db
def test_numbers_follow_each_other_per_entity_series_and_year(entity, other_entity):
    with transaction.atomic():
        first = [number_allocate(entity=entity, series="INV", year=2026) for _ in range(3)]
        other_series = number_allocate(entity=entity, series="CN", year=2026)
        next_year = number_allocate(entity=entity, series="INV", year=2027)
        other = number_allocate(entity=other_entity, series="INV", year=2026)
    assert first == [1, 2, 3]
    assert (other_series, next_year, other) == (1, 1, 1)


@pytest.mark.django_db
def test_a_rolled_back_issue_gives_its_number_back(entity):
    with transaction.atomic():
        assert number_allocate(entity=entity, series="INV", year=2026) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert number_allocate(entity=entity, series="INV", year=2026) == 2
        raise RuntimeError("the invoice could not be issued")
    with transaction.atomic():
        assert number_allocate(entity=entity, series="INV", year=2026) == 2


@pytest.mark.django_db(transaction=True)
def test_allocation_outside_a_transaction_is_refused():
    entity = LegalEntityFactory()
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        number_allocate(entity=entity, series="INV", year=2026)


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_get_distinct_numbers_without_gaps():
    entity = LegalEntityFactory()
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)
    lock = threading.Lock()

    def issue(count: int) -> None:
        try:
            barrier.wait()
            for _ in range(count):
                with transaction.atomic():
                    number = number_allocate(entity=entity, series="INV", year=2026)
                    # Hold the lock a little so that issuers really queue behind each other.
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_sleep(0.002)")
                with lock:
                    results.append(number)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(25,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sorted(results) == list(range(1, 201))
    with scope(entity=entity.pk):
        assert NumberSequence.objects.get(series="INV", year=2026).last_number == 200


@pytest.mark.django_db
def test_a_block_of_numbers_follows_the_last_one_and_a_rollback_gives_it_back(entity):
    from smartcoop.core.numbering import number_allocate_block

    with transaction.atomic():
        assert number_allocate(entity=entity, series="PAYSLIP", year=2026) == 1
        assert number_allocate_block(entity=entity, series="PAYSLIP", year=2026, count=5) == 2
        assert number_allocate(entity=entity, series="PAYSLIP", year=2026) == 7
    with pytest.raises(RuntimeError), transaction.atomic():
        number_allocate_block(entity=entity, series="PAYSLIP", year=2026, count=100)
        raise RuntimeError("the run could not be approved")
    with transaction.atomic():
        assert number_allocate_block(entity=entity, series="PAYSLIP", year=2026, count=3) == 8
        assert number_allocate_block(entity=entity, series="PAYSLIP", year=2027, count=3) == 1
