import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_do_not_depend_on_where_files_are_stored(tmp_path):
    # A migration that froze this machine's paths would change on another machine.
    env = {
        **os.environ,
        "PROTECTED_MEDIA_ROOT": str(tmp_path / "p"),
        "MEDIA_ROOT": str(tmp_path / "m"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
