"""Builders for "my week": published online calendars and a student in many offerings."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from classrooms.models import CalendarEntry, LearningMode
from classrooms.services import publish_calendar
from courses.models import LessonCompletion
from tests.factories.accounts import StudentFactory
from tests.factories.classrooms import make_offering, make_session, make_term
from tests.factories.courses import make_course, make_lesson, make_quiz, make_unit


def aware(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock), timezone.get_current_timezone())


def publish_online_calendar(offering, teacher, entries: list[tuple[datetime, list]]):
    """Publish (through the service) a calendar of online entries ``(due_at, [pages])``."""
    rows = CalendarEntry.objects.bulk_create(
        CalendarEntry(
            offering=offering,
            position=i,
            week=1,
            class_hours=Decimal("1"),
            content=f"Prepare {i}",
            mode=LearningMode.ONLINE,
            due_at=due,
        )
        for i, (due, _) in enumerate(entries, start=1)
    )
    through = CalendarEntry.items.through
    through.objects.bulk_create(
        through(calendarentry_id=row.pk, page_id=page.pk)
        for row, (_, pages) in zip(rows, entries, strict=True)
        for page in pages
    )
    return publish_calendar(offering=offering, by=teacher)


def build_busy_student(teacher, *, offerings: int, entries: int, today: date, now: datetime):
    """A student in ``offerings`` offerings, each with three sessions from ``today`` and a
    published calendar of ``entries`` entries (a lesson, a quiz and their unit each) due over
    the seven days from ``today``; every lesson is completed."""
    student = StudentFactory()
    term = make_term(starts_on=today - timedelta(days=today.weekday() + 14))
    for n in range(offerings):
        course = make_course(title=f"Course {n}")
        unit = make_unit(course, title=f"Unit {n}")
        lesson = make_lesson(unit, title=f"Lesson {n}")
        quiz = make_quiz(unit, title=f"Quiz {n}")
        offering = make_offering(course=course, term=term, teachers=[teacher], students=[student])
        first = 1 + 2 * (n % 4)
        for d in range(3):
            make_session(offering, day=today + timedelta(days=d), periods=(first, first + 1))
        due = [
            (aware(today + timedelta(days=i % 7), time(8 + i % 12, 0)), [lesson, quiz, unit])
            for i in range(entries)
        ]
        publish_online_calendar(offering, teacher, due)
        LessonCompletion.objects.create(user=student, lesson=lesson, completed_at=now)
    return student
