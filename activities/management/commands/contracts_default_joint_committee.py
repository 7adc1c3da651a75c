"""Give the contracts not paid yet that name no joint committee their type's default (Belgium):
those made before the pack gave one. Once, after deploying the default; rerunnable."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django_scopes import scope

from activities.services import contracts_default_joint_committee
from smartcoop.core.models import LegalEntity


class Command(BaseCommand):
    help = "Contracts not paid yet that name no joint committee get their type's default."

    def handle(self, *args, **options) -> None:
        total = 0
        for entity in LegalEntity.objects.order_by("pk"):
            with scope(entity=entity.pk):
                count = contracts_default_joint_committee(entity=entity, actor=None)
            if count:
                self.stdout.write(f"{entity.name}: {count} contract(s)")
            total += count
        self.stdout.write(f"{total} contract(s) given their default joint committee.")
