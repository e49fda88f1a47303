"""Polls prepared before class: the service (live.services.prepare) and the prepare pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import include, path, reverse
from django.utils import timezone

from live.models import LiveRoom, Poll, PollKind, PollSource, PollStatus
from live.services import prepare
from lms.urls import urlpatterns as site_urlpatterns
from tests.conftest import login_client
from tests.factories import TeacherFactory
from tests.factories.attendance import make_session_now
from tests.factories.classrooms import make_offering, make_term
from tests.factories.courses import make_course

# Until lms/urls.py includes live.urls, these tests route it themselves.
urlpatterns = [path("live/", include("live.urls")), *site_urlpatterns]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def offering(teacher, student):
    course = make_course(teachers=[teacher])
    return make_offering(course=course, term=make_term(), teachers=[teacher], students=[student])


@pytest.fixture
def session(offering):
    return make_session_now(offering, minutes_from_start=-60)


def _create(session, teacher, **fields):
    fields = {"kind": PollKind.SINGLE, "prompt": "2 + 2 = ?", "options": ["3", "4"]} | fields
    return prepare.create_prepared_poll(session=session, by=teacher, **fields)


def _open(poll):
    poll.status = PollStatus.OPEN
    poll.opened_at = timezone.now()
    poll.save(update_fields=["status", "opened_at"])
    return poll


# --- the service ---------------------------------------------------------------------------
def test_a_prepared_poll_is_a_draft_in_the_session_room(teacher, session):
    poll = _create(session, teacher, prompt="  2 + 2 = ?  ", options=[" 3 ", "4", " "], correct=[1])
    poll.refresh_from_db()
    assert (poll.kind, poll.prompt, poll.options, poll.correct) == (
        "single",
        "2 + 2 = ?",
        ["3", "4"],
        [1],
    )
    assert (poll.status, poll.source, poll.created_by) == ("draft", "prepared", teacher)
    assert poll.room == LiveRoom.objects.get(session=session)


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        (
            {"kind": "multiple", "options": ["a", "b", "c"], "correct": [2, 0]},
            (["a", "b", "c"], [0, 2]),
        ),
        ({"kind": "single", "options": ["a", "b"], "correct": None}, (["a", "b"], None)),
        ({"kind": "true_false", "options": ["ignored"], "correct": False}, ([], False)),
        ({"kind": "true_false", "correct": None}, ([], None)),
        ({"kind": "text", "correct": [" stack ", "a stack", "stack"]}, ([], ["stack", "a stack"])),
        ({"kind": "text", "correct": None}, ([], None)),
        ({"kind": "word_cloud", "correct": None}, ([], None)),
    ],
)
def test_each_kind_stores_options_and_answer_in_the_poll_format(fields, stored, teacher, session):
    poll = _create(session, teacher, **fields)
    poll.refresh_from_db()
    assert (poll.options, poll.correct) == stored


def test_polls_are_kept_in_the_order_they_were_prepared_and_share_one_room(teacher, session):
    first = _create(session, teacher, prompt="first")
    second = _create(session, teacher, prompt="second")
    assert [p.pk for p in prepare.prepared_polls(session)] == [first.pk, second.pk]
    assert second.position == first.position + 1
    assert LiveRoom.objects.filter(session=session).count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"prompt": "   "}, "prompt", "Write the question."),
        ({"prompt": "x" * 1001}, "prompt", "The question is longer than 1000 characters."),
        ({"options": ["only one"]}, "options", "Give between 2 and 10 options, one per line."),
        ({"options": [str(i) for i in range(11)]}, "options", "Give between 2 and 10 options"),
        ({"options": ["Yes", "yes"]}, "options", "Two options are the same."),
        ({"options": ["a", "b" * 201]}, "options", "An option is longer than 200 characters."),
        ({"correct": [2]}, "correct", "A right option is not among the options."),
        ({"correct": [0, 1]}, "correct", "A single-choice question has exactly one right option."),
        ({"correct": [0, 0], "kind": "multiple"}, "correct", "An option is named twice as right."),
        ({"correct": ["0"]}, "correct", "Give the numbers of the right options."),
        ({"kind": "true_false", "correct": "yes"}, "correct", "Choose true or false."),
        ({"kind": "word_cloud", "correct": ["x"]}, "correct", "A word cloud has no right answer."),
        ({"kind": "essay"}, "kind", "Choose a type of question."),
    ],
)
def test_invalid_content_is_refused_and_nothing_is_saved(fields, field, message, teacher, session):
    with pytest.raises(ValidationError) as error:
        _create(session, teacher, **fields)
    assert any(m.startswith(message) for m in error.value.message_dict[field])
    assert not Poll.objects.exists()


def test_a_cancelled_session_takes_no_prepared_poll(teacher, session):
    session.status = "cancelled"
    session.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="This session is cancelled"):
        _create(session, teacher)
    assert not Poll.objects.exists()


def test_a_draft_is_edited(teacher, session):
    poll = _create(session, teacher)
    prepare.update_prepared_poll(
        poll=poll, kind="true_false", prompt="A stack is LIFO.", options=[], correct=True
    )
    poll.refresh_from_db()
    assert (poll.kind, poll.prompt, poll.options, poll.correct, poll.status) == (
        "true_false",
        "A stack is LIFO.",
        [],
        True,
        "draft",
    )


def test_an_invalid_edit_changes_nothing(teacher, session):
    poll = _create(session, teacher, correct=[1])
    with pytest.raises(ValidationError):
        prepare.update_prepared_poll(poll=poll, kind="single", prompt="", options=["a"])
    poll.refresh_from_db()
    assert (poll.prompt, poll.options, poll.correct) == ("2 + 2 = ?", ["3", "4"], [1])


@pytest.mark.parametrize("status", [PollStatus.OPEN, PollStatus.CLOSED])
def test_a_poll_opened_in_class_can_no_longer_be_edited_or_deleted(status, teacher, session):
    poll = _create(session, teacher, correct=[1])
    Poll.objects.filter(pk=poll.pk).update(status=status)  # opened elsewhere meanwhile
    with pytest.raises(ValidationError, match="opened in class"):
        prepare.update_prepared_poll(poll=poll, kind="single", prompt="new", options=["a", "b"])
    with pytest.raises(ValidationError, match="opened in class"):
        prepare.delete_prepared_poll(poll=poll)
    poll.refresh_from_db()
    assert (poll.prompt, poll.status) == ("2 + 2 = ?", status)


def test_a_draft_is_deleted(teacher, session):
    poll = _create(session, teacher)
    prepare.delete_prepared_poll(poll=poll)
    assert not Poll.objects.filter(pk=poll.pk).exists()


def test_only_drafts_are_listed_as_prepared(teacher, session):
    draft = _create(session, teacher, prompt="draft")
    _open(_create(session, teacher, prompt="opened"))
    assert list(prepare.prepared_polls(session)) == [draft]


def test_the_room_is_created_once(session):
    room = prepare.room_for(session)
    session.refresh_from_db()
    assert prepare.room_for(session) == room
    assert LiveRoom.objects.count() == 1


# --- the pages -----------------------------------------------------------------------------
def _url(name, session, *args):
    return reverse(f"live:{name}", args=[session.pk, *args])


FORM = {
    "kind": "single",
    "prompt": "Which is a stack operation?",
    "options": "push\nenqueue\n",
    "correct_options": "1",
    "correct_true": "",
    "accepted": "",
}


def test_the_teacher_sees_the_prepared_polls_with_their_answers(teacher, session):
    _create(session, teacher, prompt="Which is LIFO?", options=["queue", "stack"], correct=[1])
    response = login_client(teacher).get(_url("prepare", session))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Which is LIFO?" in html
    assert "stack" in html
    assert _url("prepare_edit", session, Poll.objects.get().pk) in html


def test_the_teacher_adds_a_poll(teacher, session):
    response = login_client(teacher).post(_url("prepare", session), FORM, follow=True)
    assert response.redirect_chain == [(_url("prepare", session), 302)]
    assert "The poll was added." in response.content.decode()
    poll = Poll.objects.get()
    assert (poll.kind, poll.prompt, poll.options, poll.correct, poll.source) == (
        "single",
        "Which is a stack operation?",
        ["push", "enqueue"],
        [0],
        PollSource.PREPARED,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"options": "push"}, "Give between 2 and 10 options, one per line."),
        ({"correct_options": "3"}, "A right option is not among the options."),
        ({"correct_options": "first"}, "Write option numbers such as 2 or 1, 3."),
        ({"correct_options": "1, 2"}, "A single-choice question has exactly one right option."),
        ({"prompt": ""}, "This field is required."),
    ],
)
def test_a_bad_poll_shows_the_error_on_the_form_and_saves_nothing(data, message, teacher, session):
    response = login_client(teacher).post(_url("prepare", session), FORM | data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Poll.objects.exists()


def test_true_false_and_short_text_answers_come_from_their_own_fields(teacher, session):
    client = login_client(teacher)
    client.post(
        _url("prepare", session),
        FORM | {"kind": "true_false", "prompt": "A queue is FIFO.", "correct_true": "true"},
    )
    client.post(
        _url("prepare", session),
        FORM | {"kind": "text", "prompt": "LIFO is a…", "accepted": "stack\n a stack \n"},
    )
    assert [(p.kind, p.options, p.correct) for p in Poll.objects.order_by("id")] == [
        ("true_false", [], True),
        ("text", [], ["stack", "a stack"]),
    ]


def test_the_edit_form_shows_the_poll_and_saves_changes(teacher, session):
    poll = _create(session, teacher, kind="multiple", options=["a", "b", "c"], correct=[0, 2])
    client = login_client(teacher)
    response = client.get(_url("prepare_edit", session, poll.pk))
    assert response.status_code == 200
    assert response.context["form"].initial == {
        "kind": "multiple",
        "prompt": "2 + 2 = ?",
        "options": "a\nb\nc",
        "correct_options": "1, 3",
    }
    response = client.post(
        _url("prepare_edit", session, poll.pk),
        FORM | {"kind": "multiple", "options": "a\nb\nc", "correct_options": "2,3"},
    )
    assert response.status_code == 302
    poll.refresh_from_db()
    assert (poll.prompt, poll.correct) == ("Which is a stack operation?", [1, 2])


def test_an_opened_poll_is_not_edited_from_the_page(teacher, session):
    poll = _open(_create(session, teacher))
    client = login_client(teacher)
    response = client.post(_url("prepare_edit", session, poll.pk), FORM, follow=True)
    assert "can no longer change" in response.content.decode()
    poll.refresh_from_db()
    assert poll.prompt == "2 + 2 = ?"


def test_the_teacher_deletes_a_draft_but_not_an_opened_poll(teacher, session):
    draft = _create(session, teacher)
    opened = _open(_create(session, teacher, prompt="opened"))
    client = login_client(teacher)
    response = client.post(_url("prepare_delete", session, draft.pk), follow=True)
    assert "The poll was deleted." in response.content.decode()
    response = client.post(_url("prepare_delete", session, opened.pk), follow=True)
    assert "can no longer change" in response.content.decode()
    assert list(Poll.objects.all()) == [opened]


def test_delete_takes_only_a_post(teacher, session):
    poll = _create(session, teacher)
    assert login_client(teacher).get(_url("prepare_delete", session, poll.pk)).status_code == 405
    assert Poll.objects.filter(pk=poll.pk).exists()


def test_a_poll_of_another_session_is_not_found_here(teacher, offering, session):
    other = make_session_now(offering, minutes_from_start=-300)
    poll = _create(other, teacher)
    client = login_client(teacher)
    assert client.get(_url("prepare_edit", session, poll.pk)).status_code == 404
    assert client.post(_url("prepare_delete", session, poll.pk)).status_code == 404
    assert Poll.objects.filter(pk=poll.pk).exists()


@pytest.mark.parametrize("who", ["other_teacher", "student"])
def test_others_are_refused_and_nothing_changes(who, request, teacher, session):
    user = TeacherFactory() if who == "other_teacher" else request.getfixturevalue("student")
    poll = _create(session, teacher)
    client = login_client(user)
    assert client.get(_url("prepare", session)).status_code == 403
    assert client.post(_url("prepare", session), FORM).status_code == 403
    assert client.get(_url("prepare_edit", session, poll.pk)).status_code == 403
    assert client.post(_url("prepare_edit", session, poll.pk), FORM).status_code == 403
    assert client.post(_url("prepare_delete", session, poll.pk)).status_code == 403
    assert list(Poll.objects.values_list("prompt", flat=True)) == ["2 + 2 = ?"]


def test_an_anonymous_visitor_is_sent_to_log_in(client, session):
    response = client.get(_url("prepare", session))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_cancelled_session_says_so_and_takes_no_poll(teacher, session):
    session.status = "cancelled"
    session.save(update_fields=["status"])
    client = login_client(teacher)
    assert "This session is cancelled" in client.get(_url("prepare", session)).content.decode()
    response = client.post(_url("prepare", session), FORM)
    assert "This session is cancelled" in response.content.decode()
    assert "Add a poll" not in response.content.decode()
    assert not Poll.objects.exists()


@pytest.mark.parametrize("size", [3, 30])
def test_the_prepare_page_queries_do_not_grow_with_the_polls(
    size, teacher, session, django_assert_max_num_queries
):
    for i in range(size):
        _create(session, teacher, prompt=f"Poll {i}", correct=[i % 2])
    client = login_client(teacher)
    with django_assert_max_num_queries(7):
        response = client.get(_url("prepare", session))
    assert response.status_code == 200
    assert response.content.decode().count("/delete/") == size
