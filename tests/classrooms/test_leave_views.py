"""The leave-request flow (请假) end to end through the HTTP views."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.functional import empty

from classrooms.models import Attendance, AttendanceChange, LeaveRequest
from courses.storage import protected_storage
from tests.conftest import login_client
from tests.factories import ReviewerFactory, StudentFactory, TeacherFactory
from tests.factories.attendance import make_attendance, make_leave_request, make_session_now
from tests.factories.classrooms import make_offering, make_term
from tests.factories.courses import make_course

pytestmark = pytest.mark.django_db

NOTE = b"%PDF-1.4 doctor's note"


@pytest.fixture(autouse=True)
def _protected_root(settings, tmp_path):
    settings.PROTECTED_MEDIA_ROOT = tmp_path / "protected"
    protected_storage._wrapped = empty
    yield
    protected_storage._wrapped = empty


@pytest.fixture
def offering(teacher, student):
    return make_offering(
        course=make_course(teachers=[teacher], title="Data Structures"),
        term=make_term(),
        teachers=[teacher],
        students=[student],
    )


@pytest.fixture
def coming(offering):
    return make_session_now(offering, minutes_from_start=-120, room="B204")


def ask(client, session, reason="Fever, staying home.", attachment=None):
    data = {"reason": reason}
    if attachment is not None:
        data["attachment"] = attachment
    return client.post(reverse("classrooms:leave_request", args=[session.pk]), data)


def pdf():
    return SimpleUploadedFile("note.pdf", NOTE, content_type="application/pdf")


def decide(client, request, decision, note=""):
    return client.post(
        reverse("classrooms:leave_decide", args=[request.pk]),
        {"decision": decision, "note": note},
        follow=True,
    )


def test_request_download_approve_excuses_the_student(offering, coming, student, teacher):
    me = login_client(student)
    form = me.get(reverse("classrooms:leave_request", args=[coming.pk]))
    assert form.status_code == 200
    assert "Data Structures" in form.content.decode()
    assert "B204" in form.content.decode()

    response = ask(me, coming, attachment=pdf())
    assert response.status_code == 302
    request = LeaveRequest.objects.get()
    assert (request.student, request.session, request.status) == (student, coming, "pending")

    mine = me.get(reverse("classrooms:my_leave_requests")).content.decode()
    assert "Waiting for the teacher" in mine
    assert "Fever, staying home." in mine

    sir = login_client(teacher)
    listing = sir.get(reverse("classrooms:leave_requests", args=[offering.pk])).content.decode()
    assert "Fever, staying home." in listing
    attachment_url = reverse("classrooms:leave_attachment", args=[request.pk])
    assert attachment_url in listing
    download = sir.get(attachment_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == NOTE
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"

    grid = sir.get(reverse("classrooms:attendance_session", args=[coming.pk])).content.decode()
    assert reverse("classrooms:leave_decide", args=[request.pk]) in grid

    page = decide(sir, request, "approve", note="Get well soon")
    assert f"Leave approved: {student.display_name} is excused." in page.content.decode()
    row = Attendance.objects.get(session=coming, student=student)
    assert (row.status, row.changed_by) == ("excused", teacher)
    change = AttendanceChange.objects.get(attendance=row)
    assert (change.old_status, change.new_status, change.changed_by, change.reason) == (
        "",
        "excused",
        teacher,
        "leave approved",
    )
    mine = me.get(reverse("classrooms:my_leave_requests")).content.decode()
    assert "Approved" in mine
    assert "Get well soon" in mine
    # The student can still fetch their own attachment.
    assert me.get(attachment_url).status_code == 200


def test_approve_from_the_grid_returns_to_the_grid(coming, student, teacher):
    request = make_leave_request(coming, student)
    grid = reverse("classrooms:attendance_session", args=[coming.pk])
    response = login_client(teacher).post(
        reverse("classrooms:leave_decide", args=[request.pk]),
        {"decision": "approve", "next": grid},
    )
    assert response["Location"] == grid
    response = login_client(teacher).post(
        reverse("classrooms:leave_decide", args=[request.pk]),
        {"decision": "approve", "next": "https://evil.example/"},
    )
    assert "evil" not in response["Location"]


def test_reject_leaves_attendance_unchanged(offering, student, teacher):
    past = make_session_now(offering, minutes_from_start=60 * 24)
    make_attendance(past, student, status="absent", method="manual", checked_in_at=None)
    request = make_leave_request(past, student)
    page = decide(login_client(teacher), request, "reject", note="No proof")
    assert f"Leave rejected for {student.display_name}." in page.content.decode()
    request.refresh_from_db()
    assert (request.status, request.decision_note, request.decided_by) == (
        "rejected",
        "No proof",
        teacher,
    )
    assert Attendance.objects.get().status == "absent"
    assert AttendanceChange.objects.count() == 0
    mine = login_client(student).get(reverse("classrooms:my_leave_requests")).content.decode()
    assert "Rejected" in mine
    assert "No proof" in mine


def test_deciding_twice_is_refused_with_a_message(coming, student, teacher):
    request = make_leave_request(coming, student, status="withdrawn")
    page = decide(login_client(teacher), request, "approve")
    assert "already been decided or withdrawn" in page.content.decode()
    assert Attendance.objects.count() == 0


def test_a_bad_decision_value_changes_nothing(coming, student, teacher):
    request = make_leave_request(coming, student)
    page = decide(login_client(teacher), request, "maybe")
    assert "Choose approve or reject." in page.content.decode()
    request.refresh_from_db()
    assert request.status == "pending"


def test_refused_after_the_start(offering, student):
    started = make_session_now(offering, minutes_from_start=2)
    me = login_client(student)
    page = me.get(reverse("classrooms:leave_request", args=[started.pk])).content.decode()
    assert "before the session starts" in page
    assert "<textarea" not in page
    response = ask(me, started)
    assert response.status_code == 400
    assert "before the session starts" in response.content.decode()
    assert not LeaveRequest.objects.exists()


def test_refused_for_a_cancelled_session(offering, student):
    cancelled = make_session_now(offering, minutes_from_start=-120, status="cancelled")
    response = ask(login_client(student), cancelled)
    assert response.status_code == 400
    assert "cancelled" in response.content.decode()
    assert not LeaveRequest.objects.exists()


def test_refused_twice(coming, student):
    me = login_client(student)
    assert ask(me, coming).status_code == 302
    response = ask(me, coming, reason="Again")
    assert response.status_code == 400
    assert "already asked for leave" in response.content.decode()
    assert LeaveRequest.objects.count() == 1


def test_refused_for_a_student_not_on_the_roster(coming):
    stranger = login_client(StudentFactory())
    assert stranger.get(reverse("classrooms:leave_request", args=[coming.pk])).status_code == 403
    assert ask(stranger, coming).status_code == 403
    assert not LeaveRequest.objects.exists()


def test_a_wrong_attachment_type_is_a_form_error(coming, student):
    exe = SimpleUploadedFile("tool.exe", b"MZ", content_type="application/octet-stream")
    response = ask(login_client(student), coming, attachment=exe)
    assert response.status_code == 400
    assert "Attach a PDF, JPEG or PNG file." in response.content.decode()
    assert not LeaveRequest.objects.exists()


def test_others_get_403_or_404_on_the_attachment_and_on_decide(offering, coming, student):
    me = login_client(student)
    ask(me, coming, attachment=pdf())
    request = LeaveRequest.objects.get()
    attachment_url = reverse("classrooms:leave_attachment", args=[request.pk])
    classmate = StudentFactory()
    offering.enrolments.create(student=classmate)
    other_teacher = TeacherFactory()
    make_offering(course=make_course(teachers=[other_teacher]), term=offering.term)
    for outsider in (classmate, other_teacher, ReviewerFactory()):
        client = login_client(outsider)
        assert client.get(attachment_url).status_code in (403, 404)
        assert decide(client, request, "approve").status_code in (403, 404)
        withdraw = reverse("classrooms:leave_withdraw", args=[request.pk])
        assert client.post(withdraw).status_code in (403, 404)
    request.refresh_from_db()
    assert request.status == "pending"
    assert Attendance.objects.count() == 0
    missing = reverse("classrooms:leave_attachment", args=[request.pk + 100])
    assert login_client(student).get(missing).status_code == 404


def test_a_request_without_attachment_has_no_download(coming, student, teacher):
    request = make_leave_request(coming, student)
    url = reverse("classrooms:leave_attachment", args=[request.pk])
    assert login_client(teacher).get(url).status_code == 404


def test_withdraw_while_pending(coming, student):
    me = login_client(student)
    ask(me, coming)
    request = LeaveRequest.objects.get()
    response = me.post(reverse("classrooms:leave_withdraw", args=[request.pk]), follow=True)
    assert "Your request was withdrawn." in response.content.decode()
    request.refresh_from_db()
    assert request.status == "withdrawn"
    response = me.post(reverse("classrooms:leave_withdraw", args=[request.pk]), follow=True)
    assert "still waiting for the teacher" in response.content.decode()
    # Withdrawn: a new request is allowed.
    assert ask(me, coming).status_code == 302


def test_my_requests_lists_coming_sessions_to_ask_from(offering, coming, student):
    make_session_now(offering, minutes_from_start=-120, status="cancelled")
    page = login_client(student).get(reverse("classrooms:my_leave_requests"))
    assert list(page.context["upcoming"]) == [coming]
    assert reverse("classrooms:leave_request", args=[coming.pk]) in page.content.decode()


def test_leave_list_is_for_managers(offering, student):
    url = reverse("classrooms:leave_requests", args=[offering.pk])
    assert login_client(student).get(url).status_code == 403
    assert login_client(TeacherFactory()).get(url).status_code == 403


@pytest.mark.parametrize("size", [3, 30])
def test_leave_lists_queries_do_not_grow(
    size, offering, coming, student, teacher, django_assert_max_num_queries
):
    students = [StudentFactory() for _ in range(size)]
    for n, someone in enumerate(students):
        offering.enrolments.create(student=someone)
        request = make_leave_request(coming, someone)
        if n % 2:
            request.status, request.decided_by, request.decision_note = "rejected", teacher, "No"
            request.save()
    client = login_client(teacher)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("classrooms:leave_requests", args=[offering.pk]))
    assert response.status_code == 200
    statuses = [r.status for r in response.context["requests"]]
    assert statuses == sorted(statuses, key=lambda s: s != "pending")
    for n in range(size):
        make_leave_request(make_session_now(offering, minutes_from_start=-60 * (n + 3)), student)
    me = login_client(student)
    with django_assert_max_num_queries(6):
        response = me.get(reverse("classrooms:my_leave_requests"))
    assert len(response.context["requests"]) == size
    assert len(response.context["upcoming"]) == size + 1
