"""Generating sessions for 200 offerings × 16 weeks, two timetable rules each.

Run: .venv/bin/python -m tests.bench.bench_generate [--offerings N] [--weeks N]
Uses a throwaway SQLite database in /tmp; prints the time and query count of a first run
(every session created) and of a second run (nothing to change), each over all offerings.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time as clock


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    os.environ["SQLITE_PATH"] = os.path.join(
        tempfile.mkdtemp(prefix="bench-generate-", dir="/tmp"), "db.sqlite3"
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.getLogger("wagtail").setLevel(logging.WARNING)


def _build(offerings: int, weeks: int):
    from datetime import date

    from classrooms.models import Holiday, MakeUpDay
    from tests.factories import TeacherFactory
    from tests.factories.classrooms import make_offering, make_rule, make_term
    from tests.factories.courses import make_course

    term = make_term(name="Bench term", starts_on=date(2026, 9, 7), weeks=weeks)
    Holiday.objects.create(
        term=term, name="National Day", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 7)
    )
    MakeUpDay.objects.create(term=term, date=date(2026, 10, 10), follows_date=date(2026, 10, 5))
    courses = [make_course() for _ in range(20)]  # ten sections of each course
    built = []
    for n in range(offerings):
        teacher = TeacherFactory()
        offering = make_offering(
            course=courses[n % len(courses)], term=term, teachers=[teacher], section=f"{n:03d}"
        )
        make_rule(offering, weekday=n % 5, periods=(1, 2), weeks=f"1-{weeks}", room=f"R{n}")
        make_rule(offering, weekday=(n + 2) % 5, periods=(5, 6), weeks=f"1-{weeks}", room=f"R{n}")
        built.append(offering)
    return built


def _run(offerings) -> tuple[float, int, int]:
    from django.db import connection

    from classrooms.services.scheduling import generate_sessions

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    created = 0
    with connection.execute_wrapper(count):
        started = clock.perf_counter()
        for offering in offerings:
            result = generate_sessions(offering=offering)
            if not result.ok:
                raise SystemExit(result.conflicts[0].message)
            created += result.created
        seconds = clock.perf_counter() - started
    return seconds, created, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offerings", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=16)
    args = parser.parse_args()
    _setup()

    from classrooms.models import Session

    offerings = _build(args.offerings, args.weeks)
    seconds, created, queries = _run(offerings)
    total = Session.objects.count()
    print(f"offerings: {len(offerings)}, weeks: {args.weeks}, rules: {2 * len(offerings)}")
    print(
        f"first run:  {seconds:.2f} s, {created} sessions created, "
        f"{created / seconds:.0f} sessions/s, {queries} queries "
        f"({queries / len(offerings):.1f} per offering)"
    )
    seconds, created, queries = _run(offerings)
    print(
        f"second run: {seconds:.2f} s, {created} sessions created (of {total}), "
        f"{total / seconds:.0f} sessions checked/s, {queries} queries "
        f"({queries / len(offerings):.1f} per offering)"
    )


if __name__ == "__main__":
    main()
