"""Attendance reports (services): the matrix, the rate rules, one student's record, the read
for grading, the teacher's alerts and the xlsx workbook."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classrooms.models import AttendancePolicy, Enrolment
from classrooms.services.attendance_reports import (
    attendance_for_grading,
    build_workbook,
    offering_matrix,
    rates_for_student,
    student_record,
    students_below_threshold,
)
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.attendance import make_attendance
from tests.factories.classrooms import make_offering, make_session, make_term
from tests.factories.courses import make_course

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()
NOW = timezone.make_aware(datetime(2026, 10, 1, 12, 0), TZ)  # a Thursday in week 4


@pytest.fixture
def case(teacher):
    """The hand-built case: three weeks held (one cancelled), two to come; four students,
    one of them dropped.

    =========  ==========  ==========  ========  =========  ==========  =====
    student    09-07       09-14       09-21     09-28 (X)  10-05 (f)   rate
    =========  ==========  ==========  ========  =========  ==========  =====
    ann 001    present     late        excused   present    .           100
    bob 002    absent      present     (none)    .          .           33
    cai 003    (none)      (none)      (none)    .          excused     0
    dan 000    present     present     present   .          .           dropped
    =========  ==========  ==========  ========  =========  ==========  =====
    """
    term = make_term(starts_on=date(2026, 9, 7))
    # Created out of number order, to show that rows follow the number.
    cai = StudentFactory(number="2026003", display_name="Cai")
    ann = StudentFactory(number="2026001", display_name="Ann")
    bob = StudentFactory(number="2026002", display_name="Bob")
    dan = StudentFactory(number="2026000", display_name="Dan")
    offering = make_offering(
        course=make_course(teachers=[teacher], title="Networks"),
        term=term,
        teachers=[teacher],
        students=[cai, ann, bob, dan],
    )
    s1, s2, s3, cancelled, s5, s6 = (
        make_session(offering, day=date(2026, 9, 7)),
        make_session(offering, day=date(2026, 9, 14)),
        make_session(offering, day=date(2026, 9, 21)),
        make_session(offering, day=date(2026, 9, 28), status="cancelled"),
        make_session(offering, day=date(2026, 10, 5)),
        make_session(offering, day=date(2026, 10, 12), room="B202"),
    )
    make_attendance(s1, ann, status="present")
    make_attendance(s2, ann, status="late")
    make_attendance(s3, ann, status="excused", method="manual")
    make_attendance(cancelled, ann, status="present")
    make_attendance(s1, bob, status="absent", method="manual")
    make_attendance(s2, bob, status="present")
    make_attendance(s5, cai, status="excused", method="manual", checked_in_at=None)
    for session in (s1, s2, s3):
        make_attendance(session, dan, status="present")
    Enrolment.objects.filter(offering=offering, student=dan).update(dropped_at=NOW)
    return {
        "offering": offering,
        "students": (ann, bob, cai, dan),
        "sessions": (s1, s2, s3, s5, s6),
        "cancelled": cancelled,
    }


# --- the matrix ----------------------------------------------------------------------------
def test_matrix_lists_uncancelled_sessions_and_active_students_by_number(case):
    matrix = offering_matrix(case["offering"], now=NOW)
    ann, bob, cai, _dan = case["students"]
    assert [c.session for c in matrix.sessions] == list(case["sessions"])
    assert [c.counted for c in matrix.sessions] == [True, True, True, False, False]
    assert matrix.counted == 3
    assert [row.student for row in matrix.rows] == [ann, bob, cai]
    assert [row.cells for row in matrix.rows] == [
        ["present", "late", "excused", None, None],
        ["absent", "present", None, None, None],
        [None, None, None, "excused", None],
    ]


def test_matrix_counts_rates_and_threshold(case):
    matrix = offering_matrix(case["offering"], now=NOW)
    ann, bob, cai = matrix.rows
    assert ann.counts == {"present": 1, "late": 1, "excused": 1, "absent": 0, "unmarked": 0}
    assert (ann.attended, ann.counted, ann.rate, ann.percent) == (2, 3, 1.0, 100)
    assert ann.below_threshold is False
    # The session held without a record counts as absent.
    assert bob.counts == {"present": 1, "late": 0, "excused": 0, "absent": 1, "unmarked": 1}
    assert (bob.attended, bob.absent, bob.percent) == (1, 2, 33)
    assert bob.below_threshold is True
    # An excuse for a future session is shown but not counted.
    assert cai.counts == {"present": 0, "late": 0, "excused": 0, "absent": 0, "unmarked": 3}
    assert (cai.rate, cai.below_threshold) == (0.0, True)
    assert [row.student.display_name for row in matrix.below] == ["Bob", "Cai"]
    assert [m.key for m in cai.marks] == ["unmarked", "unmarked", "unmarked", "excused", "future"]


def test_matrix_session_totals_leave_out_dropped_students(case):
    matrix = offering_matrix(case["offering"], now=NOW)
    totals = [column.totals for column in matrix.sessions]
    assert totals[0] == {"present": 1, "late": 0, "excused": 0, "absent": 1, "unmarked": 1}
    assert totals[1] == {"present": 1, "late": 1, "excused": 0, "absent": 0, "unmarked": 1}
    assert totals[2] == {"present": 0, "late": 0, "excused": 1, "absent": 0, "unmarked": 2}
    assert totals[3] == {"present": 0, "late": 0, "excused": 1, "absent": 0, "unmarked": 2}


def test_threshold_comes_from_the_policy_and_compares_exactly(case):
    offering = case["offering"]
    AttendancePolicy.objects.create(offering=offering, alert_below_percent=33)
    matrix = offering_matrix(offering, now=NOW)
    assert matrix.threshold == 33
    # Bob has 1 of 3 = 33.3 %: not under 33 %; Cai (0 %) is.
    assert [row.student.display_name for row in matrix.below] == ["Cai"]


def test_rate_is_none_when_every_counted_session_is_excused(teacher):
    student = StudentFactory()
    offering = make_offering(
        course=make_course(), term=make_term(), teachers=[teacher], students=[student]
    )
    session = make_session(offering, day=date(2026, 9, 8))
    make_attendance(session, student, status="excused", method="manual")
    row = offering_matrix(offering, now=NOW).rows[0]
    assert (row.counted, row.rate, row.percent, row.below_threshold) == (1, None, None, False)


def test_rate_at_exactly_the_threshold_is_not_under_it(teacher):
    student = StudentFactory()
    offering = make_offering(
        course=make_course(), term=make_term(), teachers=[teacher], students=[student]
    )
    days = [date(2026, 9, 7) + timedelta(days=n) for n in range(5)]
    for day, status in zip(days, ["present", "present", "late", "present", "absent"], strict=True):
        make_attendance(make_session(offering, day=day), student, status=status)
    row = offering_matrix(offering, now=NOW).rows[0]
    assert (row.attended, row.counted, row.percent, row.below_threshold) == (4, 5, 80, False)


def test_matrix_before_any_session_has_no_rates(case):
    before = timezone.make_aware(datetime(2026, 9, 1, 8, 0), TZ)
    matrix = offering_matrix(case["offering"], now=before)
    assert matrix.counted == 0
    assert [row.rate for row in matrix.rows] == [None, None, None]
    assert matrix.below == []


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as context:
        func()
    return len(context.captured_queries)


def _sized_offering(teacher, students: int, sessions: int):
    roster = [StudentFactory() for _ in range(students)]
    offering = make_offering(
        course=make_course(), term=make_term(), teachers=[teacher], students=roster
    )
    for n in range(sessions):
        session = make_session(offering, day=date(2026, 9, 7) + timedelta(days=n))
        for index, student in enumerate(roster):
            if (index + n) % 3:
                make_attendance(session, student, status=["present", "late"][n % 2])
    return offering


def test_matrix_query_count_does_not_grow(teacher):
    small = _sized_offering(teacher, 3, 4)
    large = _sized_offering(teacher, 30, 16)
    assert _queries(lambda: offering_matrix(small, now=NOW)) == _queries(
        lambda: offering_matrix(large, now=NOW)
    )
    assert _queries(lambda: offering_matrix(large, now=NOW)) <= 4


# --- one student ---------------------------------------------------------------------------
def test_student_record_lists_status_method_time_and_rate(case):
    _ann, bob, _cai, _dan = case["students"]
    s1, s2, s3, s5, s6 = case["sessions"]
    record = student_record(case["offering"], bob, now=NOW)
    assert [e.session for e in record.entries] == [s1, s2, s3, s5, s6]
    assert [e.status for e in record.entries] == ["absent", "present", None, None, None]
    assert [e.mark.key for e in record.entries] == [
        "absent",
        "present",
        "unmarked",
        "future",
        "future",
    ]
    assert [str(e.method_label) for e in record.entries[:2]] == ["Marked by the teacher", "QR code"]
    assert record.entries[1].checked_in_at == timezone.localtime(s2.starts_at)
    assert (record.attended, record.counted, record.absent, record.percent) == (1, 3, 2, 33)
    assert record.below_threshold is True


# --- grading -------------------------------------------------------------------------------
def test_attendance_for_grading_fills_absent_for_counted_sessions_only(case):
    ann, bob, cai, _dan = case["students"]
    s1, s2, s3, _s5, _s6 = case["sessions"]
    assert attendance_for_grading(case["offering"], now=NOW) == {
        ann.pk: {s1.pk: "present", s2.pk: "late", s3.pk: "excused"},
        bob.pk: {s1.pk: "absent", s2.pk: "present", s3.pk: "absent"},
        cai.pk: {s1.pk: "absent", s2.pk: "absent", s3.pk: "absent"},
    }


def test_attendance_for_grading_takes_three_queries(case):
    assert _queries(lambda: attendance_for_grading(case["offering"], now=NOW)) == 3


# --- across offerings ----------------------------------------------------------------------
def test_students_below_threshold_for_teachers_and_assistants_only(case, teacher):
    offering = case["offering"]
    assistant = TeacherFactory()
    offering.assistants.add(assistant)
    alerts = students_below_threshold(teacher, now=NOW)
    # Lowest rate first.
    assert [(a.student.display_name, a.percent, a.offering) for a in alerts] == [
        ("Cai", 0, offering),
        ("Bob", 33, offering),
    ]
    assert [a.student.display_name for a in students_below_threshold(assistant, now=NOW)] == [
        "Cai",
        "Bob",
    ]
    assert students_below_threshold(TeacherFactory(), now=NOW) == []


def test_students_below_threshold_skips_terms_not_current(case, teacher):
    later = timezone.make_aware(datetime(2027, 3, 1, 12, 0), TZ)  # the term ended in December
    assert students_below_threshold(teacher, now=later) == []


def test_students_below_threshold_query_count_does_not_grow(teacher):
    term = make_term(starts_on=date(2026, 9, 7))

    def build(offerings: int, students: int, sessions: int):
        owner = TeacherFactory()
        for n in range(offerings):
            roster = [StudentFactory() for _ in range(students)]
            offering = make_offering(
                course=make_course(), term=term, teachers=[owner], students=roster
            )
            if n % 2:
                AttendancePolicy.objects.create(offering=offering, alert_below_percent=50)
            for k in range(sessions):
                session = make_session(offering, day=date(2026, 9, 7) + timedelta(days=k))
                for index, student in enumerate(roster):
                    if index % 2:
                        make_attendance(session, student)
        return owner

    small, large = build(1, 3, 2), build(4, 12, 5)
    assert len(students_below_threshold(large, now=NOW)) == 4 * 6
    assert _queries(lambda: students_below_threshold(small, now=NOW)) == _queries(
        lambda: students_below_threshold(large, now=NOW)
    )
    assert _queries(lambda: students_below_threshold(large, now=NOW)) == 1


def test_rates_for_student_per_offering(case):
    _ann, bob, _cai, _dan = case["students"]
    rates = rates_for_student(bob, now=NOW)
    assert [(r.offering, r.attended, r.counted, r.percent, r.below_threshold) for r in rates] == [
        (case["offering"], 1, 3, 33, True)
    ]
    dropped = rates_for_student(case["students"][3], now=NOW)
    assert dropped == []


# --- xlsx ----------------------------------------------------------------------------------
def test_workbook_has_attendance_and_sessions_sheets(case):
    book = build_workbook(offering_matrix(case["offering"], now=NOW))
    assert book.sheetnames == ["Attendance", "Sessions"]
    sheet = book["Attendance"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[2]
    assert header[:3] == ("Number", "Name", "2026-09-07\n08:00")
    assert header[-6:] == ("Present", "Late", "Excused", "Absent", "Counted sessions",
                           "Attendance rate")  # fmt: skip
    bob = rows[4]
    assert bob[:7] == ("2026002", "Bob", "Absent", "Present", "Not checked in", None, None)
    assert bob[-6:-1] == (1, 0, 0, 2, 3)
    assert bob[-1] == pytest.approx(1 / 3)
    assert sheet.cell(row=5, column=len(header)).number_format == "0%"
    sessions = list(book["Sessions"].iter_rows(values_only=True))
    assert sessions[0] == (
        "Date", "Time", "Room", "Present", "Late", "Excused", "Absent", "Unmarked",
    )  # fmt: skip
    assert sessions[1] == ("2026-09-07", "08:00–09:40", "A101", 1, 0, 0, 1, 1)
    assert len(sessions) == 1 + 5


# --- a student who joined the roster late --------------------------------------------------
def test_sessions_before_a_late_enrolment_are_not_counted_against_the_student(case, teacher):
    """Eve joins in week 2, after its class (09-14): weeks 1 and 2 are not hers to miss,
    except week 2, where the teacher marked her present as a guest before the roster caught
    up. Week 3 she missed: 1 attended of 2 counted, 50 %."""
    offering = case["offering"]
    _s1, s2, s3, s5, _s6 = case["sessions"]
    eve = StudentFactory(number="2026004", display_name="Eve")
    Enrolment.objects.create(offering=offering, student=eve)
    Enrolment.objects.filter(student=eve).update(
        enrolled_at=timezone.make_aware(datetime(2026, 9, 16, 10, 0), TZ)
    )
    make_attendance(s2, eve, status="present", method="manual")
    make_attendance(s5, eve, status="excused", method="manual", checked_in_at=None)  # to come

    row = offering_matrix(offering, now=NOW).rows[-1]
    assert row.student == eve
    assert [m.key for m in row.marks] == [
        "not_enrolled",
        "present",
        "unmarked",
        "excused",
        "future",
    ]
    assert row.marks[0].label == "Before enrolment"
    assert (row.attended, row.counted, row.absent, row.percent) == (1, 2, 1, 50)
    # Week 1's totals are those of the three students on the roster then.
    assert offering_matrix(offering, now=NOW).sessions[0].totals["unmarked"] == 1

    record = student_record(offering, eve, now=NOW)
    assert [e.counted for e in record.entries] == [False, True, True, False, False]
    assert (record.attended, record.counted, record.percent) == (1, 2, 50)

    assert attendance_for_grading(offering, now=NOW)[eve.pk] == {
        s2.pk: "present",
        s3.pk: "absent",
    }
    [rate] = rates_for_student(eve, now=NOW)
    assert (rate.attended, rate.counted, rate.percent, rate.below_threshold) == (1, 2, 50, True)
    alert = next(a for a in students_below_threshold(teacher, now=NOW) if a.student == eve)
    assert (alert.counted, alert.percent) == (2, 50)

    sheet = list(build_workbook(offering_matrix(offering, now=NOW))["Attendance"].values)
    assert sheet[-1][:7] == (
        "2026004", "Eve", "Before enrolment", "Present", "Not checked in", "Excused", None,
    )  # fmt: skip
    assert sheet[-1][-2] == 2  # counted sessions
