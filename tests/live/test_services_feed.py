"""Comments, questions, hands and mutes against the real database."""

import pytest
from django.core.cache import cache

from live.models import Comment, HandRaise, Mute, QuestionVote, RoomQuestion
from live.services import (
    ask_question,
    hide_comment,
    join,
    lower_hand,
    mark_answered,
    post_comment,
    set_hand,
    set_muted,
    vote,
)
from live.services.common import Refused
from tests.factories import StudentFactory
from tests.live.roomkit import make_class

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def klass():
    return make_class(2)


@pytest.fixture
def room(klass):
    return join(klass.session.pk, klass.teacher).room


def refused(code, call, **kwargs):
    with pytest.raises(Refused) as info:
        call(**kwargs)
    assert info.value.code == code


def test_a_comment_is_anonymous_except_for_teachers(room, klass):
    student = klass.students[0]
    outcome = post_comment(room=room, student=student, text="  so   clear ")
    [event] = outcome.events
    comment = Comment.objects.get()
    assert comment.text == "so clear"
    anonymous = {
        "id": comment.pk,
        "text": "so clear",
        "at": event.frames["students"]["comment"]["at"],
        "hidden": False,
    }
    assert event.frames["students"]["comment"] == anonymous
    assert event.frames["projectors"]["comment"] == anonymous
    assert event.frames["teachers"]["comment"]["student"] == {
        "id": student.pk,
        "name": student.display_name,
        "number": student.number,
    }


@pytest.mark.parametrize("text", ["", "   ", "x" * 101, None, 12])
def test_a_comment_must_have_1_to_100_characters(room, klass, text):
    refused("invalid", post_comment, room=room, student=klass.students[0], text=text)
    assert Comment.objects.count() == 0


def test_comments_and_questions_share_a_rate_limit_of_5_in_10_seconds(room, klass):
    student, other = klass.students
    now = [1000.0]
    clock = lambda: now[0]  # noqa: E731
    for i in range(3):
        post_comment(room=room, student=student, text=f"c{i}", clock=clock)
    ask_question(room=room, student=student, text="q1", clock=clock)
    post_comment(room=room, student=student, text="c3", clock=clock)
    refused("rate_limited", post_comment, room=room, student=student, text="c4", clock=clock)
    refused("rate_limited", ask_question, room=room, student=student, text="q2", clock=clock)
    post_comment(room=room, student=other, text="someone else", clock=clock)
    now[0] += 10.5
    post_comment(room=room, student=student, text="later", clock=clock)
    assert Comment.objects.filter(student=student).count() == 5
    assert RoomQuestion.objects.count() == 1


def test_a_muted_student_cannot_comment_or_ask_until_unmuted(room, klass):
    student = klass.students[0]
    outcome = set_muted(room=room, by=klass.teacher, student=student.pk, muted=True)
    [event] = outcome.events
    assert event.frames == {
        "teachers": {"type": "mute", "seq": 1, "student": student.pk, "muted": True}
    }
    assert event.personal == {student.pk: {"type": "mute", "seq": 1, "muted": True}}
    refused("muted", post_comment, room=room, student=student, text="hello")
    refused("muted", ask_question, room=room, student=student, text="why?")
    assert set_muted(room=room, by=klass.teacher, student=student.pk, muted=True).events == []
    set_muted(room=room, by=klass.teacher, student=student.pk, muted=False)
    assert Mute.objects.count() == 0
    post_comment(room=room, student=student, text="hello")


def test_only_students_of_the_class_can_be_muted(room, klass):
    refused(
        "not_found", set_muted, room=room, by=klass.teacher, student=StudentFactory().pk, muted=True
    )
    refused("not_found", set_muted, room=room, by=klass.teacher, student="1", muted=True)
    refused(
        "invalid", set_muted, room=room, by=klass.teacher, student=klass.students[0].pk, muted="yes"
    )
    assert Mute.objects.count() == 0


def test_hiding_a_comment_tells_everyone_once(room, klass):
    comment = post_comment(room=room, student=klass.students[0], text="rude").ack["comment"]
    outcome = hide_comment(room=room, by=klass.teacher, comment=comment)
    assert {a: f["comment"] for a, f in outcome.events[0].frames.items()} == {
        "students": comment,
        "projectors": comment,
        "teachers": comment,
    }
    assert hide_comment(room=room, by=klass.teacher, comment=comment).events == []
    refused("not_found", hide_comment, room=room, by=klass.teacher, comment=comment + 1)
    room.refresh_from_db()
    assert room.seq == 2


def test_questions_take_one_vote_per_student(room, klass):
    a, b = klass.students
    question = ask_question(room=room, student=a, text="What is a heap?").ack["question"]
    first = vote(room=room, student=b, question=question)
    [event] = first.events
    assert event.frames["students"] == {
        "type": "question.votes",
        "seq": 2,
        "question": question,
        "votes": 1,
    }
    assert event.personal[b.pk]["voted"] is True
    again = vote(room=room, student=b, question=question)
    assert again.ack == {"question": question, "duplicate": True} and again.events == []
    vote(room=room, student=a, question=question)
    assert QuestionVote.objects.count() == 2
    refused("not_found", vote, room=room, student=a, question=question + 1)


def test_marking_a_question_answered(room, klass):
    question = ask_question(room=room, student=klass.students[0], text="Why?").ack["question"]
    assert len(mark_answered(room=room, by=klass.teacher, question=question).events) == 1
    assert mark_answered(room=room, by=klass.teacher, question=question).events == []
    assert RoomQuestion.objects.get().answered_at is not None


def test_one_raised_hand_per_student_lowered_by_either(room, klass):
    student = klass.students[0]
    raised = set_hand(room=room, student=student, raised=True)
    [event] = raised.events
    assert set(event.frames) == {"teachers"}
    assert event.frames["teachers"]["raised"] is True and event.frames["teachers"]["at"]
    assert event.personal == {student.pk: {"type": "hand", "seq": 1, "raised": True}}
    assert set_hand(room=room, student=student, raised=True).events == []
    assert HandRaise.objects.filter(lowered_at__isnull=True).count() == 1
    lowered = lower_hand(room=room, by=klass.teacher, student=student.pk)
    assert lowered.events[0].frames["teachers"]["raised"] is False
    assert set_hand(room=room, student=student, raised=False).events == []
    set_hand(room=room, student=student, raised=True)
    assert HandRaise.objects.count() == 2
    refused("invalid", set_hand, room=room, student=student, raised="up")
