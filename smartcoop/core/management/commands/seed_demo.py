from django.core.management.base import BaseCommand

from smartcoop.core.demo import seed_demo


class Command(BaseCommand):
    help = "Create the demo data of this country deployment (idempotent)."

    def handle(self, *args, **options):
        result = seed_demo()
        self.stdout.write(
            f"Demo data ready: {len(result['entities'])} entities, {len(result['offices'])} offices, "
            f"{len(result['accounts'])} accounts."
        )
