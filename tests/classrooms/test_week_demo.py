"""The demo's classes: term with holiday and make-up day, offering, sessions, calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from classrooms.models import CalendarPublication, Enrolment, Session
from lms.home.demo_classes import TERM_NAME, seed_classes
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.courses import make_course, make_lesson, make_quiz, make_unit

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 8)  # a Thursday


@pytest.fixture
def demo():
    teacher = TeacherFactory()
    students = [StudentFactory() for _ in range(3)]
    course = make_course(title="Data structures", teachers=[teacher])
    items = []
    for n in (1, 2):
        unit = make_unit(course, title=f"Unit {n}")
        items += [make_lesson(unit, title=f"Lesson {n}").pk, make_quiz(unit, title=f"Quiz {n}").pk]
    return teacher, students, course, items


def test_seed_classes_builds_the_term_offering_sessions_and_calendar(demo):
    teacher, students, course, items = demo

    offering = seed_classes(teacher=teacher, students=students, course=course, today=TODAY)

    term = offering.term
    assert (term.name, term.starts_on, term.weeks) == (TERM_NAME, date(2026, 9, 7), 16)
    assert term.periods.count() == 10
    [holiday] = term.holidays.all()
    assert (holiday.starts_on, holiday.ends_on) == (date(2026, 9, 28), date(2026, 9, 30))
    [makeup] = term.makeup_days.all()
    assert (makeup.date, makeup.follows_date) == (date(2026, 10, 3), date(2026, 9, 28))
    assert set(offering.teachers.all()) == {teacher}
    assert Enrolment.objects.filter(offering=offering, dropped_at=None).count() == 3

    sessions = Session.objects.filter(offering=offering)
    mondays = sessions.filter(room="教一-101")
    assert mondays.count() == 16  # 16 weeks, the holiday Monday made up on Saturday
    assert mondays.filter(date=date(2026, 9, 28)).count() == 0
    assert mondays.filter(date=date(2026, 10, 3)).count() == 1
    assert sorted(sessions.filter(room="实验楼-305").values_list("week", flat=True)) == [
        1, 3, 5, 7, 9, 11, 13, 15,
    ]  # fmt: skip

    [publication] = CalendarPublication.objects.filter(offering=offering)
    linked = {
        item["page_id"]
        for entry in publication.entries
        if entry["session_id"]
        for item in entry["items"]
    }
    assert linked == set(items)


def test_seed_classes_twice_changes_nothing(demo):
    teacher, students, course, _ = demo
    seed_classes(teacher=teacher, students=students, course=course, today=TODAY)
    before = sorted(Session.objects.values_list("uid", "starts_at", "sequence"))

    seed_classes(
        teacher=teacher, students=students, course=course, today=TODAY + timedelta(days=14)
    )

    assert sorted(Session.objects.values_list("uid", "starts_at", "sequence")) == before
    assert CalendarPublication.objects.count() == 1
    assert Enrolment.objects.count() == 3
