#!/usr/bin/env python3
"""Set up and run Rongke on a machine with only Python 3.11 and git.

    python3 dev.py run      install, migrate, seed the demo, serve on http://127.0.0.1:8000
    python3 dev.py test     install, then run the whole test suite (extra args go to pytest)
    python3 dev.py check    format check, lint, import contract, Django checks, migrations

Everything is installed into ./.venv; the install is skipped while the requirement
files are unchanged. Standard library only: this file runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
HOST, PORT = "127.0.0.1", "8000"


def sh(*args: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    completed = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def install(requirements: str) -> None:
    if not PYTHON.exists():
        venv.create(VENV, with_pip=True)
    files = [ROOT / "requirements.txt", ROOT / requirements]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = VENV / f".installed-{requirements}"
    if not stamp.exists() or stamp.read_text() != digest:
        sh(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        sh(PYTHON, "-m", "pip", "install", "--quiet", "-r", requirements)
        stamp.write_text(digest)
    # Translations are compiled in Python (polib): no gettext tools needed.
    sh(PYTHON, "manage.py", "compiletranslations")


def run(_args: list[str]) -> None:
    install("requirements.txt")
    sh(PYTHON, "manage.py", "migrate", "--noinput")
    sh(PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0")
    sh(PYTHON, "manage.py", "seed_demo")
    print(f"\nRongke is at http://{HOST}:{PORT}/  (Ctrl+C stops it)\n", flush=True)
    os.execv(PYTHON, [str(PYTHON), "-m", "daphne", "-b", HOST, "-p", PORT, "lms.asgi:application"])


def test(args: list[str]) -> None:
    install("requirements-dev.txt")
    sh(PYTHON, "-m", "pytest", *args)


def check(_args: list[str]) -> None:
    install("requirements-dev.txt")
    sh(BIN / "ruff", "format", "--check", ".")
    sh(BIN / "ruff", "check", ".")
    sh(BIN / "lint-imports")
    sh(PYTHON, "manage.py", "check")
    sh(PYTHON, "manage.py", "makemigrations", "--check", "--dry-run")


COMMANDS = {"run": run, "test": test, "check": check}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    COMMANDS[sys.argv[1]](sys.argv[2:])
