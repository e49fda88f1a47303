from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lms.accounts import services
from lms.accounts.tables import TableError, read_table


class Command(BaseCommand):
    help = (
        "Create or update users from a .csv or .xlsx file with the columns "
        "number, name, role (teacher, student or reviewer) and optionally email. "
        "Nothing is saved if any row is invalid; running it again creates no duplicates."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report, save nothing."
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            with file.open("rb") as handle:
                rows = read_table(
                    handle,
                    name=file.name,
                    required=services.USER_COLUMNS,
                    optional=services.USER_OPTIONAL_COLUMNS,
                )
        except TableError as exc:
            raise CommandError(str(exc)) from exc
        report = services.import_users(rows=rows, dry_run=dry_run)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(report.errors)} invalid row(s); nothing was saved.")
        prefix = "Dry run, nothing saved: would have " if dry_run else ""
        self.stdout.write(
            f"{prefix}created {len(report.created)}, updated {len(report.updated)}, "
            f"unchanged {len(report.unchanged)}."
        )
