"""Inserting many rows fast: PostgreSQL's COPY, for batches (a pay run's chunk) where Django's
`bulk_create` spends most of its time quoting the values in Python."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import F, Lookup

# Fields whose `pre_save` only reads the attribute and whose conversion leaves a value of the
# types below as it is: their values are written straight (Django's two calls a value were
# most of a large batch's Python time). Any other value, or field, takes Django's way.
_PLAIN_FIELDS = (
    models.CharField, models.TextField, models.IntegerField, models.BooleanField,
    models.ForeignKey, models.DecimalField, models.UUIDField, models.DateField,
)  # fmt: skip
_PLAIN_TYPES = {str, int, bool, type(None), uuid.UUID, dt.date}


def _plain(field: models.Field) -> bool:
    return (
        type(field) in _PLAIN_FIELDS
        or type(field) in (models.PositiveIntegerField, models.PositiveSmallIntegerField,
                            models.SmallIntegerField, models.BigIntegerField, models.OneToOneField)
    ) and not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))  # fmt: skip


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
        plain = [(field, field.attname, _plain(field)) for field in fields]
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj, pk_value in zip(objs, ids, strict=True):
                setattr(obj, pk.attname, pk_value)
                row = [pk_value]
                for field, attname, simple in plain:
                    if simple:
                        value = getattr(obj, attname)
                        kind = type(value)
                        if kind in _PLAIN_TYPES or (kind is Decimal and value.is_finite()):
                            row.append(value)
                            continue
                    else:
                        value = field.pre_save(obj, add=True)
                    row.append(field.get_db_prep_save(value, connection=connection))
                copy.write_row(row)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence]) -> list:
    """Insert `rows` of `model` with one `COPY … FROM STDIN` without making model instances:
    each row gives, in order, the values of `columns` (attribute names: `payslip_id`, not
    `payslip`) as the database takes them (str, int, Decimal, date, a JSON document as its
    text); every column not named takes its database default or NULL. Returns the new
    primary keys in order. For the largest batches (a pay run's audit rows and paid
    contracts), where building instances is most of the time; must run inside a transaction."""
    if not rows:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("copy_rows must be called inside transaction.atomic()")
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    by_attname = {f.attname: f for f in meta.concrete_fields}
    names = [connection.ops.quote_name(str(by_attname[c].column)) for c in columns]
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        quoted = ", ".join([connection.ops.quote_name(str(pk.column)), *names])
        with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for pk_value, row in zip(ids, rows, strict=True):
                copy.write_row((pk_value, *row))
    return ids


class _AnyOf(Lookup):
    """`column = ANY(%s::type[])`: one array parameter for the whole list."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        cast = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{cast}[])", (*lhs_params, list(self.rhs))


def any_of(field: str, values) -> Lookup:
    """A filter `field IN values` written `field = ANY(array)`: the list is one parameter, so
    neither Django nor the driver handles it value by value (with a pay run's chunk of 200
    workers, most of the time of its few queries went into that), and the statement's text
    is the same whatever the number of values. For `.filter(any_of("member_id", ids))`."""
    return _AnyOf(F(field), list(values))


def loaded(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence]) -> list:
    """Instances of `model` from rows read from the database (`values_list` of the attribute
    names `names`, in that order), as `Model.from_db` makes them: the other fields deferred,
    the instance saved in the default database. Made by filling each instance's attributes
    at once instead of `__init__` walking every field of the model (a contract has 43, a
    member ~45: most of the time of a pay run's chunk reading its workers and contracts).
    A model with `pre_init`/`post_init` receivers takes `from_db`, which sends them."""
    from django.db.models.base import ModelState
    from django.db.models.signals import post_init, pre_init

    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return [model.from_db(DEFAULT_DB_ALIAS, names, row) for row in rows]
    new, state, alias = object.__new__, ModelState, DEFAULT_DB_ALIAS
    found = []
    for row in rows:
        obj = new(model)
        obj._state = state()
        obj._state.adding = False
        obj._state.db = alias
        obj.__dict__.update(zip(names, row, strict=True))
        found.append(obj)
    return found
