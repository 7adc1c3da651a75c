from django.apps import apps
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from smartcoop.core.demo import seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo data of this country deployment (idempotent): the core's entities, "
        "offices and accounts, then each app's `seed_<app>_demo` command in dependency order."
    )

    def handle(self, *args, **options):
        result = seed_demo()
        self.stdout.write(
            f"Demo data ready: {len(result['entities'])} entities, {len(result['offices'])} "
            f"offices, {len(result['accounts'])} accounts."
        )
        commands = get_commands()
        # INSTALLED_APPS lists the apps from the bottom layer up (members before activities
        # before invoicing), which is the order their demo data depends on each other.
        for config in apps.get_app_configs():
            name = f"seed_{config.label}_demo"
            if name in commands:
                call_command(name, stdout=self.stdout)
