"""The check-in window of a session: when it opens, turns late and closes, and the teacher's
hand overrides.

By the clock, a session's check-in opens ``opens_before_minutes`` before its start, counts as
late ``late_after_minutes`` after the start, and closes at the window's own ``closes_at``, or
``closes_after_minutes`` after the start, or at the session's end. The teacher may open it by
hand (it then stays open until closed by hand) or close it by hand (it stays closed until
opened by hand). A cancelled session never takes check-ins.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from classrooms.models import (
    AttendancePolicy,
    CheckInWindow,
    ManualState,
    Session,
    SessionStatus,
)


@dataclass(frozen=True)
class WindowTimes:
    opens_at: datetime
    late_at: datetime
    closes_at: datetime


def get_window(session: Session) -> CheckInWindow:
    """The session's check-in window, created (with a fresh secret) on first use."""
    try:
        return session.checkin
    except CheckInWindow.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            window = CheckInWindow.objects.create(session=session, secret=secrets.token_hex(32))
    except IntegrityError:  # created meanwhile by another request
        window = CheckInWindow.objects.get(session=session)
    session.checkin = window
    return window


def policy_of(session: Session) -> AttendancePolicy:
    return AttendancePolicy.for_offering(session.offering)


def window_times(
    session: Session, *, window: CheckInWindow | None = None, policy: AttendancePolicy | None = None
) -> WindowTimes:
    """When check-in opens, turns late and closes for ``session`` by the clock."""
    policy = policy or policy_of(session)
    window = window if window is not None else getattr(session, "checkin", None)
    start = session.starts_at
    if window is not None and window.closes_at is not None:
        closes_at = window.closes_at
    elif policy.closes_after_minutes is not None:
        closes_at = start + timedelta(minutes=policy.closes_after_minutes)
    else:
        closes_at = session.ends_at
    return WindowTimes(
        opens_at=start - timedelta(minutes=policy.opens_before_minutes),
        late_at=start + timedelta(minutes=policy.late_after_minutes),
        closes_at=closes_at,
    )


def is_open(
    session: Session,
    now: datetime | None = None,
    *,
    window: CheckInWindow | None = None,
    policy: AttendancePolicy | None = None,
) -> bool:
    """May students check in to ``session`` at ``now``?"""
    if session.status == SessionStatus.CANCELLED:
        return False
    now = now or timezone.now()
    window = window if window is not None else getattr(session, "checkin", None)
    if window is not None and window.manual == ManualState.CLOSED:
        return False
    if window is not None and window.manual == ManualState.OPEN:
        return True
    times = window_times(session, window=window, policy=policy)
    return times.opens_at <= now < times.closes_at


def open_window(session: Session, *, by, now: datetime | None = None) -> CheckInWindow:
    """Open check-in by hand (e.g. early, or again for latecomers)."""
    return _set_manual(session, ManualState.OPEN, by=by, now=now)


def close_window(session: Session, *, by, now: datetime | None = None) -> CheckInWindow:
    """Close check-in by hand; nobody checks in until it is opened again."""
    return _set_manual(session, ManualState.CLOSED, by=by, now=now)


def _set_manual(session: Session, state: str, *, by, now) -> CheckInWindow:
    window = get_window(session)
    window.manual = state
    window.manual_at = now or timezone.now()
    window.manual_by = by
    window.save(update_fields=["manual", "manual_at", "manual_by"])
    return window
