"""Receivers connecting ``classrooms``' signals to the live room (``LiveConfig.ready``)."""

from __future__ import annotations

import logging

from live.services.checkin import announce_attendance, announce_checkin
from live.services.events import broadcast_from_sync

logger = logging.getLogger(__name__)


def announce_checked_in(sender, attendance, **kwargs) -> None:
    """A check-in made anywhere (over HTTP too) reaches the room's wall as a ``checkin``
    event. The check-in is committed already: a failure here is logged, never raised."""
    try:
        broadcast_from_sync(announce_checkin(attendance))
    except Exception:
        logger.exception("announcing the check-in %s to its live room failed", attendance.pk)


def announce_marked(sender, attendances, **kwargs) -> None:
    """Statuses a teacher set by hand reach the room's wall (on or off it) as ``checkin``
    events. Committed already: a failure here is logged, never raised."""
    try:
        broadcast_from_sync(announce_attendance(attendances))
    except Exception:
        logger.exception("announcing %s marked statuses to the live room failed", len(attendances))
