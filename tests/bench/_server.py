"""Shared helpers for benchmarks and tests that run real Daphne servers.

- :func:`bench_env` and :func:`setup_django`: the environment a benchmark and the servers it
  starts share (same database, same SECRET_KEY, so session cookies made here are valid there).
- :func:`start_daphne` / :meth:`Server.stop`: a Daphne subprocess on a free port, waited for
  until ``/healthz`` answers 200.
- :func:`create_students` and :func:`session_cookies`: many users at once, logged in by
  writing their sessions straight into the session store (no password hashing, no login
  requests), so a benchmark measures what it means to measure.
- :func:`build_class`: a term, a course, an offering with its roster and a session happening
  now (check-in open).
- :func:`postgres_database`: a throwaway PostgreSQL database, created and dropped.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
# Production-like settings for the servers (DEBUG off: no query log, no autoreload of static
# files), with a fixed key so that the benchmark process and the servers agree on sessions.
BENCH_SECRET_KEY = "rongke-bench-only-not-a-secret-0123456789abcdef"
STUDENT_PREFIX = "bench"


def raise_open_files_limit() -> int:
    """Raise the soft limit of open files to the hard limit; returns the new soft limit.

    Children (the Daphne servers) inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 65536
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def bench_env(
    *,
    sqlite_path: str | os.PathLike | None = None,
    database_url: str | None = None,
    redis_url: str | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment for a server (and for this process before ``django.setup()``).

    Exactly one of ``sqlite_path`` and ``database_url``; ``redis_url`` None means the
    in-memory channel layer (one process)."""
    if (sqlite_path is None) == (database_url is None):
        raise ValueError("give exactly one of sqlite_path and database_url")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SQLITE_PATH"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings",
        DEBUG="0",
        SECRET_KEY=BENCH_SECRET_KEY,
        SECURE_SSL_REDIRECT="0",
        LANGUAGE_CODE="en",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if sqlite_path is not None:
        env["SQLITE_PATH"] = str(sqlite_path)
    else:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra or {})
    return env


def setup_django(env: dict[str, str], *, migrate: bool = True) -> None:
    """Configure this process like the servers (``env`` from :func:`bench_env`) and migrate."""
    os.environ.update(env)
    for key in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH"):
        if key not in env:
            os.environ.pop(key, None)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


# --- servers -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running Daphne process."""

    process: subprocess.Popen
    port: int
    log_path: Path
    env: dict[str, str] = field(repr=False)

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    def ws_url(self, path: str) -> str:
        return f"ws://{HOST}:{self.port}{path}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout``)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def suite_server_env(redis_url: str | None = None) -> dict[str, str]:
    """The environment for a server a test launches: the test's own database (SQLite file or
    PostgreSQL, as the suite runs), this process's secret key (so its session cookies
    work), and Redis at ``redis_url`` or else the in-memory channel layer."""
    from django.conf import settings
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        env = bench_env(sqlite_path=name, redis_url=redis_url)
    else:
        env = bench_env(
            database_url=with_database_name(settings.DATABASE_URL, name), redis_url=redis_url
        )
    env["SECRET_KEY"] = settings.SECRET_KEY
    return env


def launch_daphne(
    env: dict[str, str],
    *,
    port: int | None = None,
    log_dir: str | os.PathLike | None = None,
    application: str = "lms.asgi:application",
) -> Server:
    """Start Daphne serving ``application`` with ``env``, without waiting for it (see
    :func:`wait_healthy`). Its output goes to a log file in ``log_dir`` (else a temporary
    folder)."""
    port = port or free_port()
    log_dir = Path(log_dir or tempfile.mkdtemp(prefix="rongke-daphne-"))
    log_path = log_dir / f"daphne-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", HOST, "-p", str(port), application],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return Server(process=process, port=port, log_path=log_path, env=env)


def start_daphne(env: dict[str, str], *, timeout: float = 60.0, **options) -> Server:
    """:func:`launch_daphne`, then wait until ``/healthz`` is 200. A server that fails to
    start is stopped and its log is shown in the exception."""
    server = launch_daphne(env, **options)
    try:
        wait_healthy(server, timeout=timeout)
    except BaseException:
        server.stop()
        raise
    return server


def wait_healthy(server: Server, *, timeout: float = 60.0) -> dict:
    """Poll ``/healthz`` until it answers 200; returns its JSON body."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"Daphne on port {server.port} exited with {server.process.returncode}:\n"
                + server.log_tail()
            )
        try:
            connection = http.client.HTTPConnection(HOST, server.port, timeout=5)
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            body = response.read()
            connection.close()
            if response.status == 200:
                return json.loads(body)
            last = f"{response.status} {body[:300]!r}"
        except OSError as exc:
            last = repr(exc)
        time.sleep(0.2)
    raise TimeoutError(
        f"Daphne on port {server.port} not healthy after {timeout} s ({last}):\n"
        + server.log_tail()
    )


# --- people --------------------------------------------------------------------------------
def create_students(count: int, *, prefix: str = STUDENT_PREFIX) -> list:
    """``count`` students (numbers ``<prefix>00000``...) in one bulk insert each for users
    and role memberships; passwords are unusable (they log in through :func:`session_cookies`).
    """
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction

    from lms.accounts.models import Role, User

    with transaction.atomic():
        users = User.objects.bulk_create(
            User(
                number=f"{prefix}{i:05d}",
                display_name=f"Student {prefix} {i}",
                password=make_password(None),
            )
            for i in range(count)
        )
        users = list(User.objects.filter(number__startswith=prefix).order_by("number"))
        group = Group.objects.get(name=Role.STUDENT.value)
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=user.pk, group_id=group.pk) for user in users
        )
    return users


def session_cookies(users) -> dict[int, str]:
    """Log ``users`` in by writing their sessions to the session store, as
    ``django.contrib.auth.login`` would; returns ``{user id: session key}`` (the value of
    the ``sessionid`` cookie)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    backend = settings.AUTHENTICATION_BACKENDS[0]
    expires = timezone.now() + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    store = SessionStore()
    rows, keys = [], {}
    for user in users:
        key = store._get_new_session_key()
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        keys[user.pk] = key
    Session.objects.bulk_create(rows, batch_size=500)
    return keys


def cookie_header(session_key: str) -> str:
    from django.conf import settings

    return f"{settings.SESSION_COOKIE_NAME}={session_key}"


# --- a class happening now -----------------------------------------------------------------
@dataclass
class Class:
    teacher: object
    offering: object
    session: object
    students: list


def build_class(students: int, *, minutes_from_start: int = 1) -> Class:
    """A teacher, a course, an offering in a term around today with ``students`` enrolled (in
    bulk) and a session that started ``minutes_from_start`` minutes ago (check-in open)."""
    import logging

    from django.utils import timezone

    from classrooms.models import Enrolment
    from tests.factories import TeacherFactory
    from tests.factories.attendance import make_session_now
    from tests.factories.classrooms import make_offering, make_term
    from tests.factories.courses import make_course

    logging.getLogger("wagtail").setLevel(logging.WARNING)
    today = timezone.localdate()
    monday = today - timezone.timedelta(days=today.weekday() + 7)
    teacher = TeacherFactory()
    term = make_term(starts_on=monday, weeks=16)
    offering = make_offering(course=make_course(teachers=[teacher]), term=term, teachers=[teacher])
    people = create_students(students)
    Enrolment.objects.bulk_create(Enrolment(offering=offering, student=s) for s in people)
    session = make_session_now(offering, minutes_from_start=minutes_from_start)
    return Class(teacher=teacher, offering=offering, session=session, students=people)


# --- PostgreSQL ----------------------------------------------------------------------------
def with_database_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    """The database named in ``url`` (its path, without any options)."""
    return urlsplit(url).path.lstrip("/")


@contextlib.contextmanager
def postgres_database(server_url: str, name: str):
    """Create the database ``name`` on the server of ``server_url`` (dropping any leftover of
    the same name), yield its URL (with the options of ``server_url``, e.g. ``?pool=true``),
    drop it afterwards."""
    import psycopg

    admin_url = urlunsplit(urlsplit(server_url)._replace(path="/postgres", query=""))

    def run(statement: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(statement)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    try:
        yield with_database_name(server_url, name)
    finally:
        from django.db import connections

        connections.close_all()
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
