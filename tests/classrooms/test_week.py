""" "My week": sessions and online tasks across offerings, access, query count, the page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from classrooms.models import CalendarEntry, Enrolment, LearningMode, SessionStatus
from classrooms.services.week import student_week, teacher_week
from courses.models import LessonCompletion, QuizAttempt
from tests.conftest import login_client
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.classrooms import make_offering, make_session, make_term
from tests.factories.courses import make_course, make_lesson, make_quiz, make_unit
from tests.factories.week import build_busy_student, publish_online_calendar

pytestmark = pytest.mark.django_db

# Wednesday of week 3 of a term starting on Monday 2026-09-07.
TODAY = date(2026, 9, 23)


def aware(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock), timezone.get_current_timezone())


NOW = aware(TODAY, time(12, 0))


def publish(offering, teacher, entries):
    return publish_online_calendar(offering, teacher, entries)


@pytest.fixture
def world(teacher, student):
    term = make_term(starts_on=date(2026, 9, 7))
    algo = make_course(title="Algorithms")
    unit = make_unit(algo, title="Sorting")
    merge = make_lesson(unit, title="Merge sort")
    quick = make_lesson(unit, title="Quicksort")
    quiz = make_quiz(unit, title="Sorting quiz")
    other_unit = make_unit(algo, title="Graphs")
    bfs = make_lesson(other_unit, title="BFS")
    nets = make_course(title="Networks")
    nets_unit = make_unit(nets, title="Layers")
    tcp = make_lesson(nets_unit, title="TCP")
    algo_off = make_offering(course=algo, term=term, teachers=[teacher], students=[student])
    nets_off = make_offering(
        course=nets, term=term, teachers=[teacher], students=[student], section="02"
    )
    sessions = {
        # out of order on purpose; yesterday and next Wednesday are outside the window
        "nets_fri": make_session(nets_off, day=date(2026, 9, 25), periods=(3, 4), room="B202"),
        "algo_today": make_session(algo_off, day=TODAY, periods=(5, 6), room="A101"),
        "nets_today": make_session(nets_off, day=TODAY, periods=(1, 2), room="B202"),
        "algo_mon": make_session(
            algo_off, day=date(2026, 9, 28), room="A101", status=SessionStatus.CANCELLED
        ),
        "algo_yesterday": make_session(algo_off, day=TODAY - timedelta(days=1)),
        "algo_next_wed": make_session(algo_off, day=TODAY + timedelta(days=7)),
    }
    publish(
        algo_off,
        teacher,
        [
            (aware(TODAY, time(8, 0)), [merge, quiz]),  # passed: merge done, quiz late
            (aware(TODAY, time(14, 0)), [quick]),  # later today: to do
            (aware(date(2026, 9, 26), time(23, 0)), [unit, bfs]),  # unit done, bfs to do
            (aware(TODAY - timedelta(days=1), time(8, 0)), [bfs]),  # before the window
            (aware(TODAY + timedelta(days=7), time(8, 0)), [bfs]),  # after the window
        ],
    )
    publish(nets_off, teacher, [(aware(date(2026, 9, 24), time(8, 0)), [tcp])])
    for lesson in (merge, quick):
        LessonCompletion.objects.create(user=student, lesson=lesson, completed_at=NOW)
    QuizAttempt.objects.create(
        quiz=quiz, student=student, number=1, started_at=NOW, submitted_at=None
    )
    # the quiz attempt for the unit check is submitted in the unit test itself
    return {
        "algo": algo_off,
        "nets": nets_off,
        "sessions": sessions,
        "pages": {"merge": merge, "quick": quick, "quiz": quiz, "unit": unit, "bfs": bfs},
    }


def listing(week):
    return [
        (
            day.date.isoformat(),
            [
                (s.starts_at.strftime("%H:%M"), s.course_title, s.room, s.cancelled)
                for s in day.sessions
            ],
            [(t.title, t.state) for t in day.tasks],
        )
        for day in week.days
    ]


def test_student_week_lists_sessions_and_tasks_today_first(world, student):
    week = student_week(student=student, now=NOW)

    assert week.start == TODAY
    assert week.days[0].is_today
    assert listing(week) == [
        (
            "2026-09-23",
            [("08:00", "Networks", "B202", False), ("14:00", "Algorithms", "A101", False)],
            [("Merge sort", "done"), ("Sorting quiz", "late"), ("Quicksort", "done")],
        ),
        ("2026-09-24", [], [("TCP", "todo")]),
        ("2026-09-25", [("10:00", "Networks", "B202", False)], []),
        ("2026-09-26", [], [("BFS", "todo"), ("Sorting", "todo")]),
        ("2026-09-27", [], []),
        ("2026-09-28", [("08:00", "Algorithms", "A101", True)], []),
        ("2026-09-29", [], []),
    ]


def test_a_unit_is_done_when_all_its_lessons_and_quizzes_are(world, student):
    QuizAttempt.objects.filter(student=student).update(submitted_at=NOW)

    week = student_week(student=student, now=NOW)

    states = {(t.title, t.due_at.date().isoformat()): t.state for t in week.tasks}
    assert states == {
        ("Merge sort", "2026-09-23"): "done",
        ("Sorting quiz", "2026-09-23"): "done",
        ("Quicksort", "2026-09-23"): "done",
        ("TCP", "2026-09-24"): "todo",
        ("BFS", "2026-09-26"): "todo",
        ("Sorting", "2026-09-26"): "done",
    }


def test_late_when_not_done_after_the_due_time(world, student):
    later = aware(date(2026, 9, 30), time(9, 0))

    week = student_week(student=student, start=TODAY, now=later)

    assert [(t.title, t.state) for t in week.tasks] == [
        ("Merge sort", "done"),
        ("Sorting quiz", "late"),
        ("Quicksort", "done"),
        ("TCP", "late"),
        ("BFS", "late"),
        ("Sorting", "late"),
    ]
    assert not any(day.is_today for day in week.days)


def test_moved_session_is_flagged_and_appears_at_its_new_time(world, student):
    session = world["sessions"]["nets_fri"]
    session.starts_at = aware(date(2026, 9, 27), time(14, 0))
    session.ends_at = aware(date(2026, 9, 27), time(15, 40))
    session.date = date(2026, 9, 27)
    session.moved = True
    session.sequence += 1
    session.save()

    week = student_week(student=student, now=NOW)

    assert week.days[2].sessions == []
    [moved] = week.days[4].sessions
    assert (moved.starts_at.strftime("%H:%M"), moved.moved, moved.cancelled) == (
        "14:00",
        True,
        False,
    )


def test_a_student_sees_only_their_own_offerings(world, student):
    stranger = StudentFactory()
    other = make_offering(
        course=make_course(title="Secret"), term=world["algo"].term, students=[stranger]
    )
    make_session(other, day=TODAY, periods=(3, 4))

    mine = student_week(student=student, now=NOW)
    theirs = student_week(student=stranger, now=NOW)

    assert "Secret" not in {s.course_title for s in mine.sessions}
    assert [(s.course_title, s.room) for s in theirs.sessions] == [("Secret", "A101")]
    assert theirs.tasks == []


def test_a_dropped_student_no_longer_sees_that_offering(world, student):
    Enrolment.objects.filter(offering=world["nets"], student=student).update(dropped_at=NOW)

    week = student_week(student=student, now=NOW)

    assert {s.course_title for s in week.sessions} == {"Algorithms"}
    assert "TCP" not in {t.title for t in week.tasks}


def test_only_published_calendars_count(world, student, teacher):
    CalendarEntry.objects.create(
        offering=world["nets"],
        position=2,
        week=3,
        class_hours=Decimal("1"),
        content="Draft only",
        mode=LearningMode.ONLINE,
        due_at=aware(TODAY, time(20, 0)),
    ).items.set([world["pages"]["bfs"]])

    week = student_week(student=student, now=NOW)

    assert [t.title for t in week.days[0].tasks] == ["Merge sort", "Sorting quiz", "Quicksort"]


def test_teacher_week_lists_their_sessions_and_assisted_ones(world, teacher):
    assistant = TeacherFactory()
    world["nets"].assistants.add(assistant)
    outsider = TeacherFactory()

    week = teacher_week(teacher=teacher, start=TODAY, now=NOW)
    assisted = teacher_week(teacher=assistant, start=TODAY, now=NOW)

    assert [(s.starts_at.strftime("%d %H:%M"), s.course_title, s.room) for s in week.sessions] == [
        ("23 08:00", "Networks", "B202"),
        ("23 14:00", "Algorithms", "A101"),
        ("25 10:00", "Networks", "B202"),
        ("28 08:00", "Algorithms", "A101"),
    ]
    assert [s.course_title for s in assisted.sessions] == ["Networks", "Networks"]
    assert teacher_week(teacher=outsider, now=NOW).sessions == []


# --- the query count does not grow with offerings and entries --------------------------------
def build_student(teacher, *, offerings: int, entries: int):
    return build_busy_student(teacher, offerings=offerings, entries=entries, today=TODAY, now=NOW)


MY_WEEK_QUERIES = 7


def test_my_week_query_count_is_the_same_for_2_and_8_offerings(
    teacher, django_assert_max_num_queries
):
    small = build_student(teacher, offerings=2, entries=3)
    large = build_student(teacher, offerings=8, entries=40)
    student_week(student=small, now=NOW)  # warm per-process caches (content types)
    counts = {}
    for name, student, offerings, entries in (("small", small, 2, 3), ("large", large, 8, 40)):
        with django_assert_max_num_queries(MY_WEEK_QUERIES) as captured:
            week = student_week(student=student, now=NOW)
        counts[name] = len(captured.captured_queries)
        assert len(week.sessions) == 3 * offerings
        assert len(week.tasks) == 3 * offerings * entries

    assert counts["small"] == counts["large"] == MY_WEEK_QUERIES


# --- the page --------------------------------------------------------------------------------
def test_my_week_page_shows_days_sessions_tasks_and_feed_link(world, student):
    client = login_client(student)

    response = client.get(reverse("classrooms:my_week"), {"start": TODAY.isoformat()})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="card week-day') == 7
    assert "B202" in html and "Networks" in html
    assert world["pages"]["quiz"].url in html
    assert "/classes/feed/" in html and ".ics" in html
    assert 'class="badge cancelled"' in html


def test_my_week_page_for_a_teacher(world, teacher):
    response = login_client(teacher).get(reverse("classrooms:my_week"), {"start": "2026-09-23"})

    assert response.status_code == 200
    assert response.content.decode().count("week-session") == 4


def test_my_week_page_with_a_bad_date_falls_back_to_today(student):
    response = login_client(student).get(reverse("classrooms:my_week"), {"start": "nope"})

    assert response.status_code == 200
    assert response.context["week"].start == timezone.localdate()


def test_my_week_needs_login(client):
    response = client.get(reverse("classrooms:my_week"))

    assert response.status_code == 302


def test_dashboards_link_to_my_week(student, teacher):
    url = reverse("classrooms:my_week")
    assert url in login_client(student).get(reverse("home:student")).content.decode()
    assert url in login_client(teacher).get(reverse("home:teacher")).content.decode()
