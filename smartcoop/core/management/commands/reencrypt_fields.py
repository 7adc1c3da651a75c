"""Rewrite every encrypted value and its blind index with the newest key (after a rotation)."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from smartcoop.core.fields import EncryptedTextField, blind_index

BATCH = 500


class Command(BaseCommand):
    help = (
        "After putting a new key first in SMARTCOOP_FIELD_ENCRYPTION_KEYS: re-encrypt every "
        "encrypted field (national numbers, IBANs) and recompute its blind index (`<field>_index`) "
        "with that key, so the old keys can be removed. Rerunnable; each batch is one transaction."
    )

    def handle(self, *args, **options) -> None:
        total = 0
        # Across entities on purpose: a key rotation rewrites every encrypted value of every
        # entity (payers' IBANs of each entity's bank lines, members' data shared by all).
        with scopes_disabled():
            for model in apps.get_models():
                fields = [
                    f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
                ]
                if not fields:
                    continue
                names = {f.name for f in model._meta.concrete_fields}
                indexes = {name: f"{name}_index" for name in fields if f"{name}_index" in names}
                manager = model._base_manager
                pks = list(manager.order_by("pk").values_list("pk", flat=True))
                for start in range(0, len(pks), BATCH):
                    with transaction.atomic():
                        rows = list(
                            manager.filter(pk__in=pks[start : start + BATCH]).select_for_update()
                        )
                        for row in rows:
                            for name, index in indexes.items():
                                value = getattr(row, name)
                                setattr(row, index, blind_index(value) if value else "")
                        # Saving writes each value encrypted with the newest key.
                        manager.bulk_update(rows, [*fields, *indexes.values()])
                total += len(pks)
                self.stdout.write(f"{model._meta.label}: {len(pks)} rows ({', '.join(fields)})")
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} rows with the newest key."))
