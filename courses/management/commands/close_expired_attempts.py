"""Submit, at their deadline, quiz attempts whose time ran out (run from cron every minute)."""

from django.core.management.base import BaseCommand

from courses.services import close_expired_attempts


class Command(BaseCommand):
    help = "Submit open quiz attempts past their deadline plus the grace period."

    def handle(self, *args, **options):
        closed = close_expired_attempts()
        self.stdout.write(f"{closed} attempt(s) closed.")
