""" "My week" for a student in 8 offerings with published calendars of 40 entries each.

Run: .venv/bin/python -m tests.bench.bench_my_week [--runs N]
Uses a throwaway SQLite database in /tmp; prints p50/p95 in milliseconds and the query count
of ``student_week`` (and of the iCalendar feed for the same student).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time as clock
from datetime import date, time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    os.environ["SQLITE_PATH"] = os.path.join(
        tempfile.mkdtemp(prefix="bench-my-week-", dir="/tmp"), "db.sqlite3"
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Wagtail logs every page created and published; the benchmark builds dozens.
    logging.getLogger("wagtail").setLevel(logging.WARNING)


def _measure(function, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    function()  # warm caches
    with CaptureQueriesContext(connection) as captured:
        function()
    timings = []
    for _ in range(runs):
        started = clock.perf_counter()
        function()
        timings.append((clock.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95, len(captured.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--offerings", type=int, default=8)
    parser.add_argument("--entries", type=int, default=40)
    args = parser.parse_args()
    _setup()

    from classrooms.services.feeds import build_feed
    from classrooms.services.week import student_week
    from tests.factories import TeacherFactory
    from tests.factories.week import aware, build_busy_student

    today = date(2026, 9, 23)
    now = aware(today, time(12, 0))
    started = clock.perf_counter()
    student = build_busy_student(
        TeacherFactory(), offerings=args.offerings, entries=args.entries, today=today, now=now
    )
    built = clock.perf_counter() - started
    week = student_week(student=student, now=now)
    print(
        f"student in {args.offerings} offerings x {args.entries} calendar entries "
        f"(3 items each): {len(week.sessions)} sessions, {len(week.tasks)} tasks this week "
        f"(built in {built:.1f} s)"
    )
    for name, function in (
        ("student_week", lambda: student_week(student=student, now=now)),
        ("build_feed", lambda: build_feed(student, now=now)),
    ):
        p50, p95, queries = _measure(function, args.runs)
        print(f"{name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries ({args.runs} runs)")


if __name__ == "__main__":
    main()
