"""The check-in wall: who has checked in, the teacher opening and closing check-in by hand,
and check-ins made elsewhere (over HTTP) announced to the room."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.utils import timezone

from classrooms.models import Attendance, AttendanceStatus, Enrolment, Session
from classrooms.services import checkin as classroom_checkin
from live.models import LiveRoom
from live.services.common import Outcome, Refused, iso, person
from live.services.events import EVERYONE, PROJECTORS, STUDENTS, TEACHERS, Event, make_event
from live.services.rooms import durable, next_seq

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


def attendee_frame(attendance: Attendance) -> dict:
    return {
        **person(attendance.student),
        "status": attendance.status,
        "at": iso(attendance.checked_in_at),
    }


def enrolled_count(session: Session) -> int:
    return Enrolment.objects.active().filter(offering_id=session.offering_id).count()


def attendees(session: Session):
    """Attendance rows of students checked in (present or late), in check-in order (then by
    student id; rows without a time, marked by hand, first)."""
    return (
        Attendance.objects.filter(session=session, status__in=ATTENDED)
        .select_related("student")
        .order_by(F("checked_in_at").asc(nulls_first=True), "student_id")
    )


def count_and_mine(session: Session, user) -> tuple[int, bool]:
    """(students checked in, whether ``user`` is one of them): one query."""
    row = Attendance.objects.filter(session=session, status__in=ATTENDED).aggregate(
        count=Count("id"), mine=Count("id", filter=Q(student=user))
    )
    return row["count"], bool(row["mine"])


def is_open(session: Session, now: datetime | None = None) -> bool:
    """Does the session take check-ins now (the clock, and the teacher's hand)?"""
    return classroom_checkin.window_state(session, now or timezone.now()).open


def set_window(*, room: LiveRoom, by, open: bool, now: datetime | None = None) -> Outcome:
    """Open or close check-in by hand (``classrooms.services.checkin``) and tell the room
    whether check-in is now open. Refused (invalid) for a session on another day. Atomic;
    for the room's teachers."""
    now = now or timezone.now()
    session = room.session
    change = classroom_checkin.open_checkin if open else classroom_checkin.close_checkin
    with durable():
        seq = next_seq(room.pk)
        try:
            window = change(session=session, by=by, now=now)
        except ValidationError as error:
            raise Refused("invalid", " ".join(error.messages)) from error
        session.checkin = window
        is_open = classroom_checkin.window_state(session, now, window=window).open
    event = make_event(room, seq, "checkin.window", {a: {"open": is_open} for a in EVERYONE})
    return Outcome(ack={"open": is_open}, events=[event])


def announce_checkin(attendance: Attendance) -> list[Event]:
    """:func:`announce_attendance` of one row (a student who has just checked in)."""
    return announce_attendance([attendance])


def announce_attendance(attendances: list[Attendance]) -> list[Event]:
    """One numbered ``checkin`` event per row of one session whose status has just been set
    (a check-in, or a teacher's mark): present or late puts the student on the wall, excused
    or absent takes them off it; totals are the session's after all of them. Nothing if the
    session has no live room yet (whoever joins later reads the database). Call after the
    commit. Atomic."""
    if not attendances:
        return []
    session_id = attendances[0].session_id
    room = LiveRoom.objects.select_related("session").filter(session_id=session_id).first()
    if room is None:
        return []
    rows = Attendance.objects.select_related("student").filter(
        pk__in=[a.pk for a in attendances], session_id=session_id
    )
    events = []
    with durable():
        count = Attendance.objects.filter(session_id=session_id, status__in=ATTENDED).count()
        totals = {"count": count, "enrolled": enrolled_count(room.session)}
        for attendance in rows.order_by("pk"):
            signed = {"student": attendee_frame(attendance), **totals}
            events.append(
                make_event(
                    room,
                    next_seq(room.pk),
                    "checkin",
                    {STUDENTS: totals, PROJECTORS: signed, TEACHERS: signed},
                    personal={attendance.student_id: signed},
                )
            )
    return events


def code_frame(session: Session, now: datetime | None = None) -> dict:
    """The ``checkin.code`` frame for the projector and the teacher's console: the QR's
    address (relative to the site), the short code, the seconds until both change, and
    whether check-in is open now (it also opens and closes by the clock). Creates the
    session's check-in window on first use; otherwise reads only."""
    now = now or timezone.now()
    current = classroom_checkin.current_code(session, now)
    return {
        "type": "checkin.code",
        "url": current.path,
        "code": current.code,
        "expires_in": current.expires_in,
        "open": is_open(session, now),
    }
