"""Offerings and rosters: creation, roster import, enrolling and dropping, course access."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from classrooms.models import Enrolment, Offering
from classrooms.services.enrolment import (
    create_offering,
    drop_student,
    enrol_by_number,
    enrol_student,
    import_roster,
)
from courses.models import CourseAccess
from lms.accounts.models import Role, User
from lms.accounts.tables import read_table
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.classrooms import make_offering, make_term
from tests.factories.courses import make_course

pytestmark = pytest.mark.django_db


def rows_of(text: str):
    return read_table(
        io.BytesIO(text.encode()),
        name="roster.csv",
        required={"number", "name"},
        optional={"email"},
    )


@pytest.fixture
def offering(teacher):
    return make_offering(
        course=make_course(teachers=[teacher]), term=make_term(), teachers=[teacher]
    )


def state(offering):
    return (
        sorted(User.objects.values_list("number", "display_name", "email")),
        sorted(
            Enrolment.objects.filter(offering=offering).values_list("student__number", "dropped_at")
        ),
        CourseAccess.objects.count(),
    )


# --- offerings ---------------------------------------------------------------------------------
def test_online_window_outside_the_term_is_a_clear_error(teacher):
    course, term = make_course(teachers=[teacher]), make_term(name="Autumn 2026")
    with pytest.raises(ValidationError) as error:
        create_offering(
            course=course,
            term=term,
            section="01",
            online_opens_on=date(2026, 9, 1),
            online_closes_on=date(2026, 12, 20),
            teachers=[teacher],
            by=teacher,
        )
    assert error.value.message_dict == {
        "online_opens_on": [
            "This date lies outside the term Autumn 2026 (2026-09-07 to 2026-12-27)."
        ]
    }
    assert Offering.objects.count() == 0


def test_teacher_creates_an_offering_of_their_own_course_only(teacher):
    term = make_term()
    mine, theirs = make_course(teachers=[teacher]), make_course(teachers=[TeacherFactory()])
    offering = create_offering(
        course=mine,
        term=term,
        section=" 02 ",
        online_opens_on=term.starts_on,
        online_closes_on=term.ends_on,
        teachers=[teacher],
        by=teacher,
    )
    assert (offering.section, list(offering.teachers.all())) == ("02", [teacher])
    with pytest.raises(PermissionDenied):
        create_offering(
            course=theirs,
            term=term,
            section="01",
            online_opens_on=term.starts_on,
            online_closes_on=term.ends_on,
            by=teacher,
        )
    assert Offering.objects.count() == 1


# --- roster import -----------------------------------------------------------------------------
def test_import_creates_students_enrols_them_and_grants_access(offering):
    known = StudentFactory(number="2026002", display_name="Old Name")
    report = import_roster(
        offering=offering,
        rows=rows_of("number,name,email\n2026001,Li Lei,li@example.edu\n2026002,Han Meimei,\n"),
    )
    assert (report.errors, report.created, report.enrolled, report.updated) == (
        [],
        ["2026001"],
        ["2026001", "2026002"],
        ["2026002"],
    )
    new = User.objects.get(number="2026001")
    assert (new.display_name, new.email, new.has_role(Role.STUDENT), new.has_usable_password()) == (
        "Li Lei",
        "li@example.edu",
        True,
        False,
    )
    known.refresh_from_db()
    assert known.display_name == "Han Meimei"
    assert set(offering.enrolments.active().values_list("student__number", flat=True)) == {
        "2026001",
        "2026002",
    }
    assert set(
        CourseAccess.objects.filter(source=offering.access_source).values_list(
            "user__number", flat=True
        )
    ) == {"2026001", "2026002"}


def test_preview_reports_and_saves_nothing(offering):
    before = state(offering)
    report = import_roster(
        offering=offering, rows=rows_of("number,name\n2026001,Li Lei\n"), dry_run=True
    )
    assert (report.ok, report.created, report.enrolled) == (True, ["2026001"], ["2026001"])
    assert state(offering) == before


def test_invalid_rows_are_reported_with_row_numbers_and_nothing_is_saved(offering):
    before = state(offering)
    report = import_roster(
        offering=offering,
        rows=rows_of(
            "number,name,email\n2026001,Li Lei,\n,No Number,\n2026003,,bad-mail\n2026001,Again,\n"
        ),
    )
    assert report.errors == [
        "Row 3: the number is empty.",
        "Row 4: the name is empty; “bad-mail” is not a valid email address.",
        "Row 5: number 2026001 already appears in row 2.",
    ]
    assert state(offering) == before


def test_a_teacher_number_in_the_roster_is_refused(offering, teacher):
    before = state(offering)
    report = import_roster(offering=offering, rows=rows_of(f"number,name\n{teacher.number},X\n"))
    assert report.errors == [
        f"Row 2: {teacher.number} belongs to {teacher.display_name}, who is not a student."
    ]
    assert state(offering) == before


def test_reimport_updates_without_duplicates_and_reactivates_dropped(offering):
    rows = "number,name\n2026001,Li Lei\n2026002,Han Meimei\n"
    import_roster(offering=offering, rows=rows_of(rows))
    drop_student(offering=offering, student=User.objects.get(number="2026002"))
    report = import_roster(
        offering=offering, rows=rows_of("number,name\n2026001,Li Lei Jr\n2026002,Han Meimei\n")
    )
    assert (report.created, report.enrolled, report.updated, report.reactivated) == (
        [],
        [],
        ["2026001"],
        ["2026002"],
    )
    assert User.objects.filter(number__startswith="2026").count() == 2
    assert Enrolment.objects.filter(offering=offering).count() == 2
    assert offering.enrolments.active().count() == 2
    assert CourseAccess.objects.filter(source=offering.access_source).count() == 2
    again = import_roster(
        offering=offering, rows=rows_of("number,name\n2026001,Li Lei Jr\n2026002,Han Meimei\n")
    )
    assert again.unchanged == ["2026001", "2026002"]


# --- single students ---------------------------------------------------------------------------
def test_drop_keeps_the_row_and_revokes_access_then_re_enrol(offering, student):
    enrol_student(offering=offering, student=student)
    other = make_offering(course=offering.course, term=offering.term, section="02")
    enrol_student(offering=other, student=student)
    drop_student(offering=offering, student=student)
    enrolment = Enrolment.objects.get(offering=offering, student=student)
    assert enrolment.dropped_at is not None
    # The other section's grant stays.
    assert list(CourseAccess.objects.filter(user=student).values_list("source", flat=True)) == [
        other.access_source
    ]
    enrol_student(offering=offering, student=student)
    enrolment.refresh_from_db()
    assert enrolment.dropped_at is None
    assert CourseAccess.objects.filter(user=student, source=offering.access_source).count() == 1
    assert Enrolment.objects.filter(offering=offering, student=student).count() == 1


def test_enrol_by_number_adds_known_and_new_students(offering, student):
    enrol_by_number(offering=offering, number=student.number)
    enrol_by_number(offering=offering, number="2026009", name="Wang Wu")
    assert set(offering.enrolments.active().values_list("student__number", flat=True)) == {
        student.number,
        "2026009",
    }
    with pytest.raises(ValidationError) as error:
        enrol_by_number(offering=offering, number="2026010")
    assert error.value.messages == ["The name is empty."]


def test_a_teacher_cannot_be_enrolled(offering):
    with pytest.raises(ValidationError):
        enrol_student(offering=offering, student=TeacherFactory())
    assert Enrolment.objects.count() == 0
