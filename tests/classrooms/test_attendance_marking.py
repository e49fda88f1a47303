"""Marking attendance by hand (services): history, bulk changes, close, the grid's roster."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from classrooms.models import Attendance, AttendanceChange, AttendancePolicy
from classrooms.services import attendance
from classrooms.services.enrolment import drop_student
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.attendance import make_attendance, make_leave_request, make_session_now
from tests.factories.classrooms import make_offering, make_term
from tests.factories.courses import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def students():
    return [StudentFactory(number=f"s9{n:03d}") for n in range(3)]


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
    return make_session_now(offering, minutes_from_start=5)


def changes_of(session, student):
    return list(
        AttendanceChange.objects.filter(
            attendance__session=session, attendance__student=student
        ).values_list("old_status", "new_status", "changed_by_id", "reason")
    )


def test_mark_creates_a_manual_row_and_records_who_changed_it(session, students, teacher):
    when = timezone.now()
    row = attendance.mark(
        session=session, student=students[0], status="late", by=teacher, reason="bus", now=when
    )
    assert (row.status, row.method, row.checked_in_at, row.changed_by) == (
        "late",
        "manual",
        None,
        teacher,
    )
    change = AttendanceChange.objects.get()
    assert (change.old_status, change.new_status, change.changed_by, change.changed_at) == (
        "",
        "late",
        teacher,
        when,
    )
    assert change.reason == "bus"


def test_mark_over_a_check_in_keeps_method_and_time_and_logs_old_and_new(
    session, students, teacher
):
    checked = make_attendance(session, students[0], status="present", method="qr")
    attendance.mark(session=session, student=students[0], status="absent", by=teacher)
    checked.refresh_from_db()
    assert (checked.status, checked.method, checked.checked_in_at) == (
        "absent",
        "qr",
        session.starts_at,
    )
    assert checked.changed_by == teacher
    assert changes_of(session, students[0]) == [("present", "absent", teacher.pk, "")]


def test_mark_with_the_same_status_writes_no_change(session, students, teacher):
    attendance.mark(session=session, student=students[0], status="late", by=teacher)
    other = TeacherFactory()
    attendance.mark(session=session, student=students[0], status="late", by=other)
    assert AttendanceChange.objects.count() == 1
    assert Attendance.objects.get().changed_by == teacher


def test_mark_refuses_a_bad_status_a_stranger_a_dropped_student_a_cancelled_session(
    offering, session, students, teacher
):
    with pytest.raises(ValidationError):
        attendance.mark(session=session, student=students[0], status="here", by=teacher)
    with pytest.raises(ValidationError):
        attendance.mark(session=session, student=StudentFactory(), status="present", by=teacher)
    drop_student(offering=offering, student=students[1])
    with pytest.raises(ValidationError):
        attendance.mark(session=session, student=students[1], status="present", by=teacher)
    cancelled = make_session_now(offering, minutes_from_start=-600, status="cancelled")
    with pytest.raises(ValidationError, match="cancelled"):
        attendance.mark(session=cancelled, student=students[0], status="present", by=teacher)
    assert Attendance.objects.count() == 0
    assert AttendanceChange.objects.count() == 0


def test_mark_many_changes_only_what_differs(session, students, teacher):
    make_attendance(session, students[0], status="present")
    make_attendance(session, students[1], status="present")
    changed = attendance.mark_many(
        session=session,
        statuses={students[0].pk: "present", students[1].pk: "late", students[2].pk: "absent"},
        by=teacher,
    )
    assert changed == 2
    assert dict(Attendance.objects.values_list("student_id", "status")) == {
        students[0].pk: "present",
        students[1].pk: "late",
        students[2].pk: "absent",
    }
    assert changes_of(session, students[0]) == []
    assert changes_of(session, students[1]) == [("present", "late", teacher.pk, "")]
    assert changes_of(session, students[2]) == [("", "absent", teacher.pk, "")]
    assert Attendance.objects.get(student=students[2]).method == "manual"


def test_mark_many_is_all_or_nothing(session, students, teacher):
    make_attendance(session, students[0], status="present")
    with pytest.raises(ValidationError):
        attendance.mark_many(
            session=session,
            statuses={students[0].pk: "absent", students[1].pk: "gone"},
            by=teacher,
        )
    with pytest.raises(ValidationError):
        attendance.mark_many(
            session=session,
            statuses={students[0].pk: "absent", StudentFactory().pk: "late"},
            by=teacher,
        )
    assert list(Attendance.objects.values_list("status", flat=True)) == ["present"]
    assert AttendanceChange.objects.count() == 0


def test_mark_many_uses_a_fixed_number_of_queries(
    offering, session, teacher, django_assert_max_num_queries
):
    more = [StudentFactory() for _ in range(30)]
    for student in more:
        offering.enrolments.create(student=student)
    with django_assert_max_num_queries(12):
        changed = attendance.mark_many(
            session=session, statuses={s.pk: "present" for s in more}, by=teacher
        )
    assert changed == 30
    assert AttendanceChange.objects.count() == 30


def test_close_marks_only_the_unmarked_absent_and_twice_adds_nothing(
    offering, session, students, teacher
):
    make_attendance(session, students[0], status="present", method="qr")
    excused = attendance.mark(session=session, student=students[1], status="excused", by=teacher)
    dropped = StudentFactory()
    offering.enrolments.create(student=dropped, dropped_at=timezone.now())
    assert attendance.mark_unmarked_absent(session=session, by=teacher) == 1
    rows = dict(Attendance.objects.values_list("student_id", "status"))
    assert rows == {students[0].pk: "present", students[1].pk: "excused", students[2].pk: "absent"}
    assert changes_of(session, students[2]) == [
        ("", "absent", teacher.pk, "marked absent at close")
    ]
    assert changes_of(session, students[0]) == []
    excused.refresh_from_db()
    assert excused.changes.count() == 1

    assert attendance.mark_unmarked_absent(session=session, by=teacher) == 0
    assert Attendance.objects.count() == 3
    assert AttendanceChange.objects.count() == 2


def test_close_refuses_before_the_start_and_for_cancelled_sessions(offering, teacher):
    future = make_session_now(offering, minutes_from_start=-60)
    with pytest.raises(ValidationError, match="not started"):
        attendance.mark_unmarked_absent(session=future, by=teacher)
    cancelled = make_session_now(offering, minutes_from_start=30, status="cancelled")
    with pytest.raises(ValidationError):
        attendance.mark_unmarked_absent(session=cancelled, by=teacher)
    assert Attendance.objects.count() == 0


def test_session_roster_orders_by_number_with_rows_leave_and_history(
    offering, session, students, teacher, django_assert_num_queries
):
    make_attendance(session, students[2], status="present", flags=["shared_device"])
    attendance.mark(session=session, student=students[2], status="late", by=teacher)
    future = make_session_now(offering, minutes_from_start=-60 * 24)
    make_leave_request(future, students[1])
    pending = make_leave_request(session, students[1])
    with django_assert_num_queries(4):
        rows = attendance.session_roster(session)
    assert [r.student for r in rows] == students
    assert [r.status for r in rows] == ["", "", "late"]
    assert rows[1].leave == pending
    assert rows[0].leave is None
    assert [(c.old_status, c.new_status, c.changed_by) for c in rows[2].changes] == [
        ("present", "late", teacher)
    ]
    assert rows[2].flag_labels == ["Phone already used by another student"]
    assert attendance.status_counts(rows) == {
        "present": 0,
        "late": 1,
        "excused": 0,
        "absent": 0,
        "unmarked": 2,
    }


def test_set_policy_creates_then_updates_one_row(offering):
    policy = attendance.set_policy(offering=offering, late_after_minutes=5, rotation_seconds=15)
    assert AttendancePolicy.objects.get().pk == policy.pk
    attendance.set_policy(offering=offering, late_after_minutes=7)
    policy.refresh_from_db()
    assert (policy.late_after_minutes, policy.rotation_seconds) == (7, 15)
    with pytest.raises(ValidationError):
        attendance.set_policy(offering=offering, rotation_seconds=1)
    policy.refresh_from_db()
    assert policy.rotation_seconds == 15


def test_checked_in_at_is_kept_when_a_leave_excuses_after_the_fact(session, students, teacher):
    later = timezone.now() + timedelta(hours=3)
    make_attendance(session, students[0], status="absent", method="manual", checked_in_at=None)
    attendance.mark(
        session=session,
        student=students[0],
        status="excused",
        by=teacher,
        reason=attendance.REASON_LEAVE_APPROVED,
        now=later,
    )
    row = Attendance.objects.get()
    assert (row.status, row.checked_in_at) == ("excused", None)
    assert AttendanceChange.objects.get().changed_at == later
