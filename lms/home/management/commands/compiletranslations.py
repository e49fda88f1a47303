from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand

SKIP = {".venv", "node_modules", ".git", "static", "media"}


def catalogues(root: Path):
    for po in sorted(root.rglob("locale/*/LC_MESSAGES/*.po")):
        if not SKIP.intersection(po.relative_to(root).parts):
            yield po


class Command(BaseCommand):
    help = (
        "Compile every .po catalogue of the project to .mo in pure Python (polib), "
        "so that no gettext tools are needed. Only out-of-date catalogues are rewritten."
    )

    def handle(self, *args, **options):
        compiled = 0
        for po in catalogues(Path(settings.BASE_DIR)):
            mo = po.with_suffix(".mo")
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            polib.pofile(str(po)).save_as_mofile(str(mo))
            compiled += 1
        self.stdout.write(f"Compiled {compiled} translation catalogue(s).")
