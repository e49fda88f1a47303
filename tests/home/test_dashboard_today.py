"""The dashboards' "today" card: today's classes with check-in and the live classroom."""

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


@pytest.fixture(autouse=True)
def _midday(monkeypatch):
    # A session made "now" must fall on today's date whatever the hour the suite runs.
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: noon)


def test_a_student_sees_todays_class_with_check_in_and_the_live_room(offering, student):
    session = make_session_now(offering, minutes_from_start=5, room="B202")
    page = login_client(student).get(reverse("home:student")).content.decode()
    today = page[page.index('id="today"') : page.index('id="due-soon"')]
    assert "B202" in today
    assert reverse("classrooms:checkin_code") in today
    assert reverse("live:student", args=[session.pk]) in today


def test_a_student_with_no_class_today_is_told_so(offering, student):
    page = login_client(student).get(reverse("home:student")).content.decode()
    assert "No classes today." in page


def test_a_teacher_sees_todays_class_with_the_check_in_screen_and_console(offering, teacher):
    session = make_session_now(offering, minutes_from_start=-30)
    page = login_client(teacher).get(reverse("home:teacher")).content.decode()
    assert reverse("classrooms:checkin_projector", args=[session.pk]) in page
    assert reverse("live:console", args=[session.pk]) in page
