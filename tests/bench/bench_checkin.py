"""Check-in burst: a class of 300 scans the QR code within one 10 s rotation, over HTTP.

Run: .venv/bin/python -m tests.bench.bench_checkin        # --students 300 --concurrency 50

For each backend (SQLite in a throwaway file, the embedded default; PostgreSQL in a database
created and dropped for the run, --postgres-url), in a process of its own: build a class of
N enrolled students logged in through the session store, start Daphne (DEBUG off; with
--servers 2, two processes on the one database, students spread over them as a proxy would
spread phones) and wait for the start of a rotation step. Then ``--concurrency`` threads
(http.client, one new connection per check-in, like phones) check every student in: GET the
QR URL of the current step (``current_code``, read here from the shared database), then
follow the redirect to the completion page with the cookies it set. 10% of the students scan
twice at the same moment (a double tap): the second scan must not make a second row (it
answers "already checked in", or "no scan waiting" when the first took its scan).

Latency is per check-in, from the scan request to the result page. Errors are HTTP errors,
exceptions, and refusals other than those duplicates. Exit status 1 when there is an error,
a duplicate row (rows - distinct students), or rows != the students who got a success.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.bench._server import (
    HOST,
    bench_env,
    build_class,
    database_name,
    launch_daphne,
    percentile,
    postgres_database,
    session_cookies,
    setup_django,
    wait_healthy,
)

_REASON_RE = re.compile(rb'data-reason="([a-z_]+)"')
_COOKIE_RE = re.compile(r"^\s*([^=;\s]+)=([^;]*)")
RESULT_PREFIX = "RESULT "


@dataclass
class Attempt:
    student: int
    twice: bool  # this student scans twice at the same moment
    started: float = 0.0
    finished: float = 0.0
    outcome: str = ""  # ok, already, nothing, refused:<reason>, http:<status>, error:<exc>

    @property
    def latency_ms(self) -> float:
        return (self.finished - self.started) * 1000


@dataclass
class Result:
    backend: str
    students: int
    concurrency: int
    servers: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    rows: int
    successes: int  # distinct students who got "checked in" or "already checked in"
    duplicates: int  # rows - distinct students in Attendance
    wall_s: float
    attempts: int
    outcomes: dict
    rotation_s: int
    load: str  # 1-minute load average before and after the burst (a shared machine shows)


class Codes:
    """The current QR path, recomputed when the rotation step changes (one read per step)."""

    def __init__(self, session):
        from classrooms.services import checkin

        self.session = session
        self.rotation = checkin.policy_of(session).rotation_seconds
        self.lock = threading.Lock()
        self.step = None
        self.path = ""

    def current(self) -> str:
        from django.utils import timezone

        from classrooms.services import checkin

        now = timezone.now()
        with self.lock:
            if checkin.step_at(now, self.rotation) != self.step:
                code = checkin.current_code(self.session, now=now)
                self.step, self.path = code.step, code.path
            return self.path


def _get(port: int, path: str, cookies: dict[str, str]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    for header in response.headers.get_all("Set-Cookie") or []:
        match = _COOKIE_RE.match(header)
        if match:
            cookies[match.group(1)] = match.group(2)
    return response


def check_in(port: int, codes: Codes, attempt: Attempt, cookie: str) -> Attempt:
    """Scan, follow to the result; the attempt with its times and outcome."""
    from django.conf import settings

    cookies = {settings.SESSION_COOKIE_NAME: cookie}
    attempt.started = time.perf_counter()
    try:
        response = _get(port, codes.current(), cookies)
        hops = 0
        while response.status in (301, 302, 303) and hops < 3:
            response = _get(port, response.headers["Location"], cookies)
            hops += 1
        match = _REASON_RE.search(response.body)
        if match:
            reason = match.group(1).decode()
            attempt.outcome = reason if reason in ("ok", "already") else f"refused:{reason}"
        elif response.status == 200 and b"No scan waiting" in response.body:
            attempt.outcome = "nothing"
        else:
            attempt.outcome = f"http:{response.status}"
    except Exception as exc:  # a benchmark counts every failure, whatever its type
        attempt.outcome = f"error:{type(exc).__name__}"
    attempt.finished = time.perf_counter()
    return attempt


def run_backend(backend: str, args) -> Result:
    """Build the class, start the server, run the burst, count the rows: one backend."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-checkin-{backend}-", dir="/tmp"))
    if backend == "sqlite":
        return _burst(backend, bench_env(sqlite_path=workdir / "db.sqlite3"), workdir, args)
    name = database_name(args.postgres_url)
    with postgres_database(args.postgres_url, name) as url:
        return _burst(backend, bench_env(database_url=url), workdir, args)


def _burst(backend: str, env: dict[str, str], workdir: Path, args) -> Result:
    setup_django(env)
    from django.db import connections

    from classrooms.models import Attendance

    klass = build_class(args.students)
    cookies = session_cookies(klass.students)
    teacher_cookie = session_cookies([klass.teacher])[klass.teacher.pk]
    codes = Codes(klass.session)
    connections.close_all()

    servers = [launch_daphne(env, log_dir=workdir) for _ in range(args.servers)]
    try:
        for server in servers:
            wait_healthy(server)
            # Warm up the server's code paths with a refused scan (the teacher's, a bad token).
            bad = codes.current().rstrip("/").rsplit("/", 1)[0] + "/AAAAAAAAAAAAAAAA/"
            _get(server.port, bad, {"sessionid": teacher_cookie})

        rng = random.Random(5)
        order = list(range(args.students))
        rng.shuffle(order)
        twice = set(order[: round(args.students * args.duplicates)])
        attempts = []
        for i in order:
            attempts.append(Attempt(student=i, twice=i in twice))
            if i in twice:  # the double tap: the same phone, at the same moment
                attempts.append(Attempt(student=i, twice=True))

        # Start at the beginning of a rotation step, as when the code has just changed.
        rotation = codes.rotation
        time.sleep(rotation - time.time() % rotation + 0.05)
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            done = list(
                pool.map(
                    lambda a: check_in(
                        servers[a.student % len(servers)].port,
                        codes,
                        a,
                        cookies[klass.students[a.student].pk],
                    ),
                    attempts,
                )
            )
        wall = time.perf_counter() - started
        load = f"{load_before:.1f} -> {os.getloadavg()[0]:.1f}"
    finally:
        for server in servers:
            server.stop()

    rows = Attendance.objects.filter(session=klass.session)
    row_count = rows.count()
    distinct = rows.values("student").distinct().count()
    succeeded = {a.student for a in done if a.outcome in ("ok", "already")}
    outcomes: dict[str, int] = {}
    for a in done:
        outcomes[a.outcome] = outcomes.get(a.outcome, 0) + 1
    # Errors: any answer other than a success, except "no scan waiting" for one of the two
    # scans of a double tap (the other took the scan) when the student did get checked in.
    errors = sum(1 for a in done if a.outcome not in ("ok", "already", "nothing"))
    errors += sum(
        1 for a in done if a.outcome == "nothing" and not (a.twice and a.student in succeeded)
    )
    latencies = [a.latency_ms for a in done]
    return Result(
        backend=backend,
        students=args.students,
        concurrency=args.concurrency,
        servers=args.servers,
        p50_ms=statistics.median(latencies),
        p99_ms=percentile(latencies, 0.99),
        max_ms=max(latencies),
        errors=errors,
        rows=row_count,
        successes=len(succeeded),
        duplicates=row_count - distinct,
        wall_s=wall,
        attempts=len(done),
        outcomes=outcomes,
        rotation_s=rotation,
        load=load,
    )


def print_table(results: list[Result]) -> None:
    print()
    print(
        "| backend | servers | students | concurrency | p50 | p99 | max | errors | rows | "
        "successes | duplicates | wall |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(
            f"| {r.backend} | {r.servers} | {r.students} ({r.attempts} scans) | {r.concurrency} | "
            f"{r.p50_ms:.0f} ms | {r.p99_ms:.0f} ms | {r.max_ms:.0f} ms | {r.errors} | "
            f"{r.rows} | {r.successes} | {r.duplicates} | {r.wall_s:.2f} s |"
        )
    print()
    for r in results:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(r.outcomes.items()))
        fits = "within" if r.wall_s <= r.rotation_s else "NOT within"
        print(
            f"{r.backend}, {r.servers} server(s): {outcomes}; {fits} one {r.rotation_s} s "
            f"rotation; {os.cpu_count()} cores, load {r.load}"
        )


def failed(r: Result) -> bool:
    return r.errors > 0 or r.duplicates > 0 or r.rows != r.successes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--duplicates", type=float, default=0.10, help="share scanning twice")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--servers", type=int, default=1, help="Daphne processes; students spread over them"
    )
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/rongke_bench_checkin",
        help="the database named here is created and dropped",
    )
    parser.add_argument("--only", help=argparse.SUPPRESS)  # one backend, in this process
    args = parser.parse_args()

    if args.only:
        result = run_backend(args.only, args)
        print(RESULT_PREFIX + json.dumps(asdict(result)), flush=True)
        return 0

    results = []
    for backend in args.backends.split(","):
        # Each backend in a fresh process: Django is configured once per process.
        child = subprocess.run(
            [sys.executable, "-m", "tests.bench.bench_checkin", "--only", backend, *sys.argv[1:]],
            capture_output=True,
            text=True,
        )
        lines = [ln for ln in child.stdout.splitlines() if ln.startswith(RESULT_PREFIX)]
        if child.returncode != 0 or not lines:
            print(f"{backend}: failed to run\n{child.stdout}\n{child.stderr}", file=sys.stderr)
            return 2
        result = Result(**json.loads(lines[-1][len(RESULT_PREFIX) :]))
        print(
            f"{backend}: {result.attempts} scans by {result.students} students in "
            f"{result.wall_s:.2f} s",
            flush=True,
        )
        results.append(result)
    print_table(results)
    return 1 if any(failed(r) for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
