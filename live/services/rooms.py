"""Joining a session's live room, and numbering the room's events."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from classrooms.models import Enrolment, Offering, Session, SessionStatus
from live.models import LiveRoom

TEACHER = "teacher"
PROJECTOR = "projector"
STUDENT = "student"

# Close codes (docs/live-protocol.md, "Close codes").
NOT_LOGGED_IN = 4401
NOT_YOUR_CLASS = 4403
NO_SUCH_SESSION = 4404
SESSION_CANCELLED = 4410


@dataclass(frozen=True)
class Joined:
    room: LiveRoom  # with session, offering and course loaded
    role: str


def role_in(session: Session, user, *, view: str | None = None) -> str | None:
    """The role ``user`` has in the room of ``session``, or None if they may not join."""
    if not user.is_authenticated:
        return None
    teaches = (
        user.is_superuser
        or Offering.objects.filter(pk=session.offering_id).taught_by(user).exists()
    )
    if teaches:
        return PROJECTOR if view == "projector" else TEACHER
    enrolled = (
        Enrolment.objects.active().filter(offering_id=session.offering_id, student=user).exists()
    )
    return STUDENT if enrolled else None


def join(session_id: int, user, *, view: str | None = None) -> Joined | int:
    """The room of session ``session_id`` and ``user``'s role in it, or the close code that
    refuses them (4401, 4403, 4404, 4410).

    The room is created on the first join; concurrent first joins end with one room (unique
    session, ``get_or_create``). Anyone may call it; it decides who gets in.
    """
    if not user.is_authenticated:
        return NOT_LOGGED_IN
    session = Session.objects.select_related("offering__course").filter(pk=session_id).first()
    if session is None:
        return NO_SUCH_SESSION
    if session.status == SessionStatus.CANCELLED:
        return SESSION_CANCELLED
    role = role_in(session, user, view=view)
    if role is None:
        return NOT_YOUR_CLASS
    room, _ = LiveRoom.objects.get_or_create(session=session)
    room.session = session
    return Joined(room=room, role=role)


def next_seq(room_id: int) -> int:
    """Take the room's next event number.

    Call it inside the transaction of the write the event describes: the row stays locked
    until that transaction ends, so numbers are committed in the order they are taken, and a
    snapshot that reads ``seq`` first includes every event up to it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("next_seq() must run in the transaction of the write it numbers.")
    table = connection.ops.quote_name(LiveRoom._meta.db_table)
    with connection.cursor() as cursor:
        # One statement (RETURNING: PostgreSQL, SQLite >= 3.35); the table is the model's.
        sql = f"UPDATE {table} SET seq = seq + 1 WHERE id = %s RETURNING seq"  # noqa: S608
        cursor.execute(sql, [room_id])
        row = cursor.fetchone()
    if row is None:
        raise LiveRoom.DoesNotExist(room_id)
    return row[0]


def durable():
    """The transaction of a room service: never nested, so it has committed when the service
    returns and its events may be broadcast at once."""
    return transaction.atomic(durable=True)
