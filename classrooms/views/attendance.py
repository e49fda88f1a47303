"""Attendance screens: the teacher's marking grid and close, leave requests (请假) for
students and teachers, the protected leave attachments, the offering's attendance policy.

Thin: who may do what is decided here with ``can_manage_offering`` / ``can_view_offering``
(reviewers read the grid, never change it) and every change is a call to
classrooms.services.attendance or .leave, which also refuse bad input.
"""

from __future__ import annotations

import mimetypes
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from classrooms.attendance_forms import (
    LeaveDecisionForm,
    LeaveRequestForm,
    MarkingForm,
    PolicyForm,
)
from classrooms.models import (
    AttendancePolicy,
    AttendanceStatus,
    LeaveRequest,
    LeaveStatus,
    ManualState,
    Session,
    SessionStatus,
)
from classrooms.services import attendance, checkin, leave
from classrooms.services.enrolment import can_manage_offering, can_view_offering
from classrooms.views import get_offering_or_404


def _forbidden(request):
    return render(request, "classrooms/offerings_forbidden.html", status=403)


def _session_or_404(session_id: int) -> Session:
    return get_object_or_404(
        Session.objects.select_related(
            "offering__course", "offering__term", "offering__attendance_policy", "checkin"
        ),
        pk=session_id,
    )


def _leave_or_404(request_id: int) -> LeaveRequest:
    return get_object_or_404(
        LeaveRequest.objects.select_related("student", "session__offering__course"),
        pk=request_id,
    )


def _show_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- the marking grid ----------------------------------------------------------------------
def _grid(request, session: Session, *, form: MarkingForm | None = None, status: int = 200):
    can_manage = can_manage_offering(request.user, session.offering)
    roster = attendance.session_roster(session)
    form = form or MarkingForm(roster=roster)
    policy = AttendancePolicy.for_offering(session.offering)
    window = getattr(session, "checkin", None)
    now = timezone.now()
    counts = attendance.status_counts(roster)
    summary = [(value, label, counts[value]) for value, label in AttendanceStatus.choices] + [
        (attendance.UNMARKED, _("Unmarked"), counts[attendance.UNMARKED])
    ]
    rows = [
        {
            "row": row,
            "field": form[f"status-{row.student.pk}"],
            "was": form[f"was-{row.student.pk}"],
        }
        for row in roster
    ]
    return render(
        request,
        "classrooms/attendance_session.html",
        {
            "session": session,
            "offering": session.offering,
            "can_manage": can_manage,
            "form": form,
            "rows": rows,
            "summary": summary,
            "total": len(roster),
            "times": checkin.window_times(session, window=window, policy=policy),
            "is_open": checkin.is_open(session, now, window=window, policy=policy),
            "closed_by_hand": window is not None and window.manual == ManualState.CLOSED,
            "started": now >= session.starts_at,
            "cancelled": session.status == SessionStatus.CANCELLED,
            "pending": [row for row in roster if row.leave is not None] if can_manage else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_attendance(request, session_id: int):
    """GET: the grid (managers and reviewers). POST: save what changed (managers only)."""
    session = _session_or_404(session_id)
    if not can_view_offering(request.user, session.offering):
        return _forbidden(request)
    if request.method == "GET":
        return _grid(request, session)
    if not can_manage_offering(request.user, session.offering):
        return _forbidden(request)
    form = MarkingForm(request.POST, roster=attendance.session_roster(session))
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: a status was not one of the choices."))
        return _grid(request, session, status=400)
    try:
        changed = attendance.mark_many(session=session, statuses=form.changes(), by=request.user)
    except ValidationError as error:
        _show_errors(request, error)
        return _grid(request, session, status=400)
    messages.success(
        request,
        ngettext("Saved: %(count)s change.", "Saved: %(count)s changes.", changed)
        % {"count": changed},
    )
    return redirect("classrooms:attendance_session", session.pk)


@login_required
@require_POST
def session_close(request, session_id: int):
    """Close check-in by hand and mark every student still unmarked absent (managers)."""
    session = _session_or_404(session_id)
    if not can_manage_offering(request.user, session.offering):
        return _forbidden(request)
    now = timezone.now()
    try:
        with transaction.atomic():
            checkin.close_window(session, by=request.user, now=now)
            count = attendance.mark_unmarked_absent(session=session, by=request.user, now=now)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "Check-in closed; %(count)s student marked absent.",
                "Check-in closed; %(count)s students marked absent.",
                count,
            )
            % {"count": count},
        )
    return redirect("classrooms:attendance_session", session.pk)


# --- leave requests: students --------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def leave_request(request, session_id: int):
    """A student asks for leave from one of their sessions."""
    session = _session_or_404(session_id)
    if not leave.is_enrolled(session, request.user):
        return render(request, "classrooms/leave_forbidden.html", status=403)
    form = LeaveRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            leave.request_leave(
                session=session,
                student=request.user,
                reason=form.cleaned_data["reason"],
                attachment=form.cleaned_data["attachment"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request, _("Your request was sent; the teacher will approve or reject it.")
            )
            return redirect("classrooms:my_leave_requests")
    problem = leave.leave_problem(session=session, student=request.user)
    earlier = LeaveRequest.objects.filter(session=session, student=request.user)
    return render(
        request,
        "classrooms/leave_request.html",
        {"session": session, "form": form, "problem": problem, "earlier": earlier},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def my_leave_requests(request):
    """The student's requests with their answers, and the sessions they may ask leave from."""
    return render(
        request,
        "classrooms/leave_mine.html",
        {
            "requests": leave.student_leave_requests(request.user),
            "upcoming": leave.upcoming_sessions_for_leave(request.user),
            "pending": LeaveStatus.PENDING,
        },
    )


@login_required
@require_POST
def leave_withdraw(request, request_id: int):
    item = _leave_or_404(request_id)
    if item.student_id != request.user.pk:
        raise Http404
    try:
        leave.withdraw_leave(leave=item, by=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Your request was withdrawn."))
    return redirect("classrooms:my_leave_requests")


@login_required
def leave_attachment(request, request_id: int):
    """The attachment, to the student who sent it and the offering's managers only."""
    item = _leave_or_404(request_id)
    if not leave.can_see_attachment(request.user, item):
        raise PermissionDenied
    storage, name = item.attachment.storage, item.attachment.name
    if not name or not storage.exists(name):
        raise Http404
    filename = os.path.basename(name)
    response = FileResponse(
        storage.open(name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type=mimetypes.guess_type(filename)[0] or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- leave requests: teachers --------------------------------------------------------------
@login_required
def leave_requests(request, offering_id: int):
    """The offering's leave requests, pending first, for its managers."""
    offering = get_offering_or_404(offering_id)
    if not can_manage_offering(request.user, offering):
        return _forbidden(request)
    return render(
        request,
        "classrooms/leave_list.html",
        {
            "offering": offering,
            "requests": leave.offering_leave_requests(offering),
            "pending": LeaveStatus.PENDING,
        },
    )


@login_required
@require_POST
def leave_decide(request, request_id: int):
    """Approve or reject (managers of the request's offering only)."""
    item = _leave_or_404(request_id)
    if not can_manage_offering(request.user, item.session.offering):
        return _forbidden(request)
    form = LeaveDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
    else:
        try:
            decided = leave.decide_leave(
                leave=item,
                by=request.user,
                approve=form.approve,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _show_errors(request, error)
        else:
            name = item.student.display_name
            if decided.status == LeaveStatus.APPROVED:
                messages.success(
                    request, _("Leave approved: %(name)s is excused.") % {"name": name}
                )
            else:
                messages.success(request, _("Leave rejected for %(name)s.") % {"name": name})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("classrooms:leave_requests", args=[item.session.offering_id])
    return redirect(target)


# --- policy --------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def attendance_policy(request, offering_id: int):
    """The offering's check-in and attendance settings (managers); the row is created on the
    first save."""
    offering = get_offering_or_404(offering_id)
    if not can_manage_offering(request.user, offering):
        return _forbidden(request)
    form = PolicyForm(request.POST or None, instance=AttendancePolicy.for_offering(offering))
    if request.method == "POST" and form.is_valid():
        try:
            attendance.set_policy(
                offering=offering, **{name: form.cleaned_data[name] for name in form.Meta.fields}
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The attendance settings were saved."))
            return redirect("classrooms:attendance_policy", offering.pk)
    return render(
        request,
        "classrooms/attendance_policy.html",
        {"offering": offering, "form": form},
        status=400 if request.method == "POST" else 200,
    )
