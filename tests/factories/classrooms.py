"""Builders for terms and offerings."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from classrooms.models import Enrolment, Offering, Period, Session, Term, TimetableRule
from classrooms.services.terms import STANDARD_PERIODS
from courses.services import grant_access

PERIODS = STANDARD_PERIODS

_counter = iter(range(1, 1_000_000))


def make_term(
    *, name: str | None = None, starts_on: date = date(2026, 9, 7), weeks: int = 16
) -> Term:
    """A term (week 1 starts on a Monday by default) with the standard period table."""
    term = Term.objects.create(
        name=name or f"Term {next(_counter)}", starts_on=starts_on, weeks=weeks
    )
    Period.objects.bulk_create(
        Period(term=term, number=n, starts_at=start, ends_at=end) for n, start, end in PERIODS
    )
    return term


def make_offering(
    *, course, term, teachers=(), students=(), section: str = "01", **fields
) -> Offering:
    """An offering whose online window is the whole term; students enrolled with access."""
    offering = Offering.objects.create(
        course=course,
        term=term,
        section=section,
        online_opens_on=fields.pop("online_opens_on", term.starts_on),
        online_closes_on=fields.pop("online_closes_on", term.ends_on),
        **fields,
    )
    offering.teachers.set(teachers)
    for student in students:
        Enrolment.objects.create(offering=offering, student=student)
        grant_access(course=course, user=student, source=offering.access_source)
    # On the roster from before the term began, as after a roster import: every session of
    # the term concerns them (a student enrolled later is created by the test itself).
    Enrolment.objects.filter(offering=offering).update(enrolled_at=before_term(term))
    return offering


def before_term(term) -> datetime:
    """Noon of the day before ``term`` starts."""
    return timezone.make_aware(datetime.combine(term.starts_on - timedelta(days=1), time(12)))


def make_rule(
    offering, *, weekday=0, periods=(1, 2), weeks="1-16", parity="all", room="A101", **fields
) -> TimetableRule:
    return TimetableRule.objects.create(
        offering=offering,
        weekday=weekday,
        first_period=periods[0],
        last_period=periods[1],
        weeks=weeks,
        parity=parity,
        room=room,
        **fields,
    )


def make_session(
    offering, *, day: date, periods=(1, 2), room="A101", status="scheduled", **fields
) -> Session:
    """One session on ``day`` at the standard period times (hand-made, no rule)."""
    times = {n: (start, end) for n, start, end in PERIODS}
    tz = timezone.get_current_timezone()
    starts = timezone.make_aware(datetime.combine(day, times[periods[0]][0]), tz)
    ends = timezone.make_aware(datetime.combine(day, times[periods[1]][1]), tz)
    n = next(_counter)
    return Session.objects.create(
        offering=offering,
        week=fields.pop("week", offering.term.week_of(day) or 1),
        date=day,
        starts_at=starts,
        ends_at=ends,
        room=room,
        class_hours=periods[1] - periods[0] + 1,
        status=status,
        uid=fields.pop("uid", f"test-session-{n}@rongke"),
        **fields,
    )
