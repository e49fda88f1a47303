"""Check-in: the window of a session, its rotating codes, and a student's check-in.

The window. By the clock, a session's check-in opens ``opens_before_minutes`` before its
start, counts as late ``late_after_minutes`` after the start, and closes at the window's own
``closes_at``, or ``closes_after_minutes`` after the start, or at the session's end. The
teacher may open it by hand (it then stays open until closed by hand) or close it by hand (it
stays closed until opened by hand). A cancelled session never takes check-ins, and a session
on another day never does either, even if opened by hand.

The codes. Time is cut into steps of ``rotation_seconds``; for each step the projector shows
a QR code of a URL carrying a token, and a 6-digit code beside it. Both are HMAC-SHA256 of
the session and the step under the session's secret (``CheckInWindow.secret``), so they
cannot be computed without the server, and only the current and the previous step are
accepted: a photo of the screen sent to an absent friend stops working within two steps.

Check-in. ``check_in`` records one student at one session, given the time ``at`` the token
was scanned or typed (it decides the window and the lateness). It refuses, changing nothing,
with a reason code and a message in the active language; it never creates a second row nor
changes an existing one. Tokens and codes are checked by ``verify_token`` and
``check_in_with_code`` before it; the views add rate limiting (``is_rate_limited``,
``note_refusal``) and the device cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import math
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from classrooms import signals
from classrooms.models import (
    Attendance,
    AttendanceChange,
    AttendanceFlag,
    AttendancePolicy,
    AttendanceStatus,
    CheckInMethod,
    CheckInWindow,
    Enrolment,
    ManualState,
    Room,
    Session,
    SessionStatus,
    SharedDevice,
)

TOKEN_LENGTH = 16  # characters of URL-safe base64: 96 bits of the HMAC
CODE_DIGITS = 6
# A typed code that matches one of this many minutes of older steps is "expired", not garbage.
EXPIRED_LOOKBACK = timedelta(minutes=10)
# A scan completes after logging in if the login takes at most this long.
SCAN_MAX_AGE = timedelta(minutes=10)
# More than this many refused attempts within RATE_WINDOW seconds: refuse before verifying.
RATE_LIMIT = 10
RATE_WINDOW = 60
SELF_CHECK_IN_METHODS = {CheckInMethod.QR, CheckInMethod.CODE, CheckInMethod.LOCATION}

_TOKEN_RE = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")
_CODE_RE = re.compile(rf"\d{{{CODE_DIGITS}}}")


def _now() -> datetime:
    """The current time. Every default ``now`` of this module comes from here, so tests move
    the clock by patching this one function."""
    return timezone.now()


# --- the window ----------------------------------------------------------------------------
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
    """May students check in to ``session`` at ``now``? The same rule as ``check_in``
    (``window_state``): the clock, the teacher's hand, and only on the session's own day."""
    return window_state(session, now, window=window, policy=policy).open


class WindowReason(StrEnum):
    OPEN = "open"  # open by the clock
    OPEN_BY_HAND = "open_by_hand"
    NOT_YET = "not_yet"
    CLOSED = "closed"  # closed by the clock
    CLOSED_BY_HAND = "closed_by_hand"
    OTHER_DAY = "other_day"  # opened by hand, but the session is on another day
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class WindowState:
    """Whether a session takes check-ins at a given time, why, and its times by the clock."""

    open: bool
    reason: WindowReason
    times: WindowTimes
    session_date: date | None = None  # for the "another day" message

    def describe(self) -> str:
        """A sentence for students and the projector, in the active language."""
        time = _hhmm
        if self.reason == WindowReason.OPEN:
            return _("Check-in is open until %(time)s.") % {"time": time(self.times.closes_at)}
        if self.reason == WindowReason.OPEN_BY_HAND:
            return _("Check-in was opened by the teacher.")
        if self.reason == WindowReason.NOT_YET:
            return _("Check-in for this session opens at %(time)s.") % {
                "time": time(self.times.opens_at)
            }
        if self.reason == WindowReason.CLOSED:
            return _("Check-in for this session closed at %(time)s.") % {
                "time": time(self.times.closes_at)
            }
        if self.reason == WindowReason.CLOSED_BY_HAND:
            return _("The teacher has closed check-in for this session.")
        if self.reason == WindowReason.OTHER_DAY:
            return _("This session is on %(date)s: check-in only opens on the day.") % {
                "date": self.session_date.isoformat()
            }
        return _("This session was cancelled: there is nothing to check in to.")


def window_state(
    session: Session,
    at: datetime | None = None,
    *,
    window: CheckInWindow | None = None,
    policy: AttendancePolicy | None = None,
) -> WindowState:
    """Does ``session`` take check-ins at ``at`` (default now)?

    Like ``is_open``, with two differences that matter when ``at`` is the time of a scan
    completed later: a hand override made after ``at`` is ignored (the window is judged as it
    was then), and a session opened by hand takes check-ins only on its own day (never for a
    future session), unless the clock has it open anyway.
    """
    at = at or _now()
    window = window if window is not None else getattr(session, "checkin", None)
    times = window_times(session, window=window, policy=policy)

    def state(is_open_: bool, reason: WindowReason) -> WindowState:
        return WindowState(is_open_, reason, times, session.date)

    if session.status == SessionStatus.CANCELLED:
        return state(False, WindowReason.CANCELLED)
    by_clock = times.opens_at <= at < times.closes_at
    manual = window.manual if window is not None else ManualState.AUTO
    if manual and window.manual_at is not None and window.manual_at > at:
        manual = ManualState.AUTO
    if manual == ManualState.CLOSED:
        return state(False, WindowReason.CLOSED_BY_HAND)
    if manual == ManualState.OPEN:
        if by_clock:
            return state(True, WindowReason.OPEN)
        if timezone.localdate(at) != session.date:
            return state(False, WindowReason.OTHER_DAY)
        return state(True, WindowReason.OPEN_BY_HAND)
    if by_clock:
        return state(True, WindowReason.OPEN)
    return state(False, WindowReason.NOT_YET if at < times.opens_at else WindowReason.CLOSED)


def open_window(session: Session, *, by, now: datetime | None = None) -> CheckInWindow:
    """Open check-in by hand (e.g. early, or again for latecomers)."""
    return _set_manual(session, ManualState.OPEN, by=by, now=now)


def close_window(session: Session, *, by, now: datetime | None = None) -> CheckInWindow:
    """Close check-in by hand; nobody checks in until it is opened again."""
    return _set_manual(session, ManualState.CLOSED, by=by, now=now)


def _set_manual(session: Session, state: str, *, by, now) -> CheckInWindow:
    window = get_window(session)
    window.manual = state
    window.manual_at = now or _now()
    window.manual_by = by
    window.save(update_fields=["manual", "manual_at", "manual_by"])
    return window


def open_checkin(*, session: Session, by, now: datetime | None = None) -> CheckInWindow:
    """Open check-in by hand, refusing what could never take check-ins.

    Raises ValidationError (nothing changed) for a cancelled session and for a session on
    another day. Callers check who asks (``can_manage_offering``).
    """
    now = now or _now()
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("This session was cancelled: there is nothing to check in to."))
    if timezone.localdate(now) != session.date:
        raise ValidationError(
            _("This session is on %(date)s: check-in only opens on the day.")
            % {"date": session.date.isoformat()}
        )
    with transaction.atomic():
        return open_window(session, by=by, now=now)


def close_checkin(*, session: Session, by, now: datetime | None = None) -> CheckInWindow:
    """Close check-in by hand. Atomic; callers check who asks."""
    with transaction.atomic():
        return close_window(session, by=by, now=now)


# --- rotating tokens and codes -------------------------------------------------------------
@dataclass(frozen=True)
class CurrentCode:
    """What the projector shows now: the QR token (in ``path``, relative to the site) and
    the short code of ``step``, valid for ``expires_in`` more seconds (then one more step as
    the previous one)."""

    step: int
    token: str
    code: str
    path: str
    expires_in: int


def step_at(when: datetime, rotation_seconds: int) -> int:
    return int(when.timestamp()) // rotation_seconds


def _mac(secret: str, message: str) -> bytes:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()


def _token(window: CheckInWindow, session_pk: int, step: int) -> str:
    digest = _mac(window.secret, f"qr:{session_pk}:{step}")
    return base64.urlsafe_b64encode(digest).decode()[:TOKEN_LENGTH]


def _code(window: CheckInWindow, session_pk: int, step: int) -> str:
    digest = _mac(window.secret, f"code:{session_pk}:{step}")
    return f"{int.from_bytes(digest[:8], 'big') % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def current_code(session: Session, now: datetime | None = None) -> CurrentCode:
    """The QR token and short code to show for ``session`` at ``now``.

    Creates the session's window (and secret) on first use; reads nothing else that changes.
    The secret itself never leaves this module. Whether check-in is open is not checked here
    (see ``window_state``): showing a code does not open anything.
    """
    now = now or _now()
    window = get_window(session)
    rotation = policy_of(session).rotation_seconds
    step = step_at(now, rotation)
    token = _token(window, session.pk, step)
    return CurrentCode(
        step=step,
        token=token,
        code=_code(window, session.pk, step),
        path=reverse("classrooms:checkin_scan", args=[session.pk, step, token]),
        expires_in=rotation - int(now.timestamp()) % rotation,
    )


class Reason(StrEnum):
    """Reason codes of a check-in answer: ``ok`` and ``already`` are successes."""

    OK = "ok"
    ALREADY = "already"
    EXPIRED = "expired"
    ANOTHER_SESSION = "another_session"
    NOT_ENROLLED = "not_enrolled"
    NOT_OPEN = "not_open"
    CANCELLED = "cancelled"
    INVALID = "invalid"
    NETWORK = "network"
    SHARED_DEVICE = "shared_device"
    RATE_LIMITED = "rate_limited"


def verify_token(session: Session, step: int, token: str, now: datetime | None = None) -> Reason:
    """Is ``token`` the QR token of ``session`` for ``step``, and is ``step`` recent?

    ``Reason.OK`` for the current or the previous step at ``now``; ``Reason.EXPIRED`` for a
    genuine token of an older step; ``Reason.INVALID`` for anything else (a forged or
    mangled token, a future step, a token of another session, a session never shown).
    Reads only; constant-time comparison.
    """
    window = getattr(session, "checkin", None)
    if window is None or not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        return Reason.INVALID
    current = step_at(now or _now(), policy_of(session).rotation_seconds)
    if step > current or not hmac.compare_digest(_token(window, session.pk, step), token):
        return Reason.INVALID
    return Reason.OK if step >= current - 1 else Reason.EXPIRED


def _code_matches(session: Session, code: str, steps) -> bool:
    window = session.checkin
    return any(hmac.compare_digest(_code(window, session.pk, step), code) for step in steps)


# --- answers -------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckInResult:
    """The answer to a check-in attempt. ``ok`` for a new check-in (``created``) and for a
    student already recorded; otherwise ``reason`` says why and nothing was changed."""

    ok: bool
    reason: Reason
    message: str
    attendance: Attendance | None = None
    created: bool = False
    session: Session | None = None

    @property
    def http_status(self) -> int:
        if self.ok:
            return 200
        return 429 if self.reason == Reason.RATE_LIMITED else 400

    @property
    def flags(self) -> list[str]:
        return list(self.attendance.flags) if self.attendance is not None else []


def _hhmm(when: datetime) -> str:
    return timezone.localtime(when).strftime("%H:%M")


def _course(session: Session) -> str:
    offering = session.offering
    return f"{offering.course.title} [{offering.section}]"


def refusal(reason: Reason, *, session: Session | None = None, message: str = "") -> CheckInResult:
    """A refusal with the standard message of ``reason`` (or ``message``), in the active
    language."""
    return CheckInResult(
        ok=False, reason=reason, message=message or _message(reason, session), session=session
    )


def _message(reason: Reason, session: Session | None) -> str:
    if reason == Reason.NOT_ENROLLED:
        if session is None:
            return _("You are not on the roster of this class.")
        return _(
            "You are not on the roster of %(course)s, so you cannot check in to it. If this "
            "is your class, ask the teacher to add you."
        ) % {"course": _course(session)}
    if reason == Reason.ANOTHER_SESSION:
        if session is None:
            return _("This code belongs to another class.")
        return _(
            "This code belongs to another class: %(course)s in %(room)s. Check in with the "
            "code shown in your own classroom."
        ) % {"course": _course(session), "room": session.room}
    if reason == Reason.EXPIRED:
        return _(
            "This code has expired: the code on the screen changes every few seconds. Scan "
            "it again, or type the 6 digits shown now."
        )
    if reason == Reason.CANCELLED:
        return _("This session was cancelled: there is nothing to check in to.")
    if reason == Reason.NETWORK:
        return _(
            "Check-in in this room only works on the classroom's network. Connect to the "
            "campus Wi-Fi and try again."
        )
    if reason == Reason.SHARED_DEVICE:
        return _(
            "This phone has already checked in another student for this session. Each "
            "student checks in on their own phone."
        )
    if reason == Reason.RATE_LIMITED:
        return _("Too many failed attempts. Wait a minute, then try again.")
    if reason == Reason.NOT_OPEN:
        return _("Check-in for this session is not open.")
    return _(
        "This is not a valid check-in code. Scan the code on the screen again, or type the "
        "6 digits shown beside it."
    )


def _already(attendance: Attendance, session: Session) -> CheckInResult:
    if attendance.method in SELF_CHECK_IN_METHODS and attendance.checked_in_at is not None:
        message = _("You already checked in at %(time)s.") % {
            "time": _hhmm(attendance.checked_in_at)
        }
    else:
        message = _("Your attendance at this session is already recorded: %(status)s.") % {
            "status": attendance.get_status_display()
        }
    return CheckInResult(
        ok=True,
        reason=Reason.ALREADY,
        message=message,
        attendance=attendance,
        created=False,
        session=session,
    )


# --- location ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Location:
    """A browser geolocation: degrees, and the accuracy the browser claims in metres."""

    latitude: float
    longitude: float
    accuracy_m: float | None = None

    @classmethod
    def parse(cls, latitude, longitude, accuracy=None) -> Location | None:
        """From form strings; None when missing or out of range."""
        try:
            lat, lon = float(latitude), float(longitude)
        except (TypeError, ValueError):
            return None
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        try:
            acc = float(accuracy) if accuracy not in (None, "") else None
        except (TypeError, ValueError):
            acc = None
        if acc is not None and not (math.isfinite(acc) and acc >= 0):
            acc = None
        return cls(lat, lon, acc)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def room_of(session: Session) -> Room | None:
    """The Room whose name is the session's room, if the school described it."""
    return Room.objects.filter(name=session.room).first()


def _on_allowed_network(room: Room, ip: str | None) -> bool:
    networks = room.ip_networks()
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    return any(address in network for network in networks)


def _valid_ip(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        return None


# --- check-in ------------------------------------------------------------------------------
def _existing_attendance(session: Session, student) -> Attendance | None:
    return Attendance.objects.filter(session=session, student=student).first()


# What a check-in records about itself (the rest of an Attendance row is who, where, who
# changed it last and when).
CHECK_IN_FIELDS = [
    "status",
    "method",
    "checked_in_at",
    "device",
    "user_agent",
    "ip",
    "flags",
    "latitude",
    "longitude",
    "accuracy_m",
]


def _reopened_for(attendance: Attendance, session: Session) -> bool:
    """Was ``attendance`` absent when the teacher opened check-in again by hand (after
    closing it and marking the unmarked absent, say)? Then the student may still check in."""
    if attendance.status != AttendanceStatus.ABSENT:
        return False
    window = CheckInWindow.objects.filter(session=session).first()
    return (
        window is not None
        and window.manual == ManualState.OPEN
        and window.manual_at is not None
        and window.manual_at > attendance.updated_at
    )


def _check_in_over_absent(
    existing: Attendance, checked: Attendance, session: Session
) -> CheckInResult:
    """Turn the absent row ``existing`` into the check-in ``checked`` (a latecomer after
    check-in was reopened), keeping the change (old absent, new status, by the student)."""
    with transaction.atomic():
        row = Attendance.objects.select_for_update().get(pk=existing.pk)
        if row.status != AttendanceStatus.ABSENT or row.updated_at != existing.updated_at:
            return _already(row, session)  # changed meanwhile: that change stands
        for name in CHECK_IN_FIELDS:
            setattr(row, name, getattr(checked, name))
        row.changed_by = checked.student
        row.save(update_fields=[*CHECK_IN_FIELDS, "changed_by", "updated_at"])
        AttendanceChange.objects.create(
            attendance=row,
            changed_by=checked.student,
            changed_at=checked.checked_in_at,
            old_status=AttendanceStatus.ABSENT,
            new_status=row.status,
            reason="checked in after check-in was reopened",
        )
        transaction.on_commit(lambda: signals.checked_in.send(sender=Attendance, attendance=row))
    return _checked_in(row, session, created=False)


def _open_sessions_of(student, at: datetime, *, exclude: Session | None = None) -> list[Session]:
    day = timezone.localdate(at)
    candidates = (
        Session.objects.filter(
            offering__enrolments__student=student,
            offering__enrolments__dropped_at__isnull=True,
            status=SessionStatus.SCHEDULED,
            date__range=(day - timedelta(days=1), day + timedelta(days=1)),
        )
        .select_related("checkin", "offering__course", "offering__attendance_policy")
        .order_by("starts_at", "pk")
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    return [s for s in candidates if window_state(s, at).open]


def check_in(
    *,
    session: Session,
    student,
    method: str,
    at: datetime | None = None,
    device: str = "",
    ip: str | None = None,
    user_agent: str = "",
    location: Location | None = None,
) -> CheckInResult:
    """Record that ``student`` is at ``session``, as of ``at`` (default now).

    Call it after the token or code was verified (``verify_token``, ``check_in_with_code``):
    it does not look at codes. ``at`` is when the code was scanned or typed: it decides
    whether the window was open (``window_state``) and the status (present before the late
    time, else late).

    Refusals change nothing: cancelled, not_enrolled (another_session when the student has
    an open session of their own elsewhere), not_open, network (the room lists networks and
    ``ip`` is outside them), shared_device (``device`` already checked in another student
    here and the policy refuses). A student who already has a row (checked in, or marked by
    a teacher or a leave approval) gets a success that creates and changes nothing, so a
    status set by a person is never downgraded; except a student marked absent before the
    teacher opened check-in again by hand, who checks in as a latecomer (the row becomes
    present or late, with an AttendanceChange by the student). Flags (accepted, shown to the
    teacher): shared_device under the "flag" policy; far_away or no_location when the room
    has a location. One row per (session, student) is guaranteed by the unique constraint:
    concurrent calls give one row and two successes. Atomic; a first check-in writes no
    AttendanceChange (``changed_by`` None); a check-in sends ``classrooms.signals.checked_in``
    after the commit (the live room announces it). Callers check nothing else: any user may call
    it for themselves; rate limiting is the caller's (``is_rate_limited``).
    """
    at = at or _now()
    if session.status == SessionStatus.CANCELLED:
        return refusal(Reason.CANCELLED, session=session)
    enrolled = (
        Enrolment.objects.active().filter(offering_id=session.offering_id, student=student).exists()
    )
    if not enrolled:
        if _open_sessions_of(student, at, exclude=session):
            return refusal(Reason.ANOTHER_SESSION, session=session)
        return refusal(Reason.NOT_ENROLLED, session=session)
    existing = _existing_attendance(session, student)
    if existing is not None and not _reopened_for(existing, session):
        return _already(existing, session)
    policy = policy_of(session)
    state = window_state(session, at, policy=policy)
    if not state.open:
        reason = Reason.CANCELLED if state.reason == WindowReason.CANCELLED else Reason.NOT_OPEN
        return refusal(reason, session=session, message=state.describe())
    room = room_of(session)
    if room is not None and not _on_allowed_network(room, ip):
        return refusal(Reason.NETWORK, session=session)
    flags = []
    if (
        device
        and Attendance.objects.filter(session=session, device=device)
        .exclude(student=student)
        .exists()
    ):
        if policy.shared_device != SharedDevice.FLAG:
            return refusal(Reason.SHARED_DEVICE, session=session)
        flags.append(AttendanceFlag.SHARED_DEVICE.value)
    if room is not None and room.has_location:
        if location is None:
            flags.append(AttendanceFlag.NO_LOCATION.value)
        elif (
            distance_m(
                float(room.latitude), float(room.longitude), location.latitude, location.longitude
            )
            > room.radius_m
        ):
            flags.append(AttendanceFlag.FAR_AWAY.value)
    attendance = Attendance(
        session=session,
        student=student,
        status=AttendanceStatus.PRESENT if at < state.times.late_at else AttendanceStatus.LATE,
        method=method,
        checked_in_at=at,
        device=(device or "")[:64],
        user_agent=(user_agent or "")[:200],
        ip=_valid_ip(ip),
        flags=flags,
    )
    if location is not None:
        attendance.latitude = Decimal(f"{location.latitude:.6f}")
        attendance.longitude = Decimal(f"{location.longitude:.6f}")
        if location.accuracy_m is not None:
            attendance.accuracy_m = min(round(location.accuracy_m), 2_000_000_000)
    attendance.full_clean(validate_unique=False, validate_constraints=False)
    if existing is not None:
        return _check_in_over_absent(existing, attendance, session)
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the outer transaction survives a clash
                attendance.save(force_insert=True)
        except IntegrityError:  # the same student, checked in meanwhile by another request
            existing = Attendance.objects.get(session=session, student=student)
            return _already(existing, session)
        transaction.on_commit(
            lambda: signals.checked_in.send(sender=Attendance, attendance=attendance)
        )
    return _checked_in(attendance, session, created=True)


def _checked_in(attendance: Attendance, session: Session, *, created: bool) -> CheckInResult:
    status = attendance.get_status_display()
    at = _hhmm(attendance.checked_in_at)
    return CheckInResult(
        ok=True,
        reason=Reason.OK,
        message=_("Checked in at %(time)s: %(status)s.") % {"time": at, "status": status},
        attendance=attendance,
        created=created,
        session=session,
    )


# --- typed codes ---------------------------------------------------------------------------
def open_sessions(now: datetime | None = None) -> list[Session]:
    """Sessions taking check-ins at ``now`` whose code has been shown (they have a window),
    with window, policy and course loaded. One query."""
    now = now or _now()
    day = timezone.localdate(now)
    candidates = (
        Session.objects.filter(
            status=SessionStatus.SCHEDULED,
            checkin__isnull=False,
            date__range=(day - timedelta(days=1), day + timedelta(days=1)),
        )
        .select_related("checkin", "offering__course", "offering__attendance_policy")
        .order_by("starts_at", "pk")
    )
    return [s for s in candidates if window_state(s, now).open]


def open_sessions_for_student(student, now: datetime | None = None) -> list[Session]:
    """The sessions ``student`` (actively enrolled) can check in to at ``now``. One query."""
    return _open_sessions_of(student, now or _now())


def check_in_with_code(
    *,
    student,
    code: str,
    at: datetime | None = None,
    device: str = "",
    ip: str | None = None,
    user_agent: str = "",
    location: Location | None = None,
) -> CheckInResult:
    """Check ``student`` in with a typed 6-digit code.

    The code is matched (current and previous step) against the student's own open sessions
    first, then every other open session (``check_in`` then answers another_session or
    not_enrolled), then the last ``EXPIRED_LOOKBACK`` of older steps (expired); anything
    else is invalid. Then as ``check_in`` with method "code".
    """
    at = at or _now()
    code = re.sub(r"\s+", "", code or "")
    if not _CODE_RE.fullmatch(code):
        return refusal(Reason.INVALID)
    sessions = open_sessions(at)
    own = set(
        Enrolment.objects.active()
        .filter(student=student, offering_id__in={s.offering_id for s in sessions})
        .values_list("offering_id", flat=True)
    )
    sessions.sort(key=lambda s: s.offering_id not in own)  # stable: own sessions first
    steps = {}
    for session in sessions:
        rotation = policy_of(session).rotation_seconds
        steps[session.pk] = (step_at(at, rotation), rotation)
    for session in sessions:
        current, _rotation = steps[session.pk]
        if _code_matches(session, code, (current, current - 1)):
            return check_in(
                session=session,
                student=student,
                method=CheckInMethod.CODE,
                at=at,
                device=device,
                ip=ip,
                user_agent=user_agent,
                location=location,
            )
    for session in sessions:
        current, rotation = steps[session.pk]
        lookback = int(EXPIRED_LOOKBACK.total_seconds()) // rotation
        if _code_matches(session, code, range(current - 2, current - 2 - lookback, -1)):
            return refusal(Reason.EXPIRED)
    return refusal(Reason.INVALID)


# --- a scan completed after logging in -----------------------------------------------------
def scan_record(
    session: Session, *, method: str = CheckInMethod.QR, at: datetime | None = None
) -> dict:
    """What to keep (in the user's server-side session) of a scan verified at ``at``
    (default now), so that it completes after logging in without a second scan."""
    at = at or _now()
    return {"session_id": session.pk, "scanned_at": at.isoformat(), "method": str(method)}


def complete_scan(
    *,
    record: dict,
    student,
    now: datetime | None = None,
    device: str = "",
    ip: str | None = None,
    user_agent: str = "",
    location: Location | None = None,
) -> CheckInResult:
    """Complete a scan kept by ``scan_record``: ``check_in`` as of the scan time, provided
    the scan is at most ``SCAN_MAX_AGE`` old at ``now``; else expired, changing nothing."""
    now = now or _now()
    try:
        session_id = int(record["session_id"])
        scanned_at = datetime.fromisoformat(record["scanned_at"])
        method = CheckInMethod(record.get("method", CheckInMethod.QR))
    except (KeyError, TypeError, ValueError):
        return refusal(Reason.INVALID)
    session = (
        Session.objects.select_related("checkin", "offering__course", "offering__attendance_policy")
        .filter(pk=session_id)
        .first()
    )
    if session is None or scanned_at > now:
        return refusal(Reason.INVALID)
    if now - scanned_at > SCAN_MAX_AGE:
        return refusal(
            Reason.EXPIRED,
            session=session,
            message=_(
                "Your scan is more than %(minutes)s minutes old. Scan the code on the screen "
                "again, or type the 6 digits shown beside it."
            )
            % {"minutes": int(SCAN_MAX_AGE.total_seconds() // 60)},
        )
    return check_in(
        session=session,
        student=student,
        method=method,
        at=scanned_at,
        device=device,
        ip=ip,
        user_agent=user_agent,
        location=location,
    )


def needs_location(session: Session, student) -> bool:
    """Should the page ask the browser for its location before checking ``student`` in?
    Only when the room has a location and the student has no row yet."""
    room = room_of(session)
    return bool(room and room.has_location) and _existing_attendance(session, student) is None


# --- rate limiting -------------------------------------------------------------------------
def rate_limit_key(*, user=None, ip: str | None = None) -> str:
    """One counter per logged-in user, else per client address."""
    if user is not None and user.is_authenticated:
        return f"checkin:refused:user:{user.pk}"
    return f"checkin:refused:ip:{ip or 'unknown'}"


def is_rate_limited(key: str) -> bool:
    """True after ``RATE_LIMIT`` refused attempts within ``RATE_WINDOW`` seconds (counted
    from the first of them): refuse before verifying anything."""
    return (cache.get(key) or 0) >= RATE_LIMIT


def note_refusal(key: str) -> None:
    """Count one refused attempt (shared by all processes when the cache is Redis)."""
    cache.add(key, 0, timeout=RATE_WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW)


# --- who has checked in (projector page, live room) ----------------------------------------
@dataclass(frozen=True)
class CheckedIn:
    id: int
    name: str
    number: str
    status: str
    at: datetime | None
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CheckInSummary:
    """A session's check-in at a glance: the window, "count of enrolled", names newest
    first (students present or late), and those among them with flags."""

    state: WindowState
    count: int
    enrolled: int
    students: list[CheckedIn]

    @property
    def open(self) -> bool:
        return self.state.open

    @property
    def flagged(self) -> list[CheckedIn]:
        return [s for s in self.students if s.flags]


def checkin_summary(session: Session, now: datetime | None = None) -> CheckInSummary:
    """Who has checked in to ``session`` (present or late), newest first, with the window
    state at ``now``. Three queries whatever the number of students (policy and window
    included when not loaded with the session). Reads only."""
    rows = (
        Attendance.objects.filter(
            session=session, status__in=[AttendanceStatus.PRESENT, AttendanceStatus.LATE]
        )
        .select_related("student")
        .annotate(when=Coalesce("checked_in_at", "updated_at"))
        .order_by(F("when").desc(), "-pk")
    )
    students = [
        CheckedIn(
            id=row.student_id,
            name=row.student.display_name,
            number=row.student.number,
            status=row.status,
            at=row.checked_in_at,
            flags=list(row.flags or []),
        )
        for row in rows
    ]
    enrolled = Enrolment.objects.active().filter(offering_id=session.offering_id).count()
    return CheckInSummary(
        state=window_state(session, now or _now()),
        count=len(students),
        enrolled=enrolled,
        students=students,
    )
