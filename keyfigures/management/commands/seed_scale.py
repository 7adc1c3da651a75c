"""manage.py seed_scale --profile smart-be [--years N] [--factor K]: a deployment with the annual
report's volumes (see keyfigures/scale.py), then the platform's invariants checked."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scopes_disabled

from keyfigures import scale


class Command(BaseCommand):
    help = "Build a deployment with the annual report's volumes and distributions (bulk paths)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--profile", default="smart-be", choices=sorted(scale.PROFILES))
        parser.add_argument("--years", type=int, default=1)
        parser.add_argument("--factor", type=float, default=1.0)
        parser.add_argument("--last-year", type=int, default=timezone.localdate().year - 1)
        parser.add_argument("--seed", type=int, default=2020)

    def handle(self, *args, **options) -> None:
        if not 1 <= options["years"] <= 5:
            raise CommandError("--years is between 1 and 5.")
        if not 0 < options["factor"] <= 10:
            raise CommandError("--factor is above 0 and at most 10.")
        started = time.monotonic()
        with scopes_disabled():
            counts = scale.seed(
                profile=scale.PROFILES[options["profile"]],
                factor=options["factor"],
                years=options["years"],
                last_year=options["last_year"],
                seed_value=options["seed"],
                report=lambda line: self.stdout.write(f"  {line}"),
            )
            seeded = time.monotonic() - started
            problems = scale.check_invariants()
        for key, value in sorted(counts.items()):
            self.stdout.write(f"{key}: {value:,}")
        self.stdout.write(f"seeded in {seeded:.1f} s")
        if problems:
            raise CommandError("invariants broken: " + "; ".join(problems))
        self.stdout.write(self.style.SUCCESS("invariants hold"))
