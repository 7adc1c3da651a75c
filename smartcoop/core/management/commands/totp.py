from django.core.management.base import BaseCommand

from smartcoop.core.demo_constants import DEMO_TOTP_SECRET
from smartcoop.core.totp import current_code


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo staff accounts (local use only)."

    def handle(self, *args, **options):
        self.stdout.write(current_code(DEMO_TOTP_SECRET))
