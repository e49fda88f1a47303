"""What students send besides answers: bullet comments, questions and votes, raised hands;
and the teacher's moderation: hiding comments, muting students, marking questions answered,
lowering hands.

Comments are anonymous to students and the projector and signed for teachers. Comments and
questions share one rate limit per student (5 within 10 s, counted in the cache, so across
processes with Redis).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classrooms.models import Enrolment
from live.models import Comment, HandRaise, LiveRoom, Mute, QuestionVote, RoomQuestion
from live.services.common import Outcome, Refused, is_id, iso, person
from live.services.events import EVERYONE, PROJECTORS, STUDENTS, TEACHERS, make_event
from live.services.rooms import durable, next_seq

MAX_COMMENT = 100
MAX_QUESTION = 300
RATE_LIMIT = 5  # comments and questions ...
RATE_WINDOW = 10  # ... within this many seconds


def _clean_text(text, limit: int) -> str:
    if isinstance(text, str):
        text = " ".join(text.split())
        if 1 <= len(text) <= limit:
            return text
    raise Refused("invalid", _("Write from 1 to %(limit)s characters.") % {"limit": limit})


def _student_in_room(room: LiveRoom, student_id):
    """The actively enrolled student ``student_id`` of the room's offering, or not_found."""
    if is_id(student_id):
        enrolment = (
            Enrolment.objects.active()
            .select_related("student")
            .filter(offering_id=room.session.offering_id, student_id=student_id)
            .first()
        )
        if enrolment is not None:
            return enrolment.student
    raise Refused("not_found", _("This student is not in this class."))


def is_muted(room: LiveRoom, student) -> bool:
    return Mute.objects.filter(room_id=room.pk, student=student).exists()


def _check_may_post(room: LiveRoom, student, clock: Callable[[], float]) -> None:
    """Refuse a muted student, or one over the rate limit (which this post then counts in)."""
    if is_muted(room, student):
        raise Refused("muted", _("The teacher has muted you in this class."))
    key = f"live:{room.pk}:rate:{student.pk}"
    now = clock()
    recent = [t for t in cache.get(key, []) if t > now - RATE_WINDOW]
    if len(recent) >= RATE_LIMIT:
        raise Refused("rate_limited", _("Slow down: at most 5 messages in 10 seconds."))
    cache.set(key, [*recent, now], RATE_WINDOW)


# --- comments --------------------------------------------------------------------------------
def comment_frame(comment: Comment, *, for_teacher: bool) -> dict:
    frame = {
        "id": comment.pk,
        "text": comment.text,
        "at": iso(comment.created_at),
        "hidden": comment.hidden_at is not None,
    }
    if for_teacher:
        frame["student"] = person(comment.student)
    return frame


def post_comment(
    *,
    room: LiveRoom,
    student,
    text,
    now: datetime | None = None,
    clock: Callable[[], float] = time.time,
) -> Outcome:
    """Post a bullet comment (1-100 characters). Refused when muted or over the rate limit.
    Atomic; for the room's students."""
    text = _clean_text(text, MAX_COMMENT)
    _check_may_post(room, student, clock)
    with durable():
        seq = next_seq(room.pk)
        comment = Comment.objects.create(
            room=room, student=student, text=text, created_at=now or timezone.now()
        )
    anonymous = {"comment": comment_frame(comment, for_teacher=False)}
    event = make_event(
        room,
        seq,
        "comment",
        {
            STUDENTS: anonymous,
            PROJECTORS: anonymous,
            TEACHERS: {"comment": comment_frame(comment, for_teacher=True)},
        },
    )
    return Outcome(ack={"comment": comment.pk}, events=[event])


def hide_comment(*, room: LiveRoom, by, comment, now: datetime | None = None) -> Outcome:
    """Hide a comment from students and the projector (teachers still see it, marked).
    Hiding it again changes nothing. Atomic; for the room's teachers."""
    if not is_id(comment):
        raise Refused("invalid", _("Name a comment."))
    with durable():
        seq = next_seq(room.pk)
        hidden = Comment.objects.filter(pk=comment, room_id=room.pk, hidden_at__isnull=True).update(
            hidden_at=now or timezone.now(), hidden_by=by
        )
        if not hidden:
            if not Comment.objects.filter(pk=comment, room_id=room.pk).exists():
                raise Refused("not_found", _("This comment does not exist in this room."))
            transaction.set_rollback(True)  # hidden already: give the number back
            return Outcome(ack={"comment": comment})
    event = make_event(room, seq, "comment.hidden", {a: {"comment": comment} for a in EVERYONE})
    return Outcome(ack={"comment": comment}, events=[event])


# --- questions -------------------------------------------------------------------------------
def question_frame(question: RoomQuestion, *, votes: int, voted: bool, for_teacher: bool) -> dict:
    frame = {
        "id": question.pk,
        "text": question.text,
        "votes": votes,
        "voted": voted,
        "answered": question.answered_at is not None,
        "at": iso(question.created_at),
    }
    if for_teacher:
        frame["student"] = person(question.student)
    return frame


def ask_question(
    *,
    room: LiveRoom,
    student,
    text,
    now: datetime | None = None,
    clock: Callable[[], float] = time.time,
) -> Outcome:
    """Ask a question (1-300 characters) for the Q&A. Refused when muted or over the rate
    limit (shared with comments). Atomic; for the room's students."""
    text = _clean_text(text, MAX_QUESTION)
    _check_may_post(room, student, clock)
    with durable():
        seq = next_seq(room.pk)
        question = RoomQuestion.objects.create(
            room=room, student=student, text=text, created_at=now or timezone.now()
        )
    anonymous = {"question": question_frame(question, votes=0, voted=False, for_teacher=False)}
    signed = {"question": question_frame(question, votes=0, voted=False, for_teacher=True)}
    event = make_event(
        room,
        seq,
        "question",
        {STUDENTS: anonymous, PROJECTORS: anonymous, TEACHERS: signed},
    )
    return Outcome(ack={"question": question.pk}, events=[event])


def _visible_question(room: LiveRoom, question) -> RoomQuestion:
    if is_id(question):
        found = RoomQuestion.objects.filter(
            pk=question, room_id=room.pk, hidden_at__isnull=True
        ).first()
        if found is not None:
            return found
    raise Refused("not_found", _("This question does not exist in this room."))


def vote(*, room: LiveRoom, student, question, now: datetime | None = None) -> Outcome:
    """Up-vote a question, once per student: a second vote is acknowledged as a duplicate
    and changes nothing. Atomic; for the room's students."""
    target = _visible_question(room, question)
    with durable():
        seq = next_seq(room.pk)
        try:
            with transaction.atomic():
                QuestionVote.objects.create(
                    question=target, student=student, voted_at=now or timezone.now()
                )
        except IntegrityError:
            transaction.set_rollback(True)
            return Outcome(ack={"question": target.pk, "duplicate": True})
        votes = QuestionVote.objects.filter(question=target).count()
    fields = {"question": target.pk, "votes": votes}
    event = make_event(
        room,
        seq,
        "question.votes",
        dict.fromkeys(EVERYONE, fields),
        personal={student.pk: {**fields, "voted": True}},
    )
    return Outcome(ack={"question": target.pk, "duplicate": False}, events=[event])


def mark_answered(*, room: LiveRoom, by, question, now: datetime | None = None) -> Outcome:
    """Mark a question answered (once; again changes nothing). Atomic; for teachers."""
    target = _visible_question(room, question)
    with durable():
        seq = next_seq(room.pk)
        done = RoomQuestion.objects.filter(pk=target.pk, answered_at__isnull=True).update(
            answered_at=now or timezone.now()
        )
        if not done:
            transaction.set_rollback(True)
            return Outcome(ack={"question": target.pk})
    event = make_event(
        room, seq, "question.answered", {a: {"question": target.pk} for a in EVERYONE}
    )
    return Outcome(ack={"question": target.pk}, events=[event])


# --- hands -----------------------------------------------------------------------------------
def _hand_event(room: LiveRoom, seq: int, student, raised: bool, at: datetime | None):
    return make_event(
        room,
        seq,
        "hand",
        {TEACHERS: {"student": person(student), "raised": raised, "at": iso(at)}},
        personal={student.pk: {"raised": raised}},
    )


def set_hand(*, room: LiveRoom, student, raised, now: datetime | None = None) -> Outcome:
    """Raise or lower the student's own hand (one raised hand at a time, by a unique
    constraint); raising a raised hand or lowering a lowered one changes nothing. Atomic;
    for the room's students."""
    if not isinstance(raised, bool):
        raise Refused("invalid", _("Say whether the hand is raised."))
    return _set_hand(room, student, raised, now or timezone.now())


def lower_hand(*, room: LiveRoom, by, student, now: datetime | None = None) -> Outcome:
    """The teacher lowers a student's hand. Atomic; for the room's teachers."""
    target = _student_in_room(room, student)
    return _set_hand(room, target, False, now or timezone.now())


def _set_hand(room: LiveRoom, student, raised: bool, now: datetime) -> Outcome:
    with durable():
        seq = next_seq(room.pk)
        if raised:
            try:
                with transaction.atomic():
                    HandRaise.objects.create(room=room, student=student, raised_at=now)
                changed = True
            except IntegrityError:
                changed = False
        else:
            changed = bool(
                HandRaise.objects.filter(
                    room_id=room.pk, student=student, lowered_at__isnull=True
                ).update(lowered_at=now)
            )
        if not changed:
            transaction.set_rollback(True)
            return Outcome(ack={"raised": raised})
    event = _hand_event(room, seq, student, raised, now if raised else None)
    return Outcome(ack={"raised": raised}, events=[event])


# --- mutes -----------------------------------------------------------------------------------
def set_muted(*, room: LiveRoom, by, student, muted, now: datetime | None = None) -> Outcome:
    """Mute or unmute a student of the class in this room: a muted student's comments and
    questions are refused. No change, no event. Atomic; for the room's teachers."""
    if not isinstance(muted, bool):
        raise Refused("invalid", _("Say whether the student is muted."))
    target = _student_in_room(room, student)
    with durable():
        seq = next_seq(room.pk)
        if muted:
            _mute, changed = Mute.objects.get_or_create(
                room=room,
                student=target,
                defaults={"muted_by": by, "muted_at": now or timezone.now()},
            )
        else:
            changed = bool(Mute.objects.filter(room_id=room.pk, student=target).delete()[0])
        if not changed:
            transaction.set_rollback(True)
            return Outcome(ack={"student": target.pk, "muted": muted})
    event = make_event(
        room,
        seq,
        "mute",
        {TEACHERS: {"student": target.pk, "muted": muted}},
        personal={target.pk: {"muted": muted}},
    )
    return Outcome(ack={"student": target.pk, "muted": muted}, events=[event])
