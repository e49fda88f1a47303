"""The ``state`` snapshot: what each role sees, and a number of queries that does not grow
with the class."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from live.models import Poll
from live.services import (
    answer_poll,
    ask_question,
    close_poll,
    hide_comment,
    join,
    open_poll,
    post_comment,
    random_call,
    set_hand,
    set_muted,
    snapshot,
    vote,
)
from live.services.polls import compute_results
from tests.factories.attendance import make_attendance
from tests.live.roomkit import make_class

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # rate limits are counted in the cache; ids repeat between tests


def busy_room(n_students: int):
    """A room with everything in it: check-ins, a prepared poll, an open poll with answers,
    comments (one hidden), questions with votes, hands, calls and a mute."""
    klass = make_class(n_students)
    room = join(klass.session.pk, klass.teacher).room
    Poll.objects.create(
        room=room, kind="text", prompt="Say it", source="prepared", created_by=klass.teacher
    )
    poll = open_poll(
        room=room, by=klass.teacher, kind="single", prompt="?", options=["A", "B"], correct=[0]
    ).ack["poll"]
    question = None
    for i, student in enumerate(klass.students):
        make_attendance(klass.session, student, checked_in_at=timezone.now())
        answer_poll(room=room, student=student, poll=poll, key=f"key-{i:05d}", value=i % 2)
        comment = post_comment(room=room, student=student, text=f"c{i}").ack["comment"]
        asked = ask_question(room=room, student=student, text=f"q{i}").ack["question"]
        question = question or asked
        vote(room=room, student=student, question=question)
        set_hand(room=room, student=student, raised=True)
    hide_comment(room=room, by=klass.teacher, comment=comment)
    set_muted(room=room, by=klass.teacher, student=klass.students[0].pk, muted=True)
    random_call(room=room, by=klass.teacher)
    return klass, room, poll


@pytest.mark.parametrize("n_students", [3, 30])
@pytest.mark.parametrize("view", ["teacher", "projector", "student"])
def test_a_snapshot_takes_the_same_few_queries_whatever_the_class_size(
    n_students, view, django_assert_max_num_queries
):
    klass, room, _ = busy_room(n_students)
    user = klass.students[1] if view == "student" else klass.teacher
    with django_assert_max_num_queries({"teacher": 11, "projector": 8, "student": 10}[view]):
        state = snapshot(room, user, view)
    assert len(state["questions"]) == n_students
    assert state["checkin"]["count"] == n_students


def test_each_role_sees_its_own_fields():
    klass, room, poll = busy_room(3)
    a, b, c = klass.students
    teacher = snapshot(room, klass.teacher, "teacher")
    wall = snapshot(room, klass.teacher, "projector")
    phone = snapshot(room, b, "student")
    assert teacher["seq"] == wall["seq"] == phone["seq"] == room.__class__.objects.get().seq
    assert set(teacher) - set(wall) == {"prepared", "hands", "muted"}
    assert set(phone) - set(wall) == {"me"}
    assert set(wall) - set(phone) == set()
    assert teacher["prepared"][0]["kind"] == "text"
    assert teacher["muted"] == [a.pk]
    assert [h["student"]["id"] for h in teacher["hands"]] == [a.pk, b.pk, c.pk]
    assert [s["id"] for s in wall["checkin"]["students"]] == [a.pk, b.pk, c.pk]
    assert "students" not in phone["checkin"] and phone["checkin"]["count"] == 3
    assert phone["me"] == {
        "id": b.pk,
        "name": b.display_name,
        "checked_in": True,
        "hand": True,
        "muted": False,
    }
    # comments: the teacher sees the hidden one and the authors
    assert len(teacher["comments"]) == 3 and teacher["comments"][-1]["hidden"] is True
    assert teacher["comments"][0]["student"]["id"] == a.pk
    assert len(wall["comments"]) == 2 and all("student" not in c for c in wall["comments"])
    # questions: most votes first; voted is per student
    assert teacher["questions"][0]["votes"] == 3 and "student" in teacher["questions"][0]
    assert phone["questions"][0]["voted"] is True and phone["questions"][1]["voted"] is False
    assert "student" not in phone["questions"][0]
    # the open poll: results for teacher and projector, one's own answer for a student
    assert teacher["poll"]["results"] == {"counts": [2, 1]} and teacher["poll"]["answered"] == 3
    assert "your_answer" not in teacher["poll"]
    assert phone["poll"]["results"] is None and phone["poll"]["answered"] is None
    assert phone["poll"]["your_answer"] == 1 and phone["poll"]["you_were_right"] is None
    assert phone["poll"]["correct"] is None
    assert len(phone["calls"]) == 1
    close_poll(room=room, poll=poll)
    closed = snapshot(room, b, "student")["poll"]
    assert closed["results"] == {"counts": [2, 1]} and closed["correct"] == [0]
    assert closed["you_were_right"] is False


def test_results_take_one_query(django_assert_num_queries):
    _, _, poll = busy_room(5)
    poll = Poll.objects.select_related("room").get(pk=poll)
    with django_assert_num_queries(1):
        assert compute_results(poll) == (5, {"counts": [3, 2]})


def test_the_last_closed_poll_is_shown_when_none_is_open():
    klass = make_class(1)
    room = join(klass.session.pk, klass.teacher).room
    assert snapshot(room, klass.teacher, "teacher")["poll"] is None
    spec = {"kind": "true_false", "prompt": "?", "correct": True}
    first = open_poll(room=room, by=klass.teacher, **spec).ack["poll"]
    second = open_poll(room=room, by=klass.teacher, **spec).ack["poll"]
    close_poll(room=room, poll=second)
    state = snapshot(room, klass.teacher, "teacher")
    assert state["poll"]["id"] == second and state["poll"]["status"] == "closed"
    assert first != second
