"""My week leads to check-in, leave requests and the teacher's attendance screens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login_client
from tests.factories.attendance import make_session_now
from tests.factories.classrooms import make_offering, make_term
from tests.factories.courses import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering(teacher, student):
    today = timezone.localdate()
    term = make_term(starts_on=today - timedelta(days=today.weekday()))
    return make_offering(
        course=make_course(teachers=[teacher]), term=term, teachers=[teacher], students=[student]
    )


def test_a_student_sees_check_in_now_and_leave_for_later(offering, student):
    current = make_session_now(offering, minutes_from_start=5)
    later = make_session_now(offering, minutes_from_start=-120)
    week = reverse("classrooms:my_week") + f"?start={current.date.isoformat()}"
    page = login_client(student).get(week).content.decode()
    assert reverse("classrooms:checkin_code") in page
    assert reverse("live:student", args=[current.pk]) in page
    assert reverse("classrooms:leave_request", args=[later.pk]) in page
    assert reverse("classrooms:leave_request", args=[current.pk]) not in page


def test_a_teacher_sees_the_check_in_screen_and_attendance(offering, teacher):
    session = make_session_now(offering, minutes_from_start=5)
    week = reverse("classrooms:my_week") + f"?start={session.date.isoformat()}"
    page = login_client(teacher).get(week).content.decode()
    assert reverse("classrooms:checkin_projector", args=[session.pk]) in page
    assert reverse("classrooms:attendance_session", args=[session.pk]) in page
    assert reverse("live:console", args=[session.pk]) in page
