"""Poll services against the real database: opening in three ways, answering once,
results, closing."""

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone

from classrooms.models import ClassAnswer
from classrooms.services.participation import participation_for_grading
from live.models import Poll, PollStatus
from live.services import answer_poll, close_poll, join, open_poll, publish_results
from live.services import polls as polls_module
from live.services.common import Outcome, Refused
from live.services.polls import Answer, answer_polls, compute_results
from tests.factories.courses import fill_blank, multiple_choice, single_choice, true_false
from tests.live.roomkit import make_class

pytestmark = pytest.mark.django_db


@pytest.fixture
def klass():
    return make_class(3)


@pytest.fixture
def room(klass):
    return join(klass.session.pk, klass.teacher).room


def typed(room, klass, **fields):
    spec = {"kind": "single", "prompt": "Pick one", "options": ["A", "B", "C"], "correct": [1]}
    spec.update(fields)
    return open_poll(room=room, by=klass.teacher, **spec)


def refused(code, call, **kwargs):
    with pytest.raises(Refused) as info:
        call(**kwargs)
    assert info.value.code == code
    return info.value


def test_a_typed_poll_opens_and_numbers_its_event(room, klass):
    outcome = typed(room, klass)
    poll = Poll.objects.get(pk=outcome.ack["poll"])
    assert (poll.status, poll.source, poll.options, poll.correct) == (
        "open",
        "typed",
        ["A", "B", "C"],
        [1],
    )
    [event] = outcome.events
    assert event.seq == 1
    student_poll = event.frames["students"]["poll"]
    assert student_poll["correct"] is None
    assert student_poll["answered"] is None and student_poll["results"] is None
    assert student_poll["your_answer"] is None
    teacher_poll = event.frames["teachers"]["poll"]
    assert teacher_poll["results"] == {"counts": [0, 0, 0]}
    assert "your_answer" not in teacher_poll


def test_opening_a_poll_closes_the_open_one_first(room, klass):
    first = typed(room, klass).ack["poll"]
    outcome = typed(room, klass, kind="true_false", options=None, correct=True)
    assert [e.frames["teachers"]["type"] for e in outcome.events] == ["poll.closed", "poll.opened"]
    assert [e.seq for e in outcome.events] == [2, 3]
    assert Poll.objects.get(pk=first).status == PollStatus.CLOSED
    assert Poll.objects.filter(room=room, status="open").count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "essay"},
        {"prompt": ""},
        {"prompt": "x" * 1001},
        {"options": ["only one"]},
        {"options": ["A", ""]},
        {"options": [str(i) for i in range(11)]},
        {"correct": [3]},
        {"correct": [0, 1]},  # two right answers to a single choice
        {"kind": "true_false", "options": None, "correct": "yes"},
        {"kind": "word_cloud", "options": None, "correct": ["x"]},
        {"seconds": 5},
        {"seconds": 601},
        {"seconds": True},
    ],
)
def test_an_invalid_typed_poll_is_refused_and_nothing_changes(room, klass, fields):
    refused("invalid", typed, room=room, klass=klass, **fields)
    assert Poll.objects.count() == 0
    room.refresh_from_db()
    assert room.seq == 0


def test_a_bank_question_of_the_course_becomes_a_poll(room, klass):
    question = multiple_choice(course=klass.course)
    outcome = open_poll(room=room, by=klass.teacher, question=question.pk)
    poll = Poll.objects.get(pk=outcome.ack["poll"])
    assert (poll.kind, poll.source, poll.question_id) == ("multiple", "bank", question.pk)
    assert poll.options == ["2", "3", "4", "9"] and poll.correct == [0, 1]
    statement = true_false(course=klass.course, answer=False)
    poll = Poll.objects.get(
        pk=open_poll(room=room, by=klass.teacher, question=statement.pk).ack["poll"]
    )
    assert (poll.kind, poll.options, poll.correct) == ("true_false", [], False)


def test_bank_questions_of_other_courses_or_kinds_are_refused(room, klass):
    refused("not_found", open_poll, room=room, by=klass.teacher, question=single_choice().pk)
    blank = fill_blank(course=klass.course)
    refused("invalid", open_poll, room=room, by=klass.teacher, question=blank.pk)
    assert Poll.objects.count() == 0


def test_a_prepared_poll_opens_with_a_countdown(room, klass):
    draft = Poll.objects.create(
        room=room, kind="word_cloud", prompt="One word", source="prepared", created_by=klass.teacher
    )
    now = timezone.now()
    outcome = open_poll(room=room, by=klass.teacher, poll=draft.pk, seconds=30, now=now)
    draft.refresh_from_db()
    assert outcome.ack == {"poll": draft.pk}
    assert draft.status == "open" and draft.closes_at == now + timedelta(seconds=30)
    # used once only
    refused("invalid", open_poll, room=room, by=klass.teacher, poll=draft.pk)


def test_an_answer_is_written_once_with_its_correctness(room, klass):
    poll = typed(room, klass).ack["poll"]
    student = klass.students[0]
    first = answer_poll(room=room, student=student, poll=poll, key="key-0001", value=1)
    again = answer_poll(room=room, student=student, poll=poll, key="key-0001", value=1)
    other_key = answer_poll(room=room, student=student, poll=poll, key="key-0002", value=2)
    assert first.ack == {"poll": poll, "key": "key-0001", "duplicate": False}
    assert again.ack["duplicate"] is True and other_key.ack["duplicate"] is True
    answer = ClassAnswer.objects.get()
    assert (answer.value, answer.correct, answer.activity) == (1, True, f"poll:{poll}")
    assert first.events == []  # results are coalesced, not sent per answer
    grading = participation_for_grading(klass.offering)
    assert grading[student.pk][klass.session.pk] == {"answered": 1, "correct": 1}


@pytest.mark.parametrize(
    "kind,options,value",
    [
        ("single", ["A", "B"], 2),
        ("single", ["A", "B"], True),
        ("single", ["A", "B"], "0"),
        ("multiple", ["A", "B"], [0, 0]),
        ("multiple", ["A", "B"], []),
        ("multiple", ["A", "B"], 1),
        ("true_false", None, 1),
        ("text", None, ""),
        ("text", None, "x" * 201),
        ("word_cloud", None, "x" * 41),
        ("word_cloud", None, ["x"]),
    ],
)
def test_an_answer_that_does_not_fit_is_refused(room, klass, kind, options, value):
    poll = typed(room, klass, kind=kind, options=options, correct=None).ack["poll"]
    refused(
        "invalid",
        answer_poll,
        room=room,
        student=klass.students[0],
        poll=poll,
        key="k" * 8,
        value=value,
    )
    assert ClassAnswer.objects.count() == 0


def test_answers_to_closed_expired_or_unknown_polls_are_refused(room, klass):
    student = klass.students[0]
    now = timezone.now()
    poll = typed(room, klass, seconds=10, now=now).ack["poll"]
    refused(
        "poll_closed",
        answer_poll,
        room=room,
        student=student,
        poll=poll,
        key="late-key",
        value=0,
        now=now + timedelta(seconds=11),
    )
    refused(
        "not_found", answer_poll, room=room, student=student, poll=poll + 1, key="k" * 8, value=0
    )
    refused("invalid", answer_poll, room=room, student=student, poll=poll, key="short", value=0)
    assert ClassAnswer.objects.count() == 0
    answer_poll(room=room, student=student, poll=poll, key="in-time-1", value=0, now=now)
    close_poll(room=room, poll=poll)
    refused(
        "poll_closed",
        answer_poll,
        room=room,
        student=klass.students[1],
        poll=poll,
        key="k" * 8,
        value=0,
    )
    # the answer given in time is still acknowledged on retry, as a duplicate
    retry = answer_poll(room=room, student=student, poll=poll, key="in-time-1", value=0)
    assert retry.ack["duplicate"] is True
    assert ClassAnswer.objects.count() == 1


def test_results_count_options_and_normalised_words(room, klass):
    a, b, c = klass.students
    poll = typed(room, klass, kind="multiple", options=["A", "B", "C"], correct=[0, 2]).ack["poll"]
    answer_poll(room=room, student=a, poll=poll, key="a-key-01", value=[0, 2])
    answer_poll(room=room, student=b, poll=poll, key="b-key-01", value=[2, 0])
    answer_poll(room=room, student=c, poll=poll, key="c-key-01", value=[1])
    assert compute_results(Poll.objects.get(pk=poll)) == (3, {"counts": [2, 1, 2]})
    assert ClassAnswer.objects.filter(correct=True).count() == 2
    words = typed(room, klass, kind="word_cloud", options=None, correct=None).ack["poll"]
    for student, text, key in [
        (a, " Stack ", "a-key-02"),
        (b, "stack", "b-key-02"),
        (c, "Queue", "c-key-02"),
    ]:
        answer_poll(room=room, student=student, poll=words, key=key, value=text)
    assert compute_results(Poll.objects.get(pk=words)) == (
        3,
        {"words": [["stack", 2], ["queue", 1]]},
    )


def test_text_answers_are_right_when_they_match_an_accepted_text(room, klass):
    a, b, _ = klass.students
    poll = typed(room, klass, kind="text", options=None, correct=["a stack"]).ack["poll"]
    answer_poll(room=room, student=a, poll=poll, key="a-key-01", value="  A   Stack ")
    answer_poll(room=room, student=b, poll=poll, key="b-key-01", value="a queue")
    assert dict(ClassAnswer.objects.values_list("student_id", "correct")) == {
        a.pk: True,
        b.pk: False,
    }


def test_closing_reveals_results_once(room, klass):
    poll = typed(room, klass).ack["poll"]
    answer_poll(room=room, student=klass.students[0], poll=poll, key="a-key-01", value=1)
    outcome = close_poll(room=room, poll=poll)
    [event] = outcome.events
    for audience in ("students", "projectors", "teachers"):
        assert event.frames[audience] == {
            "type": "poll.closed",
            "seq": 2,
            "poll": poll,
            "correct": [1],
            "answered": 1,
            "results": {"counts": [0, 1, 0]},
        }
    assert close_poll(room=room, poll=poll).events == []
    assert publish_results(room=room, poll=poll) == []
    room.refresh_from_db()
    assert room.seq == 2


def test_only_an_expired_countdown_is_closed_by_the_console(room, klass):
    now = timezone.now()
    poll = typed(room, klass, seconds=10, now=now).ack["poll"]
    assert close_poll(room=room, poll=poll, only_if_expired=True, now=now).events == []
    outcome = close_poll(
        room=room, poll=poll, only_if_expired=True, now=now + timedelta(seconds=10)
    )
    assert len(outcome.events) == 1


def test_published_results_go_to_teachers_and_projectors(room, klass):
    poll = typed(room, klass).ack["poll"]
    answer_poll(room=room, student=klass.students[0], poll=poll, key="a-key-01", value=2)
    [event] = publish_results(room=room, poll=poll)
    assert set(event.frames) == {"teachers", "projectors"}
    assert event.frames["teachers"] == {
        "type": "poll.results",
        "seq": 2,
        "poll": poll,
        "answered": 1,
        "results": {"counts": [0, 0, 1]},
    }


def test_a_batch_of_answers_keeps_each_answer_to_itself(room, klass):
    """Group commit: one transaction for the batch, but each answer is refused, repeated or
    written on its own, as if it had come alone."""
    a, b, c = klass.students
    now = timezone.now()
    poll = typed(room, klass, seconds=10, now=now).ack["poll"]
    late = now + timedelta(seconds=11)
    answers = [
        Answer(room, a, poll, "a-key-001", 1, now),
        Answer(room, a, poll, "a-key-001", 1, now),  # the same answer sent twice
        Answer(room, b, poll, "b-key-001", 7, now),  # does not fit
        Answer(room, b, poll, "b-key-002", 2, now),
        Answer(room, c, poll, "c-key-001", 0, late),  # arrived after the countdown
        Answer(room, c, poll + 99, "c-key-002", 0, now),  # no such poll
        Answer(room, c, poll, "short", 0, now),  # no valid key
    ]
    results = answer_polls(answers)
    assert [r.ack["duplicate"] if isinstance(r, Outcome) else r.code for r in results] == [
        False,
        True,
        "invalid",
        False,
        "poll_closed",
        "not_found",
        "invalid",
    ]
    assert dict(ClassAnswer.objects.values_list("key", "correct")) == {
        "a-key-001": True,
        "b-key-002": False,
    }


def test_an_answer_that_arrived_in_time_counts_when_written_after_the_countdown(room, klass):
    now = timezone.now()
    poll = typed(room, klass, seconds=10, now=now - timedelta(seconds=30)).ack["poll"]
    arrived = now - timedelta(seconds=21)  # one second before the end
    [result] = answer_polls([Answer(room, klass.students[0], poll, "in-time-01", 1, arrived)])
    assert result.ack["duplicate"] is False
    assert ClassAnswer.objects.get().answered_at == arrived


def test_a_failing_answer_in_a_batch_leaves_the_others_written(room, klass, monkeypatch):
    a, b, _ = klass.students
    poll = typed(room, klass).ack["poll"]
    real = polls_module.record_answer

    def flaky(**kwargs):
        if kwargs["student"] == b:
            raise DatabaseError("disk I/O error")
        return real(**kwargs)

    monkeypatch.setattr(polls_module, "record_answer", flaky)
    ok, failed = answer_polls(
        [
            Answer(room, a, poll, "a-key-001", 1, timezone.now()),
            Answer(room, b, poll, "b-key-001", 1, timezone.now()),
        ]
    )
    assert ok.ack == {"poll": poll, "key": "a-key-001", "duplicate": False}
    assert isinstance(failed, DatabaseError)
    assert list(ClassAnswer.objects.values_list("student_id", flat=True)) == [a.pk]


def test_an_answer_received_before_the_close_counts_though_written_after_it(room, klass):
    """The countdown's end closed the poll while an answer sent a second earlier was still
    waiting to be written: it counts, and the poll's figures are revealed again."""
    a, b, c = klass.students
    t0 = timezone.now() - timedelta(seconds=30)
    poll = typed(room, klass, seconds=10, now=t0).ack["poll"]
    answer_poll(room=room, student=a, poll=poll, key="a-key-001", value=0, now=t0)
    first_close = close_poll(room=room, poll=poll, now=t0 + timedelta(seconds=10))
    assert first_close.events[0].frames["teachers"]["answered"] == 1

    late_write = answer_poll(
        room=room, student=b, poll=poll, key="b-key-001", value=1, now=t0 + timedelta(seconds=9)
    )
    assert late_write.ack["duplicate"] is False
    [again] = late_write.events
    assert again.seq > first_close.events[0].seq
    assert again.frames["students"] == {
        "type": "poll.closed",
        "seq": again.seq,
        "poll": poll,
        "correct": [1],
        "answered": 2,
        "results": {"counts": [1, 1, 0]},
    }
    refused(
        "poll_closed",
        answer_poll,
        room=room,
        student=c,
        poll=poll,
        key="c-key-001",
        value=1,
        now=t0 + timedelta(seconds=10),
    )
    assert ClassAnswer.objects.count() == 2


def test_a_poll_closed_by_hand_takes_answers_received_before_the_close_only(room, klass):
    a, b, _ = klass.students
    t0 = timezone.now() - timedelta(seconds=30)
    poll = typed(room, klass, now=t0).ack["poll"]
    close_poll(room=room, poll=poll, now=t0 + timedelta(seconds=5))
    kept = answer_poll(
        room=room, student=a, poll=poll, key="a-key-001", value=1, now=t0 + timedelta(seconds=4)
    )
    assert kept.ack["duplicate"] is False and len(kept.events) == 1
    for arrived in (t0 + timedelta(seconds=6), t0 - timedelta(seconds=1)):
        refused(
            "poll_closed",
            answer_poll,
            room=room,
            student=b,
            poll=poll,
            key="b-key-001",
            value=1,
            now=arrived,
        )
    assert list(ClassAnswer.objects.values_list("student_id", flat=True)) == [a.pk]


def test_a_batch_with_a_poll_id_no_database_holds_keeps_the_other_answers(room, klass):
    a, b, c = klass.students
    poll = typed(room, klass).ack["poll"]
    now = timezone.now()
    results = answer_polls(
        [
            Answer(room, a, poll, "a-key-001", 1, now),
            Answer(room, b, 2**63, "b-key-001", 1, now),
            Answer(room, c, poll, "c-key-001", 0, now),
        ]
    )
    assert [type(r).__name__ for r in results] == ["Outcome", "Refused", "Outcome"]
    assert results[1].code == "invalid"
    assert ClassAnswer.objects.count() == 2
