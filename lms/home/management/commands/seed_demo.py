import logging

from django.core.management.base import BaseCommand

from lms.home import demo


class Command(BaseCommand):
    help = "Create (or complete) the demo site and accounts. Safe to run again."

    def handle(self, *args, **options):
        # Wagtail logs every page created and published; the demo builds dozens.
        logging.getLogger("wagtail").setLevel(logging.WARNING)
        accounts = demo.seed()
        self.stdout.write(f"Demo accounts (password: {demo.PASSWORD}):")
        by_role = {}
        for account in accounts:
            by_role.setdefault(account.role.label, []).append(account.number)
        for role, numbers in by_role.items():
            shown = numbers if len(numbers) <= 3 else [numbers[0], "…", numbers[-1]]
            self.stdout.write(f"  {role}: {' '.join(shown)}")
        self.stdout.write(
            "Try: /courses/data-structures/ (the online course), /classes/week/ (my week), "
            "/admin/ (as teacher1 or reviewer1)."
        )
