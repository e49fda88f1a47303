"""Leave requests (services): who may ask and when, decisions, withdrawal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.functional import empty

from classrooms.models import Attendance, AttendanceChange, LeaveRequest
from classrooms.services import leave
from classrooms.services.enrolment import drop_student
from courses.storage import protected_storage
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.attendance import make_attendance, make_leave_request, make_session_now
from tests.factories.classrooms import make_offering, make_term
from tests.factories.courses import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _protected_root(settings, tmp_path):
    settings.PROTECTED_MEDIA_ROOT = tmp_path / "protected"
    protected_storage._wrapped = empty
    yield
    protected_storage._wrapped = empty


@pytest.fixture
def offering(teacher, student):
    return make_offering(
        course=make_course(teachers=[teacher]),
        term=make_term(),
        teachers=[teacher],
        students=[student],
    )


@pytest.fixture
def coming(offering):
    """A session that starts in two hours."""
    return make_session_now(offering, minutes_from_start=-120)


def test_request_leave_with_attachment_is_pending_and_stored(coming, student, settings):
    pdf = SimpleUploadedFile("note.pdf", b"%PDF-1.4 note", content_type="application/pdf")
    request = leave.request_leave(session=coming, student=student, reason=" Fever ", attachment=pdf)
    assert (request.status, request.reason) == ("pending", "Fever")
    assert request.attachment.name.startswith(f"leave/{coming.pk}/")
    assert (settings.PROTECTED_MEDIA_ROOT / request.attachment.name).read_bytes() == (
        b"%PDF-1.4 note"
    )


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("started", "before the session starts"),
        ("cancelled", "cancelled"),
        ("twice", "already asked"),
        ("stranger", "not on the roster"),
        ("dropped", "not on the roster"),
        ("no reason", "reason"),
    ],
)
def test_request_leave_refusals_say_why_and_save_nothing(
    case, message, offering, coming, student, settings
):
    session, who, reason = coming, student, "Fever"
    if case == "started":
        session = make_session_now(offering, minutes_from_start=1)
    elif case == "cancelled":
        session = make_session_now(offering, minutes_from_start=-120, status="cancelled")
    elif case == "twice":
        make_leave_request(coming, student)
    elif case == "stranger":
        who = StudentFactory()
    elif case == "dropped":
        drop_student(offering=offering, student=student)
    elif case == "no reason":
        reason = "  "
    before = LeaveRequest.objects.count()
    png = SimpleUploadedFile("x.png", b"\x89PNG", content_type="image/png")
    with pytest.raises(ValidationError, match=message):
        leave.request_leave(session=session, student=who, reason=reason, attachment=png)
    assert LeaveRequest.objects.count() == before
    root = settings.PROTECTED_MEDIA_ROOT
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_a_rejected_or_withdrawn_request_may_be_asked_again(coming, student):
    make_leave_request(coming, student, status="rejected")
    make_leave_request(coming, student, status="withdrawn")
    assert leave.request_leave(session=coming, student=student, reason="Again").status == "pending"


def test_attachment_type_and_size_are_checked():
    with pytest.raises(ValidationError, match="PDF, JPEG or PNG"):
        leave.validate_attachment(SimpleUploadedFile("x.exe", b"MZ"))
    big = SimpleUploadedFile("x.jpg", b"0" * (5 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="5 MB"):
        leave.validate_attachment(big)
    leave.validate_attachment(SimpleUploadedFile("x.JPEG", b"0" * 1024))


def test_approval_excuses_the_student_with_a_change_by_the_teacher(coming, student, teacher):
    request = make_leave_request(coming, student)
    decided = leave.decide_leave(leave=request, by=teacher, approve=True, note="Get well")
    assert (decided.status, decided.decided_by, decided.decision_note) == (
        "approved",
        teacher,
        "Get well",
    )
    row = Attendance.objects.get(session=coming, student=student)
    assert (row.status, row.method, row.changed_by) == ("excused", "manual", teacher)
    change = AttendanceChange.objects.get()
    assert (change.old_status, change.new_status, change.changed_by, change.reason) == (
        "",
        "excused",
        teacher,
        "leave approved",
    )


def test_approval_after_the_session_turns_absent_into_excused(offering, student, teacher):
    past = make_session_now(offering, minutes_from_start=60 * 24)
    request = make_leave_request(past, student)
    make_attendance(past, student, status="absent", method="manual", checked_in_at=None)
    leave.decide_leave(leave=request, by=teacher, approve=True, now=timezone.now())
    assert Attendance.objects.get().status == "excused"
    assert list(AttendanceChange.objects.values_list("old_status", "new_status")) == [
        ("absent", "excused")
    ]


def test_rejection_leaves_attendance_unchanged(coming, student, teacher):
    request = make_leave_request(coming, student)
    leave.decide_leave(leave=request, by=teacher, approve=False, note="No proof")
    request.refresh_from_db()
    assert (request.status, request.decision_note) == ("rejected", "No proof")
    assert Attendance.objects.count() == 0


def test_only_managers_decide_and_only_once(coming, student, teacher):
    request = make_leave_request(coming, student)
    for outsider in (student, TeacherFactory()):
        with pytest.raises(PermissionDenied):
            leave.decide_leave(leave=request, by=outsider, approve=True)
    request.refresh_from_db()
    assert request.status == "pending"
    leave.decide_leave(leave=request, by=teacher, approve=False)
    with pytest.raises(ValidationError, match="already been decided"):
        leave.decide_leave(leave=request, by=teacher, approve=True)
    request.refresh_from_db()
    assert request.status == "rejected"
    assert Attendance.objects.count() == 0


def test_approval_for_a_student_who_left_the_class_is_refused_whole(
    offering, coming, student, teacher
):
    request = make_leave_request(coming, student)
    drop_student(offering=offering, student=student)
    with pytest.raises(ValidationError):
        leave.decide_leave(leave=request, by=teacher, approve=True)
    request.refresh_from_db()
    assert request.status == "pending"
    assert Attendance.objects.count() == 0


def test_withdraw_only_by_the_student_while_pending(coming, student, teacher):
    request = make_leave_request(coming, student)
    with pytest.raises(PermissionDenied):
        leave.withdraw_leave(leave=request, by=teacher)
    when = timezone.now() + timedelta(minutes=1)
    withdrawn = leave.withdraw_leave(leave=request, by=student, now=when)
    assert (withdrawn.status, withdrawn.decided_at) == ("withdrawn", when)
    with pytest.raises(ValidationError):
        leave.withdraw_leave(leave=request, by=student)
