"""Attendance on the dashboards: the teacher's alerts for students under their offering's
threshold, and each student's rate per class."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classrooms.models import AttendancePolicy
from tests.conftest import login_client
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.attendance import make_attendance
from tests.factories.classrooms import make_offering, make_session, make_term
from tests.factories.courses import make_course

pytestmark = pytest.mark.django_db


def _days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def term():
    """A term that contains today."""
    return make_term(starts_on=_days_ago(30), weeks=16)


def _student_url(offering, student) -> str:
    return reverse("classrooms:attendance_student", args=[offering.pk, student.pk])


def _offering(teacher, term, students, *, title="Networks", held=4, attended=None):
    """An offering with ``held`` sessions in the past and one to come; ``attended`` maps a
    student to how many of the held sessions they were present at (default: all)."""
    offering = make_offering(
        course=make_course(title=title), term=term, teachers=[teacher], students=students
    )
    sessions = [make_session(offering, day=_days_ago(2 + 7 * n)) for n in range(held)]
    make_session(offering, day=_days_ago(-5))
    for student in students:
        count = (attended or {}).get(student, held)
        for session in sessions[:count]:
            make_attendance(session, student)
    return offering


# --- teacher -------------------------------------------------------------------------------
def test_student_under_threshold_appears_for_their_teacher_only(teacher, term):
    ann = StudentFactory(display_name="Ann Under")
    bob = StudentFactory(display_name="Bob Fine")
    offering = _offering(teacher, term, [ann, bob], attended={ann: 2})  # 2 of 4 = 50 %
    other = TeacherFactory()
    _offering(other, term, [StudentFactory()])

    page = login_client(teacher).get(reverse("home:teacher")).content.decode()
    assert 'id="attendance-alerts"' in page
    assert "Ann Under" in page
    assert "50 %" in page
    assert ann.number in page
    assert "Networks" in page
    assert f'href="{_student_url(offering, ann)}"' in page
    assert "Bob Fine" not in page
    assert f'href="{reverse("classrooms:attendance_report", args=[offering.pk])}"' in page

    other_page = login_client(other).get(reverse("home:teacher")).content.decode()
    assert "Ann Under" not in other_page
    assert "No one is under the threshold." in other_page


def test_alerts_follow_each_offerings_threshold(teacher, term):
    ann = StudentFactory(display_name="Ann Under")
    offering = _offering(teacher, term, [ann], attended={ann: 2})
    AttendancePolicy.objects.create(offering=offering, alert_below_percent=50)
    response = login_client(teacher).get(reverse("home:teacher"))
    assert response.context["attendance_alerts"] == []
    assert "No one is under the threshold." in response.content.decode()


def test_assistant_sees_the_alerts_of_the_offering(teacher, term):
    ann = StudentFactory(display_name="Ann Under")
    offering = _offering(teacher, term, [ann], attended={ann: 0})
    assistant = TeacherFactory()
    offering.assistants.add(assistant)
    page = login_client(assistant).get(reverse("home:teacher")).content.decode()
    assert "Ann Under" in page and "0 %" in page


def _dashboard_queries(client, name: str) -> int:
    client.get(reverse(name))  # warm caches (site root, translations)
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse(name))
    assert response.status_code == 200
    return len(context.captured_queries)


def test_teacher_dashboard_queries_do_not_grow(term):
    small, large = TeacherFactory(), TeacherFactory()
    roster = [StudentFactory() for _ in range(3)]
    _offering(small, term, roster, held=2, attended={roster[0]: 0})
    for n in range(4):
        students = [StudentFactory() for _ in range(15)]
        _offering(
            large,
            term,
            students,
            title=f"Course {n}",
            held=6,
            attended={s: i % 7 for i, s in enumerate(students)},
        )
    small_count = _dashboard_queries(login_client(small), "home:teacher")
    large_client = login_client(large)
    assert _dashboard_queries(large_client, "home:teacher") == small_count
    assert len(large_client.get(reverse("home:teacher")).context["attendance_alerts"]) > 10


# --- student -------------------------------------------------------------------------------
def test_student_sees_their_rate_per_class_with_a_link_to_their_record(teacher, term):
    ann = StudentFactory()
    first = _offering(teacher, term, [ann], title="Networks", attended={ann: 3})
    second = _offering(teacher, term, [ann], title="Compilers", held=0)
    page = login_client(ann).get(reverse("home:student")).content.decode()
    assert 'id="attendance"' in page
    assert "75 %" in page
    assert "under 80 %" in page
    assert "no sessions held yet" in page
    assert f'href="{_student_url(first, ann)}"' in page
    assert f'href="{_student_url(second, ann)}"' in page


def test_student_without_classes_sees_no_attendance_card(student):
    page = login_client(student).get(reverse("home:student")).content.decode()
    assert 'id="attendance"' not in page


def test_student_dashboard_queries_do_not_grow(teacher, term):
    few, many = StudentFactory(), StudentFactory()
    _offering(teacher, term, [few], held=2)
    for n in range(6):
        _offering(teacher, term, [many, StudentFactory()], title=f"Course {n}", held=5)
    assert _dashboard_queries(login_client(few), "home:student") == _dashboard_queries(
        login_client(many), "home:student"
    )
