"""The marking grid, closing check-in and the attendance policy, through the HTTP views."""

from __future__ import annotations

import pytest
from django.urls import reverse

from classrooms.models import (
    Attendance,
    AttendanceChange,
    AttendancePolicy,
    CheckInWindow,
    ManualState,
)
from classrooms.services import attendance
from tests.conftest import login_client
from tests.factories import ReviewerFactory, StudentFactory, TeacherFactory
from tests.factories.attendance import make_attendance, make_leave_request, make_session_now
from tests.factories.classrooms import make_offering, make_term
from tests.factories.courses import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def students():
    return [StudentFactory(number=f"s8{n:03d}") for n in range(3)]


@pytest.fixture
def offering(teacher, students):
    return make_offering(
        course=make_course(teachers=[teacher]),
        term=make_term(),
        teachers=[teacher],
        students=students,
    )


@pytest.fixture
def session(offering):
    return make_session_now(offering, minutes_from_start=20)


def grid_url(session):
    return reverse("classrooms:attendance_session", args=[session.pk])


def statuses():
    return dict(Attendance.objects.values_list("student_id", "status"))


def post_data(rows: dict, changes: dict) -> dict:
    """What the grid posts: every student's shown status (was-) and chosen status."""
    data = {}
    for student, shown in rows.items():
        data[f"was-{student.pk}"] = shown
        data[f"status-{student.pk}"] = changes.get(student, shown)
    return data


def test_grid_shows_students_counts_method_flags_and_links(session, students, teacher):
    make_attendance(session, students[0], status="present", method="qr", flags=["far_away"])
    response = login_client(teacher).get(grid_url(session))
    assert response.status_code == 200
    page = response.content.decode()
    for student in students:
        assert student.display_name in page
    assert page.index(students[0].number) < page.index(students[2].number)
    assert "QR code" in page
    assert "Location far from the room" in page
    assert response.context["summary"][0][2] == 1  # present
    assert response.context["summary"][-1][2] == 2  # unmarked
    assert reverse("classrooms:checkin_projector", args=[session.pk]) in page
    assert reverse("classrooms:attendance_sheet", args=[session.pk]) in page
    assert f'name="status-{students[1].pk}" value="" ' in page  # unmarked is a choice


def test_saving_the_grid_changes_what_differs_and_shows_history(session, students, teacher):
    make_attendance(session, students[0], status="present", method="qr")
    client = login_client(teacher)
    shown = {students[0]: "present", students[1]: "", students[2]: ""}
    response = client.post(
        grid_url(session),
        post_data(shown, {students[0]: "late", students[1]: "absent"}),
        follow=True,
    )
    assert response.status_code == 200
    assert "Saved: 2 changes." in response.content.decode()
    assert statuses() == {students[0].pk: "late", students[1].pk: "absent"}
    assert list(
        AttendanceChange.objects.order_by("attendance__student__number").values_list(
            "old_status", "new_status", "changed_by"
        )
    ) == [("present", "late", teacher.pk), ("", "absent", teacher.pk)]
    page = response.content.decode()
    assert "<details" in page
    assert f"{teacher.display_name} · Present → Late" in page
    assert f"{teacher.display_name} · Unmarked → Absent" in page


def test_saving_leaves_a_check_in_made_after_the_page_was_loaded(session, students, teacher):
    shown = {students[0]: "", students[1]: "", students[2]: ""}
    make_attendance(session, students[0], status="present", method="qr")  # meanwhile
    response = login_client(teacher).post(
        grid_url(session), post_data(shown, {students[2]: "late"})
    )
    assert response.status_code == 302
    assert statuses() == {students[0].pk: "present", students[2].pk: "late"}


def test_a_bad_status_changes_nothing_and_says_so(session, students, teacher):
    make_attendance(session, students[0], status="present")
    shown = {students[0]: "present", students[1]: "", students[2]: ""}
    response = login_client(teacher).post(
        grid_url(session), post_data(shown, {students[0]: "absent", students[1]: "asleep"})
    )
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert statuses() == {students[0].pk: "present"}
    assert AttendanceChange.objects.count() == 0


def test_a_marked_student_is_never_set_back_to_unmarked(session, students, teacher):
    make_attendance(session, students[0], status="present")
    shown = {students[0]: "present", students[1]: "", students[2]: ""}
    response = login_client(teacher).post(grid_url(session), post_data(shown, {students[0]: ""}))
    assert response.status_code == 302
    assert statuses() == {students[0].pk: "present"}
    assert AttendanceChange.objects.count() == 0


def test_student_gets_403_and_reviewer_reads_but_cannot_save(session, students):
    student_client = login_client(students[0])
    assert student_client.get(grid_url(session)).status_code == 403
    shown = dict.fromkeys(students, "")
    assert student_client.post(grid_url(session), post_data(shown, {})).status_code == 403

    reviewer = login_client(ReviewerFactory())
    response = reviewer.get(grid_url(session))
    assert response.status_code == 200
    page = response.content.decode()
    assert students[0].display_name in page
    assert 'type="radio"' not in page
    assert "Save changes" not in page
    changes = dict.fromkeys(students, "absent")
    assert reviewer.post(grid_url(session), post_data(shown, changes)).status_code == 403
    close = reverse("classrooms:attendance_close", args=[session.pk])
    assert reviewer.post(close).status_code == 403
    assert login_client(TeacherFactory()).get(grid_url(session)).status_code == 403
    assert Attendance.objects.count() == 0


@pytest.mark.parametrize("size", [3, 30])
def test_grid_queries_do_not_grow_with_the_roster(
    size, offering, session, teacher, django_assert_max_num_queries
):
    others = [StudentFactory() for _ in range(size)]
    for n, student in enumerate(others):
        offering.enrolments.create(student=student)
        if n % 3 == 0:
            make_attendance(session, student, status="present", flags=["shared_device"])
            attendance.mark(session=session, student=student, status="late", by=teacher)
        elif n % 3 == 1:
            make_leave_request(session, student)
    client = login_client(teacher)
    with django_assert_max_num_queries(12):
        response = client.get(grid_url(session))
    assert response.status_code == 200
    assert len(response.context["rows"]) == size + 3


def test_close_marks_unmarked_absent_keeps_check_ins_and_counts(session, students, teacher):
    make_attendance(session, students[0], status="present", method="qr")
    make_attendance(session, students[1], status="late", method="code")
    client = login_client(teacher)
    close = reverse("classrooms:attendance_close", args=[session.pk])
    response = client.post(close, follow=True)
    assert "Check-in closed; 1 student marked absent." in response.content.decode()
    assert statuses() == {
        students[0].pk: "present",
        students[1].pk: "late",
        students[2].pk: "absent",
    }
    assert "Check-in was closed by hand." in response.content.decode()
    window = CheckInWindow.objects.get(session=session)
    assert (window.manual, window.manual_by) == (ManualState.CLOSED, teacher)
    assert list(AttendanceChange.objects.values_list("attendance__student", "reason")) == [
        (students[2].pk, "marked absent at close")
    ]

    response = client.post(close, follow=True)
    assert "Check-in closed; 0 students marked absent." in response.content.decode()
    assert Attendance.objects.count() == 3
    assert AttendanceChange.objects.count() == 1


def test_close_before_the_start_changes_nothing(offering, teacher):
    future = make_session_now(offering, minutes_from_start=-30)
    close = reverse("classrooms:attendance_close", args=[future.pk])
    response = login_client(teacher).post(close, follow=True)
    assert "has not started yet" in response.content.decode()
    assert Attendance.objects.count() == 0
    assert not CheckInWindow.objects.filter(session=future, manual=ManualState.CLOSED).exists()


# --- the attendance policy ---------------------------------------------------------------
def policy_url(offering):
    return reverse("classrooms:attendance_policy", args=[offering.pk])


def test_policy_form_creates_the_row_on_first_save_then_updates_it(offering, teacher):
    client = login_client(teacher)
    response = client.get(policy_url(offering))
    assert response.status_code == 200
    assert response.context["form"]["late_after_minutes"].value() == 10
    data = {
        "opens_before_minutes": 15,
        "late_after_minutes": 5,
        "closes_after_minutes": "",
        "rotation_seconds": 20,
        "shared_device": "flag",
        "alert_below_percent": 75,
    }
    response = client.post(policy_url(offering), data, follow=True)
    assert "The attendance settings were saved." in response.content.decode()
    policy = AttendancePolicy.objects.get(offering=offering)
    assert (policy.late_after_minutes, policy.rotation_seconds, policy.shared_device) == (
        5,
        20,
        "flag",
    )
    assert policy.closes_after_minutes is None
    client.post(policy_url(offering), {**data, "closes_after_minutes": 30})
    assert AttendancePolicy.objects.get().closes_after_minutes == 30


def test_policy_errors_are_shown_and_nothing_is_saved(offering, teacher):
    data = {
        "opens_before_minutes": 10,
        "late_after_minutes": 10,
        "closes_after_minutes": "",
        "rotation_seconds": 2,
        "shared_device": "refuse",
        "alert_below_percent": 180,
    }
    response = login_client(teacher).post(policy_url(offering), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"rotation_seconds", "alert_below_percent"}
    assert "errorlist" in response.content.decode()
    assert not AttendancePolicy.objects.exists()


def test_policy_is_for_managers_only(offering, students):
    assert login_client(students[0]).get(policy_url(offering)).status_code == 403
    assert login_client(TeacherFactory()).get(policy_url(offering)).status_code == 403
    response = login_client(TeacherFactory()).post(policy_url(offering), {"rotation_seconds": 30})
    assert response.status_code == 403
    assert not AttendancePolicy.objects.exists()


def test_the_grid_says_check_in_is_closed_for_yesterdays_session_left_open_by_hand(
    offering, teacher
):
    from django.utils import timezone

    from classrooms.models import CheckInWindow, ManualState

    yesterday = make_session_now(offering, minutes_from_start=24 * 60, room="B2")
    CheckInWindow.objects.create(
        session=yesterday, secret="s" * 64, manual=ManualState.OPEN, manual_at=timezone.now()
    )
    page = login_client(teacher).get(grid_url(yesterday)).content.decode()
    assert "Check-in is open until" not in page
    assert "Check-in is closed" in page
