"""The demo's attendance and live classroom: realistic records for the sessions already held,
one session open for check-in now, and its live room with prepared polls.

Idempotent: sessions that already have attendance are left alone, and the open session is
found again by its UID (one per day).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from classrooms.models import (
    Attendance,
    AttendanceStatus,
    CheckInMethod,
    LeaveRequest,
    LeaveStatus,
    Offering,
    Session,
    SessionStatus,
)
from classrooms.services.attendance import mark
from classrooms.services.checkin import open_window
from live.models import LiveRoom, Poll, PollKind, PollSource, PollStatus

OPEN_ROOM = "报告厅 Hall 1"

# Each student's chance of being present, late, absent: most come, a few drift away so the
# teacher's dashboard has someone under the threshold to show.
USUAL = (0.88, 0.08, 0.04)
DRIFTING = (0.55, 0.10, 0.35)


@transaction.atomic
def seed_attendance(
    *, offering: Offering, teacher, students, now: datetime | None = None
) -> Session:
    """Attendance for every session held so far, one approved leave request, and a session
    open for check-in now with a live room and prepared polls. Returns the open session."""
    now = now or timezone.now()
    held = list(
        Session.objects.filter(
            offering=offering, status=SessionStatus.SCHEDULED, ends_at__lte=now
        ).exclude(uid__startswith="demo-open-")
    )
    recorded = set(Attendance.objects.filter(session__in=held).values_list("session_id", flat=True))
    for session in held:
        if session.pk not in recorded:
            _record_session(session, students, teacher)
    open_session = _open_session(offering, teacher, now)
    _prepare_live_room(open_session, teacher)
    return open_session


def _record_session(session: Session, students, teacher) -> None:
    chance = random.Random(session.uid)  # noqa: S311 - demo data, not a secret
    rows = []
    for index, student in enumerate(students):
        present, late, _absent = DRIFTING if index >= len(students) - 2 else USUAL
        roll = chance.random()
        if roll < present:
            status, minutes = AttendanceStatus.PRESENT, chance.randint(-9, 4)
        elif roll < present + late:
            status, minutes = AttendanceStatus.LATE, chance.randint(11, 25)
        else:
            status, minutes = AttendanceStatus.ABSENT, None
        rows.append(
            Attendance(
                session=session,
                student=student,
                status=status,
                method=CheckInMethod.QR if minutes is not None else CheckInMethod.MANUAL,
                checked_in_at=(
                    session.starts_at + timedelta(minutes=minutes) if minutes is not None else None
                ),
                device=f"demo-device-{student.pk}" if minutes is not None else "",
                changed_by=None if minutes is not None else teacher,
            )
        )
    Attendance.objects.bulk_create(rows)
    # One student asked for leave before the class and the teacher approved it.
    excused = students[chance.randrange(len(students))] if students else None
    if excused is not None:
        leave = LeaveRequest.objects.create(
            session=session,
            student=excused,
            reason="发烧，已去校医院 (fever, seen at the campus clinic)",
            status=LeaveStatus.APPROVED,
            decided_by=teacher,
            decided_at=session.starts_at - timedelta(hours=3),
            decision_note="Get well soon.",
        )
        mark(
            session=session,
            student=excused,
            status=AttendanceStatus.EXCUSED,
            by=teacher,
            reason="leave approved",
            now=leave.decided_at,
        )


def _open_session(offering: Offering, teacher, now: datetime) -> Session:
    """Today's demo session, started five minutes before the first run of the day; its
    check-in is opened by hand, so it can be tried at any time of that day."""
    today = timezone.localdate(now)
    starts = now.replace(second=0, microsecond=0) - timedelta(minutes=5)
    session, _ = Session.objects.get_or_create(
        uid=f"demo-open-{today.isoformat()}@rongke",
        defaults={
            "offering": offering,
            "week": offering.term.week_of(today) or 1,
            "date": today,
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=95),
            "room": OPEN_ROOM,
            "class_hours": 2,
            "moved": True,  # hand-made: the scheduler leaves it alone
        },
    )
    open_window(session, by=teacher, now=now)
    return session


def _prepare_live_room(session: Session, teacher) -> None:
    room, _ = LiveRoom.objects.get_or_create(session=session)
    if room.polls.exists():
        return
    Poll.objects.bulk_create(
        [
            Poll(
                room=room,
                kind=PollKind.SINGLE,
                prompt="哈希表按键查找的平均时间复杂度是？ Average lookup time in a hash table?",
                options=["O(n)", "O(log n)", "O(1)", "O(n log n)"],
                correct=[2],
                source=PollSource.PREPARED,
                status=PollStatus.DRAFT,
                position=1,
                created_by=teacher,
            ),
            Poll(
                room=room,
                kind=PollKind.WORD_CLOUD,
                prompt="用一个词描述今天的内容 One word for today's topic",
                source=PollSource.PREPARED,
                status=PollStatus.DRAFT,
                position=2,
                created_by=teacher,
            ),
        ]
    )
