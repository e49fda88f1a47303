"""The teacher's projector page: QR and code, countdown, window buttons, who has checked in,
and the JSON it polls (managers only, never the secret)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from classrooms.models import AttendancePolicy, CheckInWindow, Enrolment, ManualState
from classrooms.services import checkin
from tests.classrooms.test_checkin import midday  # noqa: F401 - noon today, every test
from tests.conftest import login_client
from tests.factories import ReviewerFactory, StudentFactory, TeacherFactory
from tests.factories.attendance import make_attendance, make_session_now
from tests.factories.classrooms import make_offering, make_term
from tests.factories.courses import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def offering(teacher):
    students = [StudentFactory(display_name=f"Student {n}") for n in range(3)]
    return make_offering(
        course=make_course(teachers=[teacher], title="Data Structures"),
        term=make_term(),
        teachers=[teacher],
        students=students,
    )


@pytest.fixture
def session(offering):
    return make_session_now(offering, minutes_from_start=2)


def url(name, session):
    return reverse(f"classrooms:{name}", args=[session.pk])


def students_of(offering):
    return [e.student for e in offering.enrolments.select_related("student").order_by("pk")]


def test_projector_shows_qr_code_count_and_names(session, offering, teacher):
    first, second, _third = students_of(offering)
    now = timezone.now()
    make_attendance(session, first, checked_in_at=now - timedelta(minutes=2))
    make_attendance(
        session, second, status="late", checked_in_at=now - timedelta(minutes=1), flags=["far_away"]
    )
    response = login_client(teacher).get(url("checkin_projector", session))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<svg viewBox="' in page and 'class="checkin-qr-svg"' in page
    shown = response.context["state"]["code"]["code"]
    assert f">{shown}</p>" in page
    assert shown in {
        checkin.current_code(session, now + timedelta(seconds=s)).code for s in (0, 10)
    }
    assert "2 of 3 students checked in" in page
    names = response.context["state"]["students"]
    assert [s["name"] for s in names] == ["Student 1", "Student 0"]  # newest first
    assert [s["flag_labels"] for s in response.context["state"]["flagged"]] == [
        ["Location far from the room"]
    ]
    assert "Location far from the room" in page
    # the class sees names, not numbers; flags stay in the teacher's closed list
    names_list = page.split("data-names>")[1].split("</ol>")[0]
    assert "Student 1" in names_list and first.number not in names_list
    assert second.number not in names_list
    flagged = page.split('<details class="card projector-flagged-card">')[1]
    assert flagged.index("Location far from the room") < flagged.index("</details>")
    assert url("attendance_session", session) in page
    assert url("attendance_sheet", session) in page
    assert url("checkin_close", session) in page
    assert "http://testserver" + reverse("classrooms:checkin_code") in page


def test_state_json_has_the_code_and_the_names_but_never_the_secret(session, offering, teacher):
    student = students_of(offering)[0]
    make_attendance(session, student, checked_in_at=timezone.now())
    response = login_client(teacher).get(url("checkin_state", session))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    state = response.json()
    secret = CheckInWindow.objects.get(session=session).secret
    assert secret not in response.content.decode()
    assert secret[:16] not in response.content.decode()
    assert state["open"] is True and state["state"] == "open"
    assert (state["count"], state["enrolled"]) == (1, 3)
    assert state["students"][0] == {
        "id": student.pk,
        "name": student.display_name,
        "number": student.number,
        "status": "present",
        "status_label": "Present",
        "at": state["students"][0]["at"],
        "time": state["students"][0]["time"],
        "flags": [],
        "flag_labels": [],
    }
    current = checkin.current_code(session)
    assert state["code"]["step"] in {current.step, current.step - 1}
    assert state["code"]["url"].startswith("http://testserver/classes/check-in/")
    assert state["code"]["qr_svg"].startswith("<svg")
    assert 0 < state["code"]["expires_in"] <= state["code"]["rotation_seconds"] == 10


def test_the_qr_url_checks_a_student_in(session, offering, teacher):
    state = login_client(teacher).get(url("checkin_state", session)).json()
    student = students_of(offering)[0]
    path = state["code"]["url"].removeprefix("http://testserver")
    response = login_client(student).get(path, follow=True)
    assert response.context["result"].created
    state = login_client(teacher).get(url("checkin_state", session)).json()
    assert state["count"] == 1 and state["students"][0]["id"] == student.pk


def test_closed_window_shows_no_code_and_the_open_button(offering, teacher):
    later = make_session_now(offering, minutes_from_start=-120)
    client = login_client(teacher)
    state = client.get(url("checkin_state", later)).json()
    assert (state["open"], state["state"], state["code"]) == (False, "not_yet", None)
    page = client.get(url("checkin_projector", later)).content.decode()
    assert "Check-in for this session opens at" in page
    assert url("checkin_open", later) in page
    client.post(url("checkin_open", later))
    state = client.get(url("checkin_state", later)).json()
    assert (state["open"], state["state"]) == (True, "open_by_hand")
    assert state["code"]["code"].isdigit()


def test_open_and_close_by_hand(session, teacher):
    client = login_client(teacher)
    response = client.post(url("checkin_close", session), follow=True)
    assert "Check-in is closed." in response.content.decode()
    window = CheckInWindow.objects.get(session=session)
    assert (window.manual, window.manual_by) == (ManualState.CLOSED, teacher)
    assert client.get(url("checkin_state", session)).json()["state"] == "closed_by_hand"
    client.post(url("checkin_open", session))
    window.refresh_from_db()
    assert window.manual == ManualState.OPEN
    assert client.get(url("checkin_open", session)).status_code == 405


@pytest.mark.parametrize("who", ["student", "other_teacher", "reviewer"])
def test_projector_and_state_are_for_the_offering_managers_only(session, offering, who):
    user = {
        "student": lambda: students_of(offering)[0],
        "other_teacher": lambda: make_offering(
            course=make_course(), term=offering.term, teachers=[TeacherFactory()]
        ).teachers.get(),
        "reviewer": ReviewerFactory,
    }[who]()
    client = login_client(user)
    assert client.get(url("checkin_projector", session)).status_code == 403
    response = client.get(url("checkin_state", session))
    assert response.status_code == 403
    assert "code" not in response.json()
    assert client.post(url("checkin_open", session)).status_code == 403
    assert client.post(url("checkin_close", session)).status_code == 403
    assert not CheckInWindow.objects.filter(session=session).exclude(manual="").exists()


def test_logged_out_projector_goes_to_login(session):
    for name in ("checkin_projector", "checkin_state"):
        response = Client().get(url(name, session))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_missing_session_is_404(teacher):
    client = login_client(teacher)
    assert client.get(reverse("classrooms:checkin_projector", args=[999_999])).status_code == 404
    assert client.get(reverse("classrooms:checkin_state", args=[999_999])).status_code == 404


@pytest.mark.parametrize("size", [3, 30])
def test_state_query_count_does_not_grow_with_the_class(
    teacher, size, django_assert_max_num_queries
):
    students = [StudentFactory() for _ in range(size)]
    offering = make_offering(
        course=make_course(teachers=[teacher]), term=make_term(), teachers=[teacher]
    )
    for student in students:
        Enrolment.objects.create(offering=offering, student=student)
    AttendancePolicy.objects.create(offering=offering, shared_device="flag")
    session = make_session_now(offering, minutes_from_start=2)
    for n, student in enumerate(students):
        make_attendance(session, student, flags=["shared_device"] if n % 2 else [])
    client = login_client(teacher)
    client.get(url("checkin_state", session))  # creates the window once
    with django_assert_max_num_queries(6):
        response = client.get(url("checkin_state", session))
    assert response.json()["count"] == size
    with django_assert_max_num_queries(8):
        assert client.get(url("checkin_projector", session)).status_code == 200
