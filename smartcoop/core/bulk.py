"""Inserting many rows fast: PostgreSQL's COPY, for batches (a pay run's chunk) where Django's
`bulk_create` spends most of its time quoting the values in Python."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction


def bulk_copy(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert `objs` (new instances of `model`) with one `COPY … FROM STDIN`, giving each its
    primary key (taken from the table's sequence first, in one query). Every concrete field is
    written as `bulk_create` would (defaults, `auto_now`, the fields' own conversion); no
    signals are sent and the model's `save()` is not called. Must run inside a transaction."""
    if not objs:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bulk_copy must be called inside transaction.atomic()")
    connection = connections[DEFAULT_DB_ALIAS]  # the object, not the proxy: read per value
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if f is not pk]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in [pk, *fields])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj, pk_value in zip(objs, ids, strict=True):
                setattr(obj, pk.attname, pk_value)
                row = [pk_value]
                for field in fields:
                    value = field.pre_save(obj, add=True)
                    row.append(field.get_db_prep_save(value, connection=connection))
                copy.write_row(row)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
