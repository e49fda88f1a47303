"""The live classroom's three screens as HTTP pages: who may open them, what they carry (the
socket's address, never an answer key or a classmate's name), and their query counts."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import include, path, reverse
from django.utils import timezone

from classrooms.models import Enrolment
from live.models import Comment, PollKind
from live.services import prepare
from lms.urls import urlpatterns as site_urlpatterns
from tests.conftest import login_client
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.attendance import make_session_now
from tests.factories.classrooms import make_offering, make_term
from tests.factories.courses import (
    fill_blank,
    make_course,
    multiple_choice,
    single_choice,
    true_false,
)

# Until lms/urls.py includes live.urls, these tests route it themselves (first match wins,
# so the same patterns are found either way).
urlpatterns = [path("live/", include("live.urls")), *site_urlpatterns]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def course(teacher):
    return make_course(teachers=[teacher])


@pytest.fixture
def offering(course, teacher, student):
    return make_offering(course=course, term=make_term(), teachers=[teacher], students=[student])


@pytest.fixture
def session(offering):
    return make_session_now(offering)


def _url(name: str, session) -> str:
    return reverse(f"live:{name}", args=[session.pk])


SCREENS = ["console", "projector", "student"]
TEACHER_SCREENS = ["console", "projector"]


# --- who may open which page ---------------------------------------------------------------
@pytest.mark.parametrize("name", TEACHER_SCREENS)
def test_the_offering_teacher_opens_console_and_projector(name, teacher, session):
    response = login_client(teacher).get(_url(name, session))
    assert response.status_code == 200


@pytest.mark.parametrize("name", TEACHER_SCREENS)
def test_an_assistant_of_the_offering_opens_console_and_projector(name, offering, session):
    assistant = TeacherFactory()
    offering.assistants.add(assistant)
    assert login_client(assistant).get(_url(name, session)).status_code == 200


@pytest.mark.parametrize("name", SCREENS)
def test_a_teacher_of_another_class_is_refused(name, session):
    response = login_client(TeacherFactory()).get(_url(name, session))
    assert response.status_code == 403
    assert "This is not your class" in response.content.decode()


@pytest.mark.parametrize("name", TEACHER_SCREENS)
def test_an_enrolled_student_is_refused_the_teacher_screens(name, student, session):
    assert login_client(student).get(_url(name, session)).status_code == 403


def test_an_enrolled_student_opens_the_student_page(student, session):
    assert login_client(student).get(_url("student", session)).status_code == 200


@pytest.mark.parametrize("name", SCREENS)
def test_a_student_not_enrolled_is_refused(name, session):
    assert login_client(StudentFactory()).get(_url(name, session)).status_code == 403


def test_a_dropped_student_is_refused(student, offering, session):
    Enrolment.objects.filter(offering=offering, student=student).update(dropped_at=timezone.now())
    assert login_client(student).get(_url("student", session)).status_code == 403


@pytest.mark.parametrize("name", SCREENS)
def test_an_anonymous_visitor_is_sent_to_log_in(name, client, session):
    response = client.get(_url(name, session))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={_url(name, session)}"


def test_a_teacher_on_the_student_page_is_sent_to_the_console(teacher, session):
    response = login_client(teacher).get(_url("student", session))
    assert response.status_code == 302
    assert response["Location"] == _url("console", session)


@pytest.mark.parametrize("name", SCREENS)
def test_an_unknown_session_is_404(name, teacher):
    response = login_client(teacher).get(reverse(f"live:{name}", args=[999999]))
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "who"), [("console", "teacher"), ("student", "student")])
def test_a_cancelled_session_says_so(name, who, request, session):
    session.status = "cancelled"
    session.save(update_fields=["status"])
    response = login_client(request.getfixturevalue(who)).get(_url(name, session))
    assert response.status_code == 410
    assert "This session is cancelled" in response.content.decode()
    assert "/ws/live/" not in response.content.decode()


# --- what the pages carry ------------------------------------------------------------------
def _config(response) -> dict:
    match = re.search(
        r'<script id="live-config" type="application/json">(.*?)</script>',
        response.content.decode(),
    )
    return json.loads(match.group(1))


def test_each_page_carries_its_socket_address_and_script(teacher, student, session):
    pages = {
        "console": (teacher, f"/ws/live/{session.pk}/", "live/console.js"),
        "projector": (teacher, f"/ws/live/{session.pk}/?view=projector", "live/projector.js"),
        "student": (student, f"/ws/live/{session.pk}/", "live/student.js"),
    }
    for name, (user, socket, script) in pages.items():
        response = login_client(user).get(_url(name, session))
        config = _config(response)
        assert config["socket"] == socket
        assert config["session"] == session.pk
        assert config["user"] == user.pk
        assert f'<script type="module" src="/static/{script}">' in response.content.decode()


def test_the_projector_knows_where_to_fetch_the_qr_and_where_to_type_the_code(teacher, session):
    config = _config(login_client(teacher).get(_url("projector", session)))
    assert config["urls"] == {
        "checkin_state": reverse("classrooms:checkin_state", args=[session.pk]),
        "checkin_code": reverse("classrooms:checkin_code"),
    }


def test_the_pages_hand_their_texts_to_the_script(student, session):
    response = login_client(student).get(_url("student", session))
    match = re.search(
        r'<script id="live-text" type="application/json">(.*?)</script>',
        response.content.decode(),
    )
    texts = json.loads(match.group(1))
    assert texts["you_were_right"] == "You were right."
    assert texts["kind_word_cloud"] == "Word cloud"


def test_the_student_page_holds_no_answer_key_and_no_classmate(teacher, student, offering, session):
    classmate = StudentFactory(display_name="Classmate Zhou")
    Enrolment.objects.create(offering=offering, student=classmate)
    prepare.create_prepared_poll(
        session=session,
        by=teacher,
        kind=PollKind.TEXT,
        prompt="Name the LIFO structure",
        correct=["zebra-stack-secret"],
    )
    prepare.create_prepared_poll(
        session=session,
        by=teacher,
        kind=PollKind.SINGLE,
        prompt="Pick one",
        options=["red-option", "blue-option"],
        correct=[1],
    )
    room = prepare.room_for(session)
    Comment.objects.create(
        room=room, student=classmate, text="a comment", created_at=timezone.now()
    )

    html = login_client(student).get(_url("student", session)).content.decode()
    for secret in (
        "zebra-stack-secret",
        "Name the LIFO structure",
        "blue-option",
        "Classmate Zhou",
        classmate.number,
        "a comment",
    ):
        assert secret not in html


def test_the_console_offers_the_course_bank_questions_that_fit_a_poll(teacher, course, session):
    single_choice(text="Bank single?", course=course)
    multiple_choice(text="Bank multiple?", course=course)
    true_false(text="Bank true or false?", course=course)
    fill_blank(text="Bank blank ___?", course=course)  # no poll kind takes it over
    single_choice(text="Another course's question?", course=make_course())

    html = login_client(teacher).get(_url("console", session)).content.decode()
    assert "Bank single?" in html
    assert "Bank multiple?" in html
    assert "Bank true or false?" in html
    assert "Bank blank ___?" not in html
    assert "Another course&#x27;s question?" not in html


def test_the_bank_as_json_for_other_clients_lists_ids_and_texts_never_answers(
    teacher, student, course, session
):
    question = single_choice(text="Which is LIFO?", course=course)
    fill_blank(text="Blank ___?", course=course)
    response = login_client(teacher).get(_url("bank", session))
    assert response.status_code == 200
    assert response.json() == {
        "questions": [
            {"id": question.pk, "kind": "single", "title": question.title, "text": "Which is LIFO?"}
        ]
    }
    assert "correct" not in response.content.decode()
    for outsider in (student, TeacherFactory()):
        refused = login_client(outsider).get(_url("bank", session))
        assert refused.status_code == 403 and "Which is LIFO?" not in refused.content.decode()


def test_the_scripts_and_styles_are_served():
    from django.test import Client

    client = Client()
    for name in ("client.js", "ui.js", "console.js", "projector.js", "student.js", "prepare.js"):
        response = client.get(f"/static/live/{name}")
        assert response.status_code == 200, name
        assert "javascript" in response["Content-Type"], name
        b"".join(response.streaming_content)  # close the file
    response = client.get("/static/live/live.css")
    assert response.status_code == 200
    b"".join(response.streaming_content)


# --- query counts --------------------------------------------------------------------------
@pytest.mark.parametrize("size", [3, 30])
def test_the_console_queries_do_not_grow_with_the_bank_and_the_class(
    size, teacher, course, offering, session, django_assert_max_num_queries
):
    for i in range(size):
        single_choice(text=f"Q{i}?", course=course)
        Enrolment.objects.create(offering=offering, student=StudentFactory())
    client = login_client(teacher)
    with django_assert_max_num_queries(7):
        assert client.get(_url("console", session)).status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_the_projector_and_student_pages_query_a_fixed_number_of_times(
    size, teacher, student, offering, session, django_assert_max_num_queries
):
    for _ in range(size):
        Enrolment.objects.create(offering=offering, student=StudentFactory())
    teacher_client, student_client = login_client(teacher), login_client(student)
    with django_assert_max_num_queries(4):
        assert teacher_client.get(_url("projector", session)).status_code == 200
    with django_assert_max_num_queries(7):
        assert student_client.get(_url("student", session)).status_code == 200
