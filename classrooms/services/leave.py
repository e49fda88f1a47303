"""Leave requests (请假): a student asks to be excused from a session before it starts, with
a reason and an optional attachment; a teacher of the offering approves or rejects; an
approval marks the student excused (through ``attendance.mark``, so it is in the history).

A student has at most one pending or approved request per session (a database constraint
backs the friendly check). Attachments live in protected storage and are served only
through a view that checks who asks.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from classrooms.models import (
    AttendanceStatus,
    Enrolment,
    LeaveRequest,
    LeaveStatus,
    Offering,
    Session,
    SessionStatus,
)
from classrooms.services import attendance
from classrooms.services.enrolment import can_manage_offering

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
OPEN_STATUSES = (LeaveStatus.PENDING, LeaveStatus.APPROVED)


# --- checks --------------------------------------------------------------------------------
def validate_attachment(upload) -> None:
    """Refuse files over 5 MB and types other than PDF, JPEG and PNG (ValidationError)."""
    extension = os.path.splitext(upload.name or "")[1].lower()
    if extension not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(_("Attach a PDF, JPEG or PNG file."))
    if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("The attachment is larger than 5 MB."))


def is_enrolled(session: Session, student) -> bool:
    return (
        Enrolment.objects.active()
        .filter(offering_id=session.offering_id, student_id=student.pk)
        .exists()
    )


def leave_problem(*, session: Session, student, now: datetime | None = None) -> str | None:
    """Why ``student`` may not ask for leave from ``session`` now, or None if they may."""
    now = now or timezone.now()
    if not is_enrolled(session, student):
        return _("You are not on the roster of this class.")
    if session.status == SessionStatus.CANCELLED:
        return _("This session was cancelled; there is nothing to ask leave from.")
    if now >= session.starts_at:
        return _("Leave can only be asked for before the session starts.")
    if LeaveRequest.objects.filter(
        session=session, student_id=student.pk, status__in=OPEN_STATUSES
    ).exists():
        return _("You have already asked for leave from this session.")
    return None


# --- operations ----------------------------------------------------------------------------
def request_leave(
    *, session: Session, student, reason: str, attachment=None, now: datetime | None = None
) -> LeaveRequest:
    """Ask for leave from ``session``: pending until a teacher decides.

    Only actively enrolled students, only before the session starts, not for a cancelled
    session, one pending or approved request per session: each refusal is a ValidationError
    with a message for the student, and nothing is saved (not even the attachment). Atomic;
    a concurrent duplicate is refused by the database constraint with the same message.
    """
    reason = (reason or "").strip()
    problem = leave_problem(session=session, student=student, now=now)
    if problem:
        raise ValidationError(problem)
    if not reason:
        raise ValidationError(_("Give a reason."))
    if attachment:
        validate_attachment(attachment)
    leave = LeaveRequest(session=session, student=student, reason=reason)
    leave.full_clean(exclude=["attachment"], validate_constraints=False)
    try:
        with transaction.atomic():
            if attachment:
                leave.attachment.save(attachment.name, attachment, save=False)
            leave.save()
    except IntegrityError as error:
        _delete_file(leave)
        raise ValidationError(_("You have already asked for leave from this session.")) from error
    except Exception:
        _delete_file(leave)
        raise
    return leave


def _delete_file(leave: LeaveRequest) -> None:
    if leave.attachment and leave.attachment.name:
        leave.attachment.storage.delete(leave.attachment.name)


def _locked(leave: LeaveRequest) -> LeaveRequest:
    return LeaveRequest.objects.select_for_update().select_related("session").get(pk=leave.pk)


def decide_leave(
    *, leave: LeaveRequest, by, approve: bool, note: str = "", now: datetime | None = None
) -> LeaveRequest:
    """Approve or reject a pending request, with an optional note to the student.

    Only the offering's managers (PermissionDenied) and only pending requests
    (ValidationError). Approval marks the student excused through ``attendance.mark`` with
    reason "leave approved" and ``by`` as the one who changed it, also after the session has
    passed; if that is refused (the student left the class, the session was cancelled) the
    decision is not saved either. Rejection leaves attendance as it is. Atomic.
    """
    now = now or timezone.now()
    if not can_manage_offering(by, leave.session.offering):
        raise PermissionDenied(_("Only the class's teachers decide leave requests."))
    with transaction.atomic():
        locked = _locked(leave)
        if locked.status != LeaveStatus.PENDING:
            raise ValidationError(_("This request has already been decided or withdrawn."))
        locked.status = LeaveStatus.APPROVED if approve else LeaveStatus.REJECTED
        locked.decided_by = by
        locked.decided_at = now
        locked.decision_note = (note or "").strip()[:500]
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            attendance.mark(
                session=locked.session,
                student=locked.student,
                status=AttendanceStatus.EXCUSED,
                by=by,
                reason=attendance.REASON_LEAVE_APPROVED,
                now=now,
            )
    return locked


def withdraw_leave(*, leave: LeaveRequest, by, now: datetime | None = None) -> LeaveRequest:
    """The student takes back a pending request (``decided_at`` records when).

    Only the student who sent it (PermissionDenied), only while pending (ValidationError).
    Atomic.
    """
    if by.pk != leave.student_id:
        raise PermissionDenied(_("Only the student who asked can withdraw a request."))
    with transaction.atomic():
        locked = _locked(leave)
        if locked.status != LeaveStatus.PENDING:
            raise ValidationError(
                _("Only a request still waiting for the teacher can be withdrawn.")
            )
        locked.status = LeaveStatus.WITHDRAWN
        locked.decided_at = now or timezone.now()
        locked.save(update_fields=["status", "decided_at"])
    return locked


# --- reads ---------------------------------------------------------------------------------
def can_see_attachment(user, leave: LeaveRequest) -> bool:
    """The student who sent it and the offering's managers."""
    if not user.is_authenticated:
        return False
    return user.pk == leave.student_id or can_manage_offering(user, leave.session.offering)


def offering_leave_requests(offering: Offering):
    """The offering's requests, pending first, then newest first; one query."""
    return (
        LeaveRequest.objects.filter(session__offering=offering)
        .select_related("student", "session", "decided_by")
        .annotate(
            pending_first=Case(
                When(status=LeaveStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("pending_first", "session__starts_at", "-created_at", "-id")
    )


def student_leave_requests(student):
    """A student's requests, newest first, with their sessions and classes; one query."""
    return LeaveRequest.objects.filter(student_id=student.pk).select_related(
        "session__offering__course", "session__offering__term", "decided_by"
    )


def upcoming_sessions_for_leave(student, *, now: datetime | None = None, days: int = 14):
    """The student's scheduled sessions in the next ``days`` days (where leave can be
    asked), soonest first; one query."""
    now = now or timezone.now()
    return (
        Session.objects.filter(
            offering__enrolments__student_id=student.pk,
            offering__enrolments__dropped_at__isnull=True,
            status=SessionStatus.SCHEDULED,
            starts_at__gt=now,
            starts_at__lt=now + timedelta(days=days),
        )
        .select_related("offering__course")
        .order_by("starts_at", "id")
    )
