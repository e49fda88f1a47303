"""Attendance report pages: the offering grid, the xlsx export, one student's record and the
printable sign-in sheet; who may see them; queries that do not grow with the class."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from classrooms.models import Attendance, Enrolment
from tests.conftest import login_client
from tests.factories import ReviewerFactory, StudentFactory, TeacherFactory
from tests.factories.attendance import make_attendance
from tests.factories.classrooms import make_offering, make_session, make_term
from tests.factories.courses import make_course

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def term():
    return make_term(starts_on=_days_ago(40), weeks=20)


@pytest.fixture
def roster():
    return [
        StudentFactory(number="2026001", display_name="Ann"),
        StudentFactory(number="2026002", display_name="Bob"),
        StudentFactory(number="2026003", display_name="Dan"),
    ]


@pytest.fixture
def offering(teacher, term, roster):
    """Two sessions held (Ann present twice, Bob absent then not checked in), one to come;
    Dan dropped."""
    offering = make_offering(
        course=make_course(teachers=[teacher], title="Networks", code="NET101"),
        term=term,
        teachers=[teacher],
        students=roster,
        section="02",
    )
    ann, bob, dan = roster
    first = make_session(offering, day=_days_ago(14), room="C301")
    second = make_session(offering, day=_days_ago(7), room="C301")
    make_session(offering, day=_days_ago(-7), room="C301")
    make_attendance(first, ann)
    make_attendance(second, ann, status="late")
    make_attendance(first, bob, status="absent", method="manual")
    make_attendance(first, dan)
    Enrolment.objects.filter(offering=offering, student=dan).update(dropped_at=timezone.now())
    return offering


def report_url(offering):
    return reverse("classrooms:attendance_report", args=[offering.pk])


def xlsx_url(offering):
    return reverse("classrooms:attendance_xlsx", args=[offering.pk])


def student_url(offering, student):
    return reverse("classrooms:attendance_student", args=[offering.pk, student.pk])


def sheet_url(session):
    return reverse("classrooms:attendance_sheet", args=[session.pk])


# --- the offering grid ---------------------------------------------------------------------
def test_teacher_sees_the_grid_with_rates_and_the_students_under_the_threshold(
    offering, teacher, roster
):
    ann, bob, _dan = roster
    response = login_client(teacher).get(report_url(offering))
    assert response.status_code == 200
    matrix = response.context["matrix"]
    assert [(row.student, row.percent) for row in matrix.rows] == [(ann, 100), (bob, 0)]
    assert [row.student for row in matrix.below] == [bob]
    html = response.content.decode()
    assert "Dan" not in html
    assert 'class="below"' in html
    assert xlsx_url(offering) in html
    assert student_url(offering, ann) in html
    assert student_url(offering, bob) in html
    assert "Not checked in" in html  # the legend and Bob's second session
    assert 'href="/static/classrooms/report.css"' in html or "classrooms/report.css" in html


def test_report_with_no_one_under_the_threshold_says_so(offering, teacher, roster):
    bob = roster[1]
    Attendance.objects.filter(student=bob).update(status="present")
    session = offering.sessions.order_by("starts_at")[1]
    make_attendance(session, bob)
    response = login_client(teacher).get(report_url(offering))
    assert response.context["matrix"].below == []
    assert "No one is under the threshold." in response.content.decode()


def test_reviewer_can_read_the_report_the_xlsx_and_a_student_record(offering, roster):
    client = login_client(ReviewerFactory())
    assert client.get(report_url(offering)).status_code == 200
    assert client.get(xlsx_url(offering)).status_code == 200
    assert client.get(student_url(offering, roster[1])).status_code == 200


def test_other_teacher_and_students_get_403(offering, roster):
    session = offering.sessions.first()
    other = login_client(TeacherFactory())
    for url in (
        report_url(offering),
        xlsx_url(offering),
        student_url(offering, roster[0]),
        sheet_url(session),
    ):
        assert other.get(url).status_code == 403
    student = login_client(roster[0])
    assert student.get(report_url(offering)).status_code == 403
    assert student.get(xlsx_url(offering)).status_code == 403
    assert student.get(sheet_url(session)).status_code == 403


def test_anonymous_is_sent_to_log_in(offering):
    response = Client().get(report_url(offering))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_unknown_offering_is_404(teacher):
    response = login_client(teacher).get(reverse("classrooms:attendance_report", args=[999999]))
    assert response.status_code == 404


# --- xlsx ----------------------------------------------------------------------------------
def test_xlsx_download_opens_with_headers_and_a_row(offering, teacher):
    response = login_client(teacher).get(xlsx_url(offering))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="attendance-net101-02.xlsx"'
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Attendance", "Sessions"]
    rows = list(book["Attendance"].iter_rows(values_only=True))
    first = timezone.localtime(offering.sessions.order_by("starts_at")[0].starts_at)
    assert rows[2][:3] == ("Number", "Name", f"{first:%Y-%m-%d}\n{first:%H:%M}")
    assert rows[2][-1] == "Attendance rate"
    assert rows[3][:5] == ("2026001", "Ann", "Present", "Late", None)
    assert rows[3][-1] == 1
    assert rows[4][:4] == ("2026002", "Bob", "Absent", "Not checked in")
    assert len(rows) == 5  # title, as-of line, header, Ann, Bob (Dan was dropped)
    sessions = list(book["Sessions"].iter_rows(values_only=True))
    assert sessions[1][2:] == ("C301", 1, 0, 0, 1, 0)


# --- one student ---------------------------------------------------------------------------
def test_student_sees_their_own_record(offering, roster):
    ann, bob, _dan = roster
    client = login_client(bob)
    response = client.get(student_url(offering, bob))
    assert response.status_code == 200
    record = response.context["record"]
    assert (record.attended, record.counted, record.percent) == (0, 2, 0)
    html = response.content.decode()
    assert "My attendance" in html
    assert "Marked by the teacher" in html
    assert "Under the class's threshold of 80 %." in html
    # Ann's record is not Bob's business.
    assert client.get(student_url(offering, ann)).status_code == 403


def test_dropped_student_cannot_read_their_record_any_more(offering, roster):
    dan = roster[2]
    assert login_client(dan).get(student_url(offering, dan)).status_code == 403


def test_teacher_reads_a_dropped_students_record_but_not_a_stranger(offering, teacher, roster):
    client = login_client(teacher)
    response = client.get(student_url(offering, roster[2]))
    assert response.status_code == 200
    assert "dropped" in response.content.decode()
    stranger = StudentFactory()
    assert client.get(student_url(offering, stranger)).status_code == 404


def test_student_record_shows_method_and_time(offering, teacher, roster):
    ann = roster[0]
    response = login_client(teacher).get(student_url(offering, ann))
    entries = response.context["record"].entries
    assert [e.mark.key for e in entries] == ["present", "late", "future"]
    assert str(entries[0].method_label) == "QR code"
    assert entries[0].checked_in_at == timezone.localtime(entries[0].session.starts_at)
    assert f"{entries[0].checked_in_at:%H:%M}" in response.content.decode()


# --- sign-in sheet -------------------------------------------------------------------------
def test_sign_in_sheet_lists_the_active_roster_by_number(offering, teacher, roster):
    session = offering.sessions.order_by("starts_at").last()
    response = login_client(teacher).get(sheet_url(session))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ann" in html and "Bob" in html
    assert "Dan" not in html
    assert html.index("2026001") < html.index("2026002")
    starts = timezone.localtime(session.starts_at)
    for text in ("Networks", "02", "C301", f"{starts:%Y-%m-%d}", f"{starts:%H:%M}", "Signature"):
        assert text in html
    assert [e.student for e in response.context["enrolments"]] == roster[:2]


def test_reviewer_cannot_print_a_sign_in_sheet(offering):
    session = offering.sessions.first()
    assert login_client(ReviewerFactory()).get(sheet_url(session)).status_code == 403


# --- queries do not grow with the class ----------------------------------------------------
def _build(teacher, term, students: int, sessions: int):
    roster = [StudentFactory() for _ in range(students)]
    offering = make_offering(
        course=make_course(teachers=[teacher]), term=term, teachers=[teacher], students=roster
    )
    for n in range(sessions):
        session = make_session(offering, day=_days_ago(n + 1))
        Attendance.objects.bulk_create(
            Attendance(
                session=session,
                student=student,
                status=["present", "late", "excused", "absent"][(i + n) % 4],
                method="qr",
            )
            for i, student in enumerate(roster)
            if (i + n) % 5
        )
    return offering, roster


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("name", ["attendance_report", "attendance_xlsx"])
def test_report_queries_are_the_same_for_3x4_and_30x16(
    name, teacher, term, django_assert_max_num_queries
):
    small, _ = _build(teacher, term, 3, 4)
    large, _ = _build(teacher, term, 30, 16)
    client = login_client(teacher)
    client.get(reverse(f"classrooms:{name}", args=[small.pk]))  # warm the session
    small_count = _count(client, reverse(f"classrooms:{name}", args=[small.pk]))
    large_count = _count(client, reverse(f"classrooms:{name}", args=[large.pk]))
    assert small_count == large_count
    with django_assert_max_num_queries(12):
        client.get(reverse(f"classrooms:{name}", args=[large.pk]))


def test_student_record_and_sheet_queries_do_not_grow(teacher, term):
    small, small_roster = _build(teacher, term, 3, 4)
    large, large_roster = _build(teacher, term, 30, 16)
    client = login_client(teacher)
    client.get(report_url(small))
    assert _count(client, student_url(small, small_roster[0])) == _count(
        client, student_url(large, large_roster[0])
    )
    assert _count(client, sheet_url(small.sessions.first())) == _count(
        client, sheet_url(large.sessions.first())
    )
