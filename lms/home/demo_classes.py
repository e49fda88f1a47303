"""The demo's in-person side: a term, the demo course offered, sessions and a published calendar.

Idempotent: running it again finds what it made and changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from classrooms.models import (
    CalendarEntry,
    CalendarPublication,
    Enrolment,
    Holiday,
    MakeUpDay,
    Offering,
    Organisation,
    Period,
    Term,
    TimetableRule,
    WeekParity,
)
from classrooms.services.calendar import generate_draft, publish_calendar
from classrooms.services.enrolment import enrol_student
from classrooms.services.scheduling import generate_sessions
from classrooms.services.terms import STANDARD_PERIODS

TERM_NAME = "2026–2027 秋季学期 Autumn"
TERM_WEEKS = 16
WEEKS_BEFORE_NOW = 4  # the term started four weeks ago, so the demo shows past and future

PERIODS = STANDARD_PERIODS

# weekday, periods, weeks, parity, room, organisation
RULES = [
    (0, (1, 2), f"1-{TERM_WEEKS}", WeekParity.ALL, "教一-101", Organisation.LARGE_CLASS),
    (3, (3, 4), f"1-{TERM_WEEKS}", WeekParity.ODD, "实验楼-305", Organisation.SMALL_CLASS),
]


def demo_term_start(today: date | None = None) -> date:
    """The Monday of the current week, four weeks back."""
    today = today or timezone.localdate()
    return today - timedelta(days=today.weekday() + 7 * WEEKS_BEFORE_NOW)


def seed_term(*, today: date | None = None) -> Term:
    """The demo term with its periods, a three-day holiday in week 4 (Monday to Wednesday)
    and a make-up day: the Saturday of week 4 follows that Monday's timetable."""
    term, _ = Term.objects.get_or_create(
        name=TERM_NAME, defaults={"starts_on": demo_term_start(today), "weeks": TERM_WEEKS}
    )
    for number, starts_at, ends_at in PERIODS:
        Period.objects.get_or_create(
            term=term, number=number, defaults={"starts_at": starts_at, "ends_at": ends_at}
        )
    week4 = term.starts_on + timedelta(days=21)
    Holiday.objects.get_or_create(
        term=term,
        name="国庆节 National Day",
        defaults={"starts_on": week4, "ends_on": week4 + timedelta(days=2)},
    )
    MakeUpDay.objects.get_or_create(
        term=term, date=week4 + timedelta(days=5), defaults={"follows_date": week4}
    )
    return term


@transaction.atomic
def seed_classes(*, teacher, students, course, today: date | None = None) -> Offering:
    """Offer the demo ``course`` (section 01) in the demo term, taught by ``teacher``, with
    ``students`` enrolled, two timetable rules, generated sessions and a published teaching
    calendar linking every unit's lessons and quizzes to the sessions they prepare.

    Idempotent and atomic. Raises ValidationError if the timetable has conflicts.
    """
    term = seed_term(today=today)
    offering, _ = Offering.objects.get_or_create(
        course=course,
        term=term,
        section="01",
        defaults={"online_opens_on": term.starts_on, "online_closes_on": term.ends_on},
    )
    offering.teachers.add(teacher)
    for student in students:
        enrol_student(offering=offering, student=student)
    # The roster was imported the week before the term began (attendance counts for a student
    # from their enrolment on, and the demo has a month of classes behind it).
    imported = timezone.make_aware(datetime.combine(term.starts_on - timedelta(days=7), time(9)))
    Enrolment.objects.filter(offering=offering, enrolled_at__gt=imported).update(
        enrolled_at=imported
    )
    for weekday, (first, last), weeks, parity, room, organisation in RULES:
        TimetableRule.objects.get_or_create(
            offering=offering,
            weekday=weekday,
            first_period=first,
            defaults={
                "last_period": last,
                "weeks": weeks,
                "parity": parity,
                "room": room,
                "organisation": organisation,
            },
        )
    result = generate_sessions(offering=offering)
    if result.conflicts:
        raise ValidationError([conflict.message for conflict in result.conflicts])
    if not CalendarPublication.objects.filter(offering=offering).exists():
        if not CalendarEntry.objects.filter(offering=offering).exists():
            generate_draft(offering=offering, by=teacher)
        publish_calendar(offering=offering, by=teacher)
    return offering
