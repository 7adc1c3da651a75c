"""Gap-free, race-free document numbers per entity, series and year."""

from __future__ import annotations

from django.db import connection, transaction

from .models import NumberSequence


def number_allocate(*, entity, series: str, year: int) -> int:
    """The next number of `series` for `entity` and `year` (see `number_allocate_block`)."""
    return number_allocate_block(entity=entity, series=series, year=year, count=1)


def number_allocate_block(*, entity, series: str, year: int, count: int) -> int:
    """The first of the next `count` numbers of `series` for `entity` and `year` (a batch of
    documents issued in one transaction takes first … first + count - 1, all of which it must
    use: they are given back only by rolling the transaction back).

    Must run inside the caller's transaction (the one that issues the document): the increment
    is one `INSERT … ON CONFLICT DO UPDATE … RETURNING` statement, which takes the sequence row's
    lock until that transaction ends. A concurrent issuer waits on the row; a rollback gives the
    number back, so numbers have no gap. Locks: one NumberSequence row, nothing else. The
    documents' own unique constraint on (entity, series, year, number) is the backstop.
    """
    if count < 1:
        raise ValueError("a block has at least one number")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_allocate must be called inside transaction.atomic()")
    table = NumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table}
                (public_id, created_at, updated_at, entity_id, series, year, last_number)
            VALUES (gen_random_uuid(), now(), now(), %s, %s, %s, %s)
            ON CONFLICT (entity_id, series, year)
            DO UPDATE SET last_number = {table}.last_number + %s, updated_at = now()
            RETURNING last_number
            """,  # noqa: S608 (table name is ours, values are parameters)
            [getattr(entity, "pk", entity), series, year, count, count],
        )
        return cursor.fetchone()[0] - count + 1
