"""Marking attendance by hand: one student, many at once, everybody unmarked at close; the
marking grid's roster; the offering's attendance policy.

Every change of status made by a person writes an AttendanceChange (old status, '' when
there was no row; new status; who; when; why) and sets ``Attendance.changed_by``. Saving a
status a row already has changes nothing and writes no change. Rows are never deleted, and
a row's check-in details (method, time, device) stay as the check-in left them.

Callers check who asks: the offering's managers (``can_manage_offering``) mark attendance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from classrooms import signals
from classrooms.models import (
    Attendance,
    AttendanceChange,
    AttendanceFlag,
    AttendancePolicy,
    AttendanceStatus,
    CheckInMethod,
    Enrolment,
    LeaveRequest,
    LeaveStatus,
    Offering,
    Session,
    SessionStatus,
)

# Reasons written by the system, kept in English in the database and translated on display.
REASON_CLOSED = gettext_noop("marked absent at close")
REASON_LEAVE_APPROVED = gettext_noop("leave approved")

UNMARKED = "unmarked"
POLICY_FIELDS = (
    "opens_before_minutes",
    "late_after_minutes",
    "closes_after_minutes",
    "rotation_seconds",
    "shared_device",
    "alert_below_percent",
)


# --- checks --------------------------------------------------------------------------------
def _check_session(session: Session) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("This session was cancelled; it takes no attendance."))


def _check_statuses(statuses: Iterable[str]) -> None:
    bad = sorted({str(s) for s in statuses if s not in AttendanceStatus.values})
    if bad:
        raise ValidationError(
            _("“%(status)s” is not an attendance status.") % {"status": ", ".join(bad)}
        )


def _check_enrolled(session: Session, student_ids: Iterable[int]) -> None:
    wanted = set(student_ids)
    enrolled = set(
        Enrolment.objects.active()
        .filter(offering_id=session.offering_id, student_id__in=wanted)
        .values_list("student_id", flat=True)
    )
    if wanted - enrolled:
        raise ValidationError(
            _("Only students on the class's roster can be marked; nothing was changed.")
        )


# --- marking -------------------------------------------------------------------------------
def _apply(
    *, session: Session, statuses: dict[int, str], by, reason: str, now: datetime
) -> tuple[dict[int, Attendance], int]:
    """Create or update the rows of ``statuses`` (student id -> status) in one transaction.

    Returns every row concerned (changed or not) and the number of changes. Bulk: a fixed
    number of queries whatever the number of students. Raises IntegrityError if a student
    checked in between the read and the insert (the caller retries; the row then exists
    and is updated).
    """
    with transaction.atomic():
        rows = {
            a.student_id: a
            for a in Attendance.objects.select_for_update().filter(
                session=session, student_id__in=list(statuses)
            )
        }
        created = [
            Attendance(
                session=session,
                student_id=student_id,
                status=status,
                method=CheckInMethod.MANUAL,
                changed_by=by,
            )
            for student_id, status in statuses.items()
            if student_id not in rows
        ]
        updated, changes = [], []
        for student_id, status in statuses.items():
            row = rows.get(student_id)
            if row is not None and row.status != status:
                changes.append((row, row.status, status))
                row.status, row.changed_by, row.updated_at = status, by, now
                updated.append(row)
        if created:
            Attendance.objects.bulk_create(created)
            changes += [(row, "", row.status) for row in created]
            rows.update({row.student_id: row for row in created})
        if updated:
            Attendance.objects.bulk_update(updated, ["status", "changed_by", "updated_at"])
        AttendanceChange.objects.bulk_create(
            AttendanceChange(
                attendance=row,
                changed_by=by,
                changed_at=now,
                old_status=old,
                new_status=new,
                reason=reason[:200],
            )
            for row, old, new in changes
        )
        if changes:
            changed = [row for row, _old, _new in changes]
            transaction.on_commit(
                lambda: signals.attendance_marked.send(sender=Attendance, attendances=changed)
            )
    return rows, len(changes)


def _apply_with_retry(**kwargs) -> tuple[dict[int, Attendance], int]:
    try:
        return _apply(**kwargs)
    except IntegrityError:
        # A student's own check-in created a row meanwhile: this time it is read and updated.
        return _apply(**kwargs)


def mark(
    *, session: Session, student, status: str, by, reason: str = "", now: datetime | None = None
) -> Attendance:
    """Set ``student``'s status at ``session`` by hand and return the row.

    A new row gets method "manual" and no check-in time; an existing row keeps its method
    and check-in time. Writes one AttendanceChange (old '' when there was no row) unless the
    status is unchanged. Refuses (ValidationError, nothing changed) an unknown status, a
    cancelled session, a student not actively enrolled. Atomic; safe against a concurrent
    check-in of the same student. Callers check that ``by`` manages the offering.
    """
    _check_statuses([status])
    _check_session(session)
    _check_enrolled(session, [student.pk])
    rows, _changed = _apply_with_retry(
        session=session,
        statuses={student.pk: status},
        by=by,
        reason=reason,
        now=now or timezone.now(),
    )
    return rows[student.pk]


def mark_many(
    *, session: Session, statuses: dict[int, str], by, now: datetime | None = None
) -> int:
    """Set many students' statuses (student id -> status) at once; returns how many changed.

    All or nothing: one unknown status, a student not actively enrolled or a cancelled
    session refuses the whole batch (ValidationError) and changes nothing. Rows whose status
    is already the one given are left alone. One transaction, a fixed number of queries.
    Callers check that ``by`` manages the offering.
    """
    try:
        statuses = {int(k): v for k, v in statuses.items()}
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Unknown student; nothing was changed.")) from error
    if not statuses:
        return 0
    _check_statuses(statuses.values())
    _check_session(session)
    _check_enrolled(session, statuses)
    _rows, changed = _apply_with_retry(
        session=session, statuses=statuses, by=by, reason="", now=now or timezone.now()
    )
    return changed


def mark_unmarked_absent(*, session: Session, by, now: datetime | None = None) -> int:
    """Mark every actively enrolled student who has no row at ``session`` absent.

    Returns how many were marked. Rows that exist (checked in, marked, excused) are never
    touched, so running it twice marks nobody the second time. Each new row gets one
    AttendanceChange ('' -> absent, reason "marked absent at close"). A student who checks in
    at the same moment keeps their check-in (the insert skips conflicts). Refuses a cancelled
    session and a session that has not started. Atomic, a fixed number of queries. Callers
    check that ``by`` manages the offering.
    """
    _check_session(session)
    now = now or timezone.now()
    if now < session.starts_at:
        raise ValidationError(
            _("The session has not started yet; nobody can be marked absent before it does.")
        )
    with transaction.atomic():
        enrolled = Enrolment.objects.active().filter(offering_id=session.offering_id)
        missing = list(
            enrolled.exclude(
                student_id__in=Attendance.objects.filter(session=session).values("student_id")
            ).values_list("student_id", flat=True)
        )
        if not missing:
            return 0
        Attendance.objects.bulk_create(
            [
                Attendance(
                    session=session,
                    student_id=student_id,
                    status=AttendanceStatus.ABSENT,
                    method=CheckInMethod.MANUAL,
                    changed_by=by,
                    updated_at=now,
                )
                for student_id in missing
            ],
            ignore_conflicts=True,
        )
        # Ours are the manual rows without any change yet: a row a teacher created
        # meanwhile has its change, and a check-in is not manual.
        ours = list(
            Attendance.objects.filter(
                session=session,
                student_id__in=missing,
                method=CheckInMethod.MANUAL,
                changes__isnull=True,
            ).values_list("pk", flat=True)
        )
        AttendanceChange.objects.bulk_create(
            AttendanceChange(
                attendance_id=pk,
                changed_by=by,
                changed_at=now,
                old_status="",
                new_status=AttendanceStatus.ABSENT,
                reason=REASON_CLOSED,
            )
            for pk in ours
        )
    return len(ours)


# --- the marking grid ----------------------------------------------------------------------
@dataclass(frozen=True)
class RosterRow:
    """One actively enrolled student at one session, as the marking grid shows them."""

    student: object
    attendance: Attendance | None
    leave: LeaveRequest | None  # a pending leave request for this session
    changes: list[AttendanceChange] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The status, or '' when unmarked."""
        return self.attendance.status if self.attendance is not None else ""

    @property
    def flag_labels(self) -> list[str]:
        if self.attendance is None:
            return []
        return [
            AttendanceFlag(f).label if f in AttendanceFlag.values else str(f)
            for f in self.attendance.flags
        ]


def session_roster(session: Session) -> list[RosterRow]:
    """Every actively enrolled student of ``session``'s offering, by student number, with
    their Attendance (or None), pending leave request and change history (oldest first).

    Four queries whatever the size of the roster.
    """
    enrolments = (
        Enrolment.objects.active()
        .filter(offering_id=session.offering_id)
        .select_related("student")
        .order_by("student__number")
    )
    attendance = {
        a.student_id: a
        for a in Attendance.objects.filter(session=session).prefetch_related(
            Prefetch(
                "changes",
                queryset=AttendanceChange.objects.select_related("changed_by").order_by(
                    "changed_at", "id"
                ),
            )
        )
    }
    pending = {
        leave.student_id: leave
        for leave in LeaveRequest.objects.filter(session=session, status=LeaveStatus.PENDING)
    }
    rows = []
    for enrolment in enrolments:
        row = attendance.get(enrolment.student_id)
        rows.append(
            RosterRow(
                student=enrolment.student,
                attendance=row,
                leave=pending.get(enrolment.student_id),
                changes=list(row.changes.all()) if row is not None else [],
            )
        )
    return rows


def status_counts(rows: Iterable[RosterRow]) -> dict[str, int]:
    """How many rows have each status, plus "unmarked" (no row): every key always present."""
    counts = dict.fromkeys([*AttendanceStatus.values, UNMARKED], 0)
    for row in rows:
        counts[row.status or UNMARKED] += 1
    return counts


# --- policy --------------------------------------------------------------------------------
def set_policy(*, offering: Offering, **values) -> AttendancePolicy:
    """Save the offering's attendance policy (creating its row on first save).

    ``values`` are AttendancePolicy fields; unknown names raise TypeError. Validates with
    ``full_clean`` (ValidationError, nothing saved). Atomic. Callers check that the user
    manages the offering.
    """
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"not policy fields: {sorted(unknown)}")
    with transaction.atomic():
        policy = AttendancePolicy.objects.select_for_update().filter(
            offering=offering
        ).first() or AttendancePolicy(offering=offering)
        for name, value in values.items():
            setattr(policy, name, value)
        policy.full_clean()
        policy.save()
    offering.attendance_policy = policy
    return policy
