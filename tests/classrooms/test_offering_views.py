"""The teacher's offering screens: access, roster preview and import, rules, moves."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from classrooms.models import Enrolment, Offering, Session, SessionStatus, TimetableRule
from classrooms.services.scheduling import generate_sessions
from tests.conftest import login_client
from tests.factories import ReviewerFactory, StudentFactory, TeacherFactory
from tests.factories.classrooms import make_offering, make_rule, make_term
from tests.factories.courses import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering(teacher):
    return make_offering(
        course=make_course(teachers=[teacher]), term=make_term(), teachers=[teacher]
    )


def url(name, offering, *args):
    return reverse(f"classrooms:{name}", args=[offering.pk, *args])


def test_list_shows_my_offerings_only(offering, teacher, django_assert_max_num_queries):
    other = make_offering(course=make_course(), term=offering.term, teachers=[TeacherFactory()])
    for n in range(3):
        make_offering(
            course=offering.course, term=offering.term, teachers=[teacher], section=f"1{n}"
        )
    client = login_client(teacher)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("classrooms:offering_list"))
    assert response.status_code == 200
    assert list(response.context["offerings"]) == list(
        Offering.objects.filter(teachers=teacher).order_by("section")
    )
    assert other not in response.context["offerings"]
    reviewer_view = login_client(ReviewerFactory()).get(reverse("classrooms:offering_list"))
    assert len(reviewer_view.context["offerings"]) == 5


def test_student_gets_403_on_teacher_screens(offering, student):
    client = login_client(student)
    assert client.get(reverse("classrooms:offering_list")).status_code == 403
    assert client.get(reverse("classrooms:offering_create")).status_code == 403
    assert client.get(url("offering_detail", offering)).status_code == 403


def test_teacher_of_another_offering_gets_403_and_changes_nothing(offering):
    make_rule(offering, weekday=0, weeks="1")
    generate_sessions(offering=offering)
    session = Session.objects.get(offering=offering)
    student = StudentFactory()
    Enrolment.objects.create(offering=offering, student=student)
    client = login_client(TeacherFactory())
    assert client.get(url("offering_detail", offering)).status_code == 403
    assert client.post(url("roster_drop", offering, student.pk)).status_code == 403
    assert client.post(url("session_cancel", offering, session.pk)).status_code == 403
    assert client.post(url("sessions_generate", offering)).status_code == 403
    assert client.post(url("rule_add", offering), {"weekday": 2}).status_code == 403
    assert Enrolment.objects.get(student=student).dropped_at is None
    session.refresh_from_db()
    assert (session.status, session.sequence) == (SessionStatus.SCHEDULED, 0)
    assert TimetableRule.objects.count() == 1


def test_reviewer_reads_but_cannot_change(offering):
    client = login_client(ReviewerFactory())
    response = client.get(url("offering_detail", offering))
    assert (response.status_code, response.context["can_manage"]) == (200, False)
    assert client.post(url("sessions_generate", offering)).status_code == 403


def test_roster_upload_previews_then_imports(offering, teacher):
    client = login_client(teacher)
    csv = SimpleUploadedFile("roster.csv", b"number,name,email\n2026001,Li Lei,\n2026002,Han,\n")
    response = client.post(url("roster_upload", offering), {"file": csv})
    assert response.status_code == 200
    assert response.context["report"].enrolled == ["2026001", "2026002"]
    assert Enrolment.objects.count() == 0  # a preview saves nothing
    response = client.post(url("roster_upload", offering), {"confirm": "1"})
    assert response.status_code == 302
    assert sorted(offering.enrolments.values_list("student__number", flat=True)) == [
        "2026001",
        "2026002",
    ]


def test_roster_upload_with_bad_rows_shows_them_and_saves_nothing(offering, teacher):
    client = login_client(teacher)
    csv = SimpleUploadedFile("roster.csv", b"number,name\n2026001,\n")
    response = client.post(url("roster_upload", offering), {"file": csv})
    assert response.context["report"].errors == ["Row 2: the name is empty."]
    assert "Row 2: the name is empty." in response.content.decode()
    response = client.post(url("roster_upload", offering), {"confirm": "1"})
    assert response.status_code == 302
    assert Enrolment.objects.count() == 0


def test_add_and_drop_a_student(offering, teacher, student):
    client = login_client(teacher)
    client.post(url("roster_add", offering), {"number": student.number})
    assert offering.enrolments.active().get().student == student
    client.post(url("roster_drop", offering, student.pk))
    assert offering.enrolments.active().count() == 0


def test_add_rule_generates_sessions_and_move_and_cancel(offering, teacher):
    client = login_client(teacher)
    response = client.post(
        url("rule_add", offering),
        {
            "weekday": 1,
            "first_period": 3,
            "last_period": 4,
            "weeks": "1-4",
            "parity": "all",
            "room": "A101",
            "organisation": "large",
        },
    )
    assert response.status_code == 302
    assert Session.objects.filter(offering=offering).count() == 4
    first = Session.objects.filter(offering=offering).order_by("date").first()
    response = client.post(
        url("session_move", offering, first.pk), {"date": "2026-09-10", "room": "B2"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.date, first.room, first.moved, first.sequence) == (
        date(2026, 9, 10),
        "B2",
        True,
        1,
    )
    client.post(url("session_cancel", offering, first.pk))
    first.refresh_from_db()
    assert (first.status, first.sequence) == (SessionStatus.CANCELLED, 2)
    detail = client.get(url("offering_detail", offering))
    assert detail.status_code == 200


def test_bad_rule_is_refused_with_a_message(offering, teacher):
    client = login_client(teacher)
    response = client.post(
        url("rule_add", offering),
        {
            "weekday": 1,
            "first_period": 3,
            "last_period": 4,
            "weeks": "1-40",
            "parity": "all",
            "room": "A101",
            "organisation": "large",
        },
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Week 40 is after the end of the term (16 weeks)."
    ]
    assert TimetableRule.objects.count() == 0


def test_teacher_creates_an_offering_for_a_course_they_teach(teacher):
    term = make_term(name="Autumn")
    course = make_course(teachers=[teacher])
    other = make_course(teachers=[TeacherFactory()])
    client = login_client(teacher)
    data = {
        "course": course.pk,
        "term": term.pk,
        "section": "07",
        "online_opens_on": "2026-09-07",
        "online_closes_on": "2027-01-10",
    }
    response = client.post(reverse("classrooms:offering_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "online_closes_on": ["This date lies outside the term Autumn (2026-09-07 to 2026-12-27)."]
    }
    response = client.post(
        reverse("classrooms:offering_create"), {**data, "online_closes_on": "2026-12-20"}
    )
    offering = Offering.objects.get()
    assert response.url == url("offering_detail", offering)
    assert list(offering.teachers.all()) == [teacher]
    response = client.post(reverse("classrooms:offering_create"), {**data, "course": other.pk})
    assert "course" in response.context["form"].errors
    assert Offering.objects.count() == 1
