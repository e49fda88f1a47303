"""Builders for attendance: records, leave requests, a session open for check-in now."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from classrooms.models import Attendance, LeaveRequest, Session


def make_session_now(offering, *, minutes_from_start: int = 0, room="A101", **fields) -> Session:
    """A 90-minute session that started ``minutes_from_start`` minutes ago (negative: starts
    in the future), so its check-in window is open by default."""
    from tests.factories.classrooms import _counter

    now = timezone.now().replace(microsecond=0)
    starts = now - timedelta(minutes=minutes_from_start)
    day = timezone.localdate(starts)
    return Session.objects.create(
        offering=offering,
        week=fields.pop("week", offering.term.week_of(day) or 1),
        date=day,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=90),
        room=room,
        class_hours=2,
        uid=fields.pop("uid", f"test-now-{next(_counter)}@rongke"),
        **fields,
    )


def make_attendance(session, student, *, status="present", method="qr", **fields) -> Attendance:
    return Attendance.objects.create(
        session=session,
        student=student,
        status=status,
        method=method,
        checked_in_at=fields.pop("checked_in_at", session.starts_at),
        **fields,
    )


def make_leave_request(session, student, *, reason="Ill with a fever.", **fields) -> LeaveRequest:
    return LeaveRequest.objects.create(session=session, student=student, reason=reason, **fields)
