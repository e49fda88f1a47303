"""Acceptance: a teacher moves one session; the student sees it moved in my week and the feed."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from classrooms.models import Session
from classrooms.services.feeds import build_feed
from classrooms.services.scheduling import generate_sessions, move_session
from classrooms.services.week import student_week
from tests.factories.classrooms import make_offering, make_rule, make_term
from tests.factories.courses import make_course, make_unit
from tests.factories.week import aware

pytestmark = pytest.mark.django_db


def test_moved_session_shows_in_my_week_and_updates_in_the_feed(teacher, student):
    course = make_course(title="Algorithms", teachers=[teacher])
    make_unit(course, title="Sorting")
    offering = make_offering(
        course=course, term=make_term(starts_on=date(2026, 9, 7)), teachers=[teacher],
        students=[student],
    )  # fmt: skip
    make_rule(offering, weekday=0, periods=(1, 2), room="教一-101")
    assert generate_sessions(offering=offering).ok
    session = Session.objects.get(offering=offering, date=date(2026, 9, 14))
    now = aware(date(2026, 9, 14), time(7, 0))
    before = {
        str(e["UID"]): int(e["SEQUENCE"])
        for e in Calendar.from_ical(build_feed(student)).walk("VEVENT")
    }

    move_session(session=session, date=date(2026, 9, 16), first_period=5, last_period=6, by=teacher)

    week = student_week(student=student, now=now)
    assert [(s.starts_at.date(), s.moved) for s in week.sessions] == [(date(2026, 9, 16), True)]
    assert week.days[2].sessions[0].starts_at == aware(date(2026, 9, 16), time(14, 0))
    [event] = [
        e for e in Calendar.from_ical(build_feed(student)).walk("VEVENT") if e["UID"] == session.uid
    ]
    assert int(event["SEQUENCE"]) == before[session.uid] + 1
    assert event.decoded("DTSTART") == datetime(
        2026, 9, 16, 14, 0, tzinfo=ZoneInfo("Asia/Shanghai")
    )
    assert str(event["LOCATION"]) == "教一-101"
