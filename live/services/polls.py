"""Polls: opening (typed on the spot, from the question bank, or prepared), answering,
results, closing.

Answers are ``classrooms.ClassAnswer`` rows written through
``classrooms.services.participation.record_answer``: once per student and poll, and once per
client key, so a retry finds the first answer. Results are counted from those rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classrooms.services.participation import answers_for, record_answer
from courses.models import Question, QuestionKind
from live.models import LiveRoom, Poll, PollKind, PollSource, PollStatus
from live.services.common import Outcome, Refused, is_id, iso, normalise
from live.services.events import EVERYONE, PROJECTORS, STUDENTS, TEACHERS, Event, make_event
from live.services.prepare import validate_poll
from live.services.rooms import STUDENT, TEACHER, durable, next_seq

CHOICE_KINDS = {PollKind.SINGLE, PollKind.MULTIPLE}
TEXT_KINDS = {PollKind.TEXT, PollKind.WORD_CLOUD}
MAX_TEXT = {PollKind.TEXT: 200, PollKind.WORD_CLOUD: 40}
MIN_SECONDS, MAX_SECONDS = 10, 600
TOP_WORDS = 50
BANK_KINDS = {
    QuestionKind.SINGLE: PollKind.SINGLE,
    QuestionKind.MULTIPLE: PollKind.MULTIPLE,
    QuestionKind.TRUE_FALSE: PollKind.TRUE_FALSE,
}


def _invalid(message=None) -> Refused:
    return Refused("invalid", message or _("This request is not valid."))


def _not_found() -> Refused:
    return Refused("not_found", _("This poll does not exist in this room."))


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- shapes ----------------------------------------------------------------------------------
def empty_results(poll: Poll) -> dict:
    if poll.kind in CHOICE_KINDS:
        return {"counts": [0] * len(poll.options)}
    if poll.kind == PollKind.TRUE_FALSE:
        return {"counts": [0, 0]}
    return {"words": []}


def compute_results(poll: Poll) -> tuple[int, dict]:
    """(number of answers, results) of ``poll``, in one query: answers grouped by value."""
    rows = (
        answers_for(session=poll.room.session_id, activity=poll.activity)
        .values("value")
        .annotate(n=Count("id"))
        .order_by()
    )
    results = empty_results(poll)
    answered = 0
    words: Counter[str] = Counter()
    for row in rows:
        value, n = row["value"], row["n"]
        answered += n
        if poll.kind == PollKind.SINGLE and _is_int(value) and 0 <= value < len(poll.options):
            results["counts"][value] += n
        elif poll.kind == PollKind.MULTIPLE and isinstance(value, list):
            for index in value:
                if _is_int(index) and 0 <= index < len(poll.options):
                    results["counts"][index] += n
        elif poll.kind == PollKind.TRUE_FALSE and isinstance(value, bool):
            results["counts"][0 if value else 1] += n
        elif poll.kind in TEXT_KINDS and isinstance(value, str):
            words[normalise(value)] += n
    if poll.kind in TEXT_KINDS:
        top = sorted(words.items(), key=lambda item: (-item[1], item[0]))[:TOP_WORDS]
        results["words"] = [[word, n] for word, n in top]
    return answered, results


def is_right(poll: Poll, value) -> bool | None:
    """Whether ``value`` (already valid for the poll's kind) is right; None when the poll
    has no right answer."""
    correct = poll.correct
    if correct is None or (isinstance(correct, list) and not correct):
        return None
    if poll.kind == PollKind.SINGLE:
        return value in correct
    if poll.kind == PollKind.MULTIPLE:
        return sorted(value) == sorted(correct)
    if poll.kind == PollKind.TRUE_FALSE:
        return value is correct
    if poll.kind == PollKind.TEXT:
        return normalise(value) in {normalise(text) for text in correct}
    return None


def poll_frame(
    poll: Poll,
    role: str,
    *,
    answered: int | None = None,
    results: dict | None = None,
    your_answer=None,
) -> dict:
    """The poll as ``state`` and ``poll.opened`` show it to ``role``.

    ``answered`` and ``results`` are shown to teachers and projectors while the poll is open
    and to everyone once it is closed; ``correct`` only once closed; ``your_answer`` and
    ``you_were_right`` only to students.
    """
    closed = poll.status == PollStatus.CLOSED
    shows_results = closed or role != STUDENT
    frame = {
        "id": poll.pk,
        "kind": poll.kind,
        "prompt": poll.prompt,
        "options": list(poll.options or []),
        "status": poll.status,
        "opened_at": iso(poll.opened_at),
        "closes_at": iso(poll.closes_at),
        "answered": answered if shows_results else None,
        "results": results if shows_results else None,
        "correct": poll.correct if closed else None,
    }
    if role == STUDENT:
        frame["your_answer"] = your_answer
        frame["you_were_right"] = (
            is_right(poll, your_answer) if closed and your_answer is not None else None
        )
    return frame


# --- validation ------------------------------------------------------------------------------
def clean_value(poll: Poll, value):
    """``value`` as stored for ``poll``'s kind (texts trimmed), or Refused("invalid")."""
    n = len(poll.options or [])
    if poll.kind == PollKind.SINGLE:
        if _is_int(value) and 0 <= value < n:
            return value
    elif poll.kind == PollKind.MULTIPLE:
        if (
            isinstance(value, list)
            and value
            and all(_is_int(i) and 0 <= i < n for i in value)
            and len(set(value)) == len(value)
        ):
            return sorted(value)
    elif poll.kind == PollKind.TRUE_FALSE:
        if isinstance(value, bool):
            return value
    elif poll.kind in TEXT_KINDS and isinstance(value, str):
        text = " ".join(value.split())
        if 1 <= len(text) <= MAX_TEXT[poll.kind]:
            return text
    raise _invalid(_("This answer does not fit the question."))


def _clean_seconds(seconds) -> int | None:
    if seconds is None:
        return None
    if _is_int(seconds) and MIN_SECONDS <= seconds <= MAX_SECONDS:
        return seconds
    raise _invalid(_("A countdown lasts from 10 to 600 seconds."))


def clean_typed(*, kind, prompt, options, correct) -> tuple[str, str, list[str], object]:
    """A poll typed on the spot: (kind, prompt, options, correct), checked by the same rules
    as a prepared poll (``prepare.validate_poll``), or Refused("invalid")."""
    if not isinstance(kind, str) or not isinstance(prompt, str):
        raise _invalid(_("Choose a type of question and write the question."))
    if options is not None and not isinstance(options, list):
        raise _invalid(_("Give the options as a list."))
    try:
        spec = validate_poll(kind=kind, prompt=prompt, options=options, correct=correct)
    except ValidationError as error:
        raise _invalid(" ".join(error.messages)) from error
    return spec.kind, spec.prompt, spec.options, spec.correct


def _from_bank(room: LiveRoom, question_id) -> tuple[str, str, list[str], object, Question]:
    if not is_id(question_id):
        raise _invalid()
    question = (
        Question.objects.filter(pk=question_id, course_id=room.session.offering.course_id)
        .prefetch_related("options")
        .first()
    )
    if question is None:
        raise Refused("not_found", _("This question is not in the course's question bank."))
    kind = BANK_KINDS.get(question.kind)
    if kind is None:
        raise _invalid(
            _("Only single choice, multiple choice and true or false questions can be polls.")
        )
    if kind == PollKind.TRUE_FALSE:
        return kind, question.text, [], question.correct_true, question
    options = list(question.options.all())  # in the bank's order
    correct = [i for i, option in enumerate(options) if option.is_correct] or None
    return kind, question.text, [o.text for o in options], correct, question


# --- writes ----------------------------------------------------------------------------------
def _closed_event(room: LiveRoom, poll: Poll, seq: int) -> Event:
    poll.room = room
    answered, results = compute_results(poll)
    fields = {"poll": poll.pk, "correct": poll.correct, "answered": answered, "results": results}
    return make_event(room, seq, "poll.closed", dict.fromkeys(EVERYONE, fields))


def _opened_event(room: LiveRoom, poll: Poll, seq: int) -> Event:
    results = empty_results(poll)
    staff = poll_frame(poll, TEACHER, answered=0, results=results)
    return make_event(
        room,
        seq,
        "poll.opened",
        {
            STUDENTS: {"poll": poll_frame(poll, STUDENT)},
            PROJECTORS: {"poll": staff},
            TEACHERS: {"poll": staff},
        },
    )


def open_poll(
    *,
    room: LiveRoom,
    by,
    poll: int | None = None,
    question: int | None = None,
    kind: str | None = None,
    prompt: str | None = None,
    options: list | None = None,
    correct=None,
    seconds: int | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Open a prepared poll (``poll``), a bank question of the course (``question``), or a
    poll typed on the spot (``kind``, ``prompt``, ``options``, ``correct``), with an
    optional countdown of ``seconds``. An open poll is closed first (its ``poll.closed``
    comes before ``poll.opened``). Atomic; for the room's teachers (the caller checks).
    """
    now = now or timezone.now()
    seconds = _clean_seconds(seconds)
    if poll is not None:
        if not is_id(poll):
            raise _invalid()
        spec = None
    elif question is not None:
        spec = _from_bank(room, question)
    else:
        spec = (*clean_typed(kind=kind, prompt=prompt, options=options, correct=correct), None)
    closes_at = now + timedelta(seconds=seconds) if seconds else None
    events = []
    with durable():
        seq = next_seq(room.pk)  # locks the room: one opening at a time
        if spec is None:  # the draft is locked too: an edit of it waits, or went first
            target = Poll.objects.select_for_update().filter(pk=poll, room_id=room.pk).first()
            if target is None:
                raise _not_found()
            if target.status != PollStatus.DRAFT:
                raise _invalid(_("This poll has already been used."))
        current = Poll.objects.filter(room_id=room.pk, status=PollStatus.OPEN).first()
        if current is not None:
            current.status, current.closed_at = PollStatus.CLOSED, now
            current.save(update_fields=["status", "closed_at"])
            events.append(_closed_event(room, current, seq))
            seq = next_seq(room.pk)
        if spec is None:
            target.status, target.opened_at, target.closes_at = PollStatus.OPEN, now, closes_at
            target.save(update_fields=["status", "opened_at", "closes_at"])
        else:
            kind_, prompt_, options_, correct_, bank_question = spec
            target = Poll.objects.create(
                room=room,
                kind=kind_,
                prompt=prompt_,
                options=options_,
                correct=correct_,
                source=PollSource.BANK if bank_question else PollSource.TYPED,
                question=bank_question,
                status=PollStatus.OPEN,
                created_by=by,
                opened_at=now,
                closes_at=closes_at,
            )
        events.append(_opened_event(room, target, seq))
    return Outcome(ack={"poll": target.pk}, events=events)


def _share_lock_open(poll_id: int) -> bool:
    """PostgreSQL: hold a shared lock on the poll while it is open, so that closing (which
    updates the row) waits for answers in flight and counts them. SQLite transactions are
    already serial (BEGIN IMMEDIATE)."""
    if connection.vendor != "postgresql":
        return True
    table = connection.ops.quote_name(Poll._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE id = %s AND status = %s FOR SHARE",  # noqa: S608 (a model's table)
            [poll_id, PollStatus.OPEN],
        )
        return cursor.fetchone() is not None


@dataclass(frozen=True)
class Answer:
    """A student's answer as the consumer received it; ``at`` is when it arrived, so an
    answer that came in before the countdown's end counts even if it is written after."""

    room: LiveRoom
    student: object
    poll: object
    key: object
    value: object
    at: datetime


def answer_poll(
    *, room: LiveRoom, student, poll: int, key: str, value, now: datetime | None = None
) -> Outcome:
    """Record ``student``'s answer to ``poll`` once (``answer_polls`` for one answer).

    Refused: unknown poll (not_found), a value that does not fit (invalid), a poll that is
    not open or whose countdown has ended (poll_closed). A retry with the same key, or a
    second answer to the same poll, is acknowledged with ``duplicate: true`` and the first
    answer stands, even once the poll is closed. Returns after the commit. For the room's
    students (the caller checks). Results are broadcast separately (``publish_results``).
    """
    answer = Answer(room, student, poll, key, value, now or timezone.now())
    [result] = answer_polls([answer])
    if isinstance(result, Exception):
        raise result
    return result


def answer_polls(answers: Sequence[Answer]) -> list[Outcome | Exception]:
    """Record many answers in one transaction: group commit for a burst of answers.

    Returns, in order, each answer's ``Outcome`` (as ``answer_poll`` acknowledges it) or
    what refused it: a ``Refused``, or an unexpected error. Each answer runs in its own
    savepoint, so a refused or failed answer changes nothing and the others still count.
    Returns after the commit; if the commit fails, it raises and nothing was written.

    An answer counts if it arrived (``Answer.at``) while the poll took answers: after it
    opened, before its countdown ended and before it was closed, even if it is written after
    the close. The results were revealed by then, so the poll's ``poll.closed`` is sent again
    with the new figures (a numbered event on the last such answer's outcome).
    """
    results: list[Outcome | Exception | None] = [None] * len(answers)
    todo = []
    for i, answer in enumerate(answers):
        if not isinstance(answer.key, str) or not 8 <= len(answer.key) <= 64:
            results[i] = _invalid(_("An answer needs a key of 8 to 64 characters."))
        elif not is_id(answer.poll):
            results[i] = _invalid()
        else:
            todo.append(i)
    if not todo:
        return results
    with durable():
        polls = Poll.objects.in_bulk({answers[i].poll for i in todo})
        still_open: dict[int, bool] = {}  # poll id -> open, share-locked until the commit
        after_close: dict[int, int] = {}  # poll id -> the last answer written after its close
        for i in todo:
            try:
                with transaction.atomic():
                    outcome = _record(answers[i], polls, still_open)
            except Exception as error:  # handed to the caller with its answer
                results[i] = error
                continue
            results[i] = outcome
            if not outcome.ack["duplicate"] and not still_open[outcome.ack["poll"]]:
                after_close[outcome.ack["poll"]] = i
        for poll_id, i in after_close.items():
            room = answers[i].room
            results[i].events.append(_closed_event(room, polls[poll_id], next_seq(room.pk)))
    return results


def _answering_ended(poll: Poll) -> datetime | None:
    """When the poll stopped taking answers (its countdown's end or its close, whichever
    came first), or None while it takes them."""
    ends = [when for when in (poll.closes_at, poll.closed_at) if when is not None]
    return min(ends) if ends else None


def _record(answer: Answer, polls: dict[int, Poll], still_open: dict[int, bool]) -> Outcome:
    room, student, key = answer.room, answer.student, answer.key
    target = polls.get(answer.poll)
    if target is None or target.room_id != room.pk or target.status == PollStatus.DRAFT:
        raise _not_found()
    value = clean_value(target, answer.value)
    if target.pk not in still_open:
        is_open = target.status == PollStatus.OPEN and _share_lock_open(target.pk)
        if not is_open and target.status == PollStatus.OPEN:  # closed since it was read
            target.refresh_from_db(fields=["status", "closed_at"])
        still_open[target.pk] = is_open
    ended = _answering_ended(target)
    opened = target.opened_at is None or target.opened_at <= answer.at
    in_time = opened and (ended is None or answer.at < ended)
    if not in_time:
        earlier = answers_for(session=room.session_id, activity=target.activity).filter(
            student=student
        )
        if earlier.exists():
            return Outcome(ack={"poll": target.pk, "key": key, "duplicate": True})
        raise Refused("poll_closed", _("This poll is closed."))
    recorded = record_answer(
        session=room.session_id,
        student=student,
        activity=target.activity,
        key=key,
        value=value,
        correct=is_right(target, value),
        at=answer.at,
    )
    if not recorded.created and recorded.answer.activity != target.activity:
        raise _invalid(_("This key was already used for another answer."))
    return Outcome(ack={"poll": target.pk, "key": key, "duplicate": not recorded.created})


def close_poll(
    *, room: LiveRoom, poll: int, now: datetime | None = None, only_if_expired: bool = False
) -> Outcome:
    """Close ``poll`` and reveal its correct answer and results (``poll.closed``).

    Closing a closed poll changes nothing and is acknowledged. With ``only_if_expired`` it
    closes only a poll whose countdown has ended (the teacher's console calls this at the
    countdown's end). Atomic; exactly one caller closes a poll. For the room's teachers.
    """
    if not is_id(poll):
        raise _invalid()
    now = now or timezone.now()
    with durable():
        target = Poll.objects.filter(pk=poll, room_id=room.pk).first()
        if target is None or target.status == PollStatus.DRAFT:
            raise _not_found()
        if target.status != PollStatus.OPEN:
            return Outcome(ack={"poll": target.pk})
        if only_if_expired and (target.closes_at is None or now < target.closes_at):
            return Outcome(ack={"poll": target.pk})
        seq = next_seq(room.pk)
        closed = Poll.objects.filter(pk=target.pk, status=PollStatus.OPEN).update(
            status=PollStatus.CLOSED, closed_at=now
        )
        if not closed:  # closed meanwhile by another connection: give the number back
            transaction.set_rollback(True)
            return Outcome(ack={"poll": target.pk})
        target.status, target.closed_at = PollStatus.CLOSED, now
        event = _closed_event(room, target, seq)
    return Outcome(ack={"poll": target.pk}, events=[event])


def publish_results(*, room: LiveRoom, poll: int) -> list[Event]:
    """A numbered ``poll.results`` for teachers and projectors with the results so far, or
    nothing if the poll is no longer open. Called at most 4 times a second per room (the
    consumers coalesce); atomic."""
    with durable():
        target = Poll.objects.filter(pk=poll, room_id=room.pk, status=PollStatus.OPEN).first()
        if target is None:
            return []
        seq = next_seq(room.pk)
        target.room = room
        answered, results = compute_results(target)
    fields = {"poll": target.pk, "answered": answered, "results": results}
    return [make_event(room, seq, "poll.results", {PROJECTORS: fields, TEACHERS: fields})]
