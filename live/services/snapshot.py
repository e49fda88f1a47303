"""The ``state`` frame: the whole room as one role sees it, read from the database.

``seq`` is read first, in the same query as the session: every event numbered up to it is
committed (numbers are taken under the room's row lock, in the writing transaction), so the
state includes at least those events. It may include a few later ones too; events carry ids
and absolute values, so applying them again changes nothing. The number of queries does not
grow with the class.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Value, When
from django.utils import timezone

from classrooms.services.participation import answers_for
from live.models import (
    Comment,
    HandRaise,
    LiveRoom,
    Mute,
    Poll,
    PollStatus,
    QuestionVote,
    RandomCall,
    RoomQuestion,
)
from live.services.calls import call_frame
from live.services.checkin import (
    attendee_frame,
    attendees,
    count_and_mine,
    enrolled_count,
    is_open,
)
from live.services.common import iso, person
from live.services.feed import comment_frame, question_frame
from live.services.polls import compute_results, poll_frame
from live.services.rooms import STUDENT, TEACHER, Joined, join

RECENT_COMMENTS = 50
RECENT_CALLS = 10
MAX_QUESTIONS = 100


def current_poll(room: LiveRoom) -> Poll | None:
    """The open poll, else the last one closed, else None."""
    return (
        Poll.objects.filter(room_id=room.pk, status__in=[PollStatus.OPEN, PollStatus.CLOSED])
        .order_by(
            Case(
                When(status=PollStatus.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            F("closed_at").desc(nulls_last=True),
            "-id",
        )
        .first()
    )


def snapshot(room: LiveRoom, user, role: str, *, now: datetime | None = None) -> dict:
    """The ``state`` frame of docs/live-protocol.md for ``user`` in ``role``. Read only."""
    now = now or timezone.now()
    room = LiveRoom.objects.select_related(
        "session__offering__course",
        "session__checkin",
        "session__offering__attendance_policy",
    ).get(pk=room.pk)
    session = room.session
    teacher, student = role == TEACHER, role == STUDENT
    signed = teacher

    state: dict = {
        "type": "state",
        "seq": room.seq,
        "role": role,
        "session": {
            "id": session.pk,
            "course": session.offering.course.title,
            "section": session.offering.section,
            "starts_at": iso(session.starts_at),
            "ends_at": iso(session.ends_at),
            "room": session.room,
        },
    }

    checkin = {
        "open": is_open(session, now),
        "enrolled": enrolled_count(session),
    }
    if student:
        checkin["count"], checked_in = count_and_mine(session, user)
    else:
        listed = [attendee_frame(a) for a in attendees(session)]
        checkin["count"] = len(listed)
        checkin["students"] = listed
    state["checkin"] = checkin

    poll = current_poll(room)
    if poll is None:
        state["poll"] = None
    else:
        poll.room = room
        answered = results = None
        if poll.status == PollStatus.CLOSED or not student:
            answered, results = compute_results(poll)
        your_answer = None
        if student:
            your_answer = (
                answers_for(session=session, activity=poll.activity)
                .filter(student=user)
                .values_list("value", flat=True)
                .first()
            )
        state["poll"] = poll_frame(
            poll, role, answered=answered, results=results, your_answer=your_answer
        )

    if teacher:
        state["prepared"] = [
            {"id": p.pk, "kind": p.kind, "prompt": p.prompt}
            for p in Poll.objects.filter(room_id=room.pk, status=PollStatus.DRAFT).order_by(
                "position", "id"
            )
        ]

    comments = Comment.objects.filter(room_id=room.pk).order_by("-created_at", "-id")
    if signed:
        comments = comments.select_related("student")
    else:
        comments = comments.filter(hidden_at__isnull=True)
    state["comments"] = [
        comment_frame(c, for_teacher=signed) for c in list(comments[:RECENT_COMMENTS])[::-1]
    ]

    questions = RoomQuestion.objects.filter(room_id=room.pk, hidden_at__isnull=True).annotate(
        n_votes=Count("votes")
    )
    if signed:
        questions = questions.select_related("student")
    if student:
        questions = questions.annotate(
            mine=Exists(QuestionVote.objects.filter(question=OuterRef("pk"), student=user))
        )
    questions = questions.order_by("-n_votes", "created_at", "id")[:MAX_QUESTIONS]
    state["questions"] = [
        question_frame(
            q, votes=q.n_votes, voted=bool(getattr(q, "mine", False)), for_teacher=signed
        )
        for q in questions
    ]

    raised = HandRaise.objects.filter(room_id=room.pk, lowered_at__isnull=True)
    if teacher:
        state["hands"] = [
            {"student": person(h.student), "at": iso(h.raised_at)}
            for h in raised.select_related("student").order_by("raised_at", "student_id")
        ]

    calls = (
        RandomCall.objects.filter(room_id=room.pk)
        .select_related("student")
        .order_by("-called_at", "-id")[:RECENT_CALLS]
    )
    state["calls"] = [call_frame(c) for c in list(calls)[::-1]]

    mutes = Mute.objects.filter(room_id=room.pk)
    if teacher:
        state["muted"] = sorted(mutes.values_list("student_id", flat=True))
    if student:
        state["me"] = {
            "id": user.pk,
            "name": user.display_name,
            "checked_in": checked_in,
            "hand": raised.filter(student=user).exists(),
            "muted": mutes.filter(student=user).exists(),
        }
    return state


# --- entering the room -----------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """A screen asking to enter the room of session ``session_id``."""

    session_id: int
    user: object
    view: str | None = None


def enter(entry: Entry) -> tuple[Joined, dict] | tuple[int, None]:
    """``join`` then the first ``snapshot``: (Joined, state), or (close code, None)."""
    joined = join(entry.session_id, entry.user, view=entry.view)
    if isinstance(joined, int):
        return joined, None
    return joined, snapshot(joined.room, entry.user, joined.role)
