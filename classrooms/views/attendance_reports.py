"""Attendance reports: the offering's grid, its xlsx export, one student's record, and the
printable sign-in sheet for when the network fails.

Thin: the numbers come from classrooms.services.attendance_reports; who may look is decided
here with the offering rules of classrooms.services.enrolment. Managers and reviewers read
every report of an offering; a student reads only their own, and only while enrolled;
everybody else gets 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from classrooms.models import Enrolment, Session, SessionStatus
from classrooms.services import attendance_reports as reports
from classrooms.services.enrolment import can_manage_offering, can_view_offering
from classrooms.views import get_offering_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _forbidden(request, offering=None):
    return render(request, "classrooms/report_forbidden.html", {"offering": offering}, status=403)


@login_required
@require_GET
def offering_report(request, offering_id: int):
    """Students × sessions with symbols, rates, the under-threshold students and totals."""
    offering = get_offering_or_404(offering_id)
    can_manage = can_manage_offering(request.user, offering)
    if not (can_manage or can_view_offering(request.user, offering)):
        return _forbidden(request, offering)
    matrix = reports.offering_matrix(offering)
    return render(
        request,
        "classrooms/report_offering.html",
        {
            "offering": offering,
            "matrix": matrix,
            "can_manage": can_manage,
            "legend": reports.legend(),
        },
    )


@login_required
@require_GET
def offering_report_xlsx(request, offering_id: int):
    """The grid as an xlsx workbook (sheets "Attendance" and "Sessions")."""
    offering = get_offering_or_404(offering_id)
    if not can_view_offering(request.user, offering):
        return _forbidden(request, offering)
    content = reports.workbook_bytes(reports.offering_matrix(offering))
    response = HttpResponse(content, content_type=XLSX)
    course = slugify(offering.course.code or offering.course.slug) or "course"
    section = slugify(offering.section) or "section"
    response["Content-Disposition"] = f'attachment; filename="attendance-{course}-{section}.xlsx"'
    return response


@login_required
@require_GET
def student_report(request, offering_id: int, student_id: int):
    """One student's sessions with status, method, time and rate: for the offering's
    managers and reviewers (any student on its roster, dropped ones included), and for the
    student themself while actively enrolled."""
    offering = get_offering_or_404(offering_id)
    staff = can_view_offering(request.user, offering)
    if staff:
        enrolment = get_object_or_404(
            Enrolment.objects.select_related("student"), offering=offering, student_id=student_id
        )
    elif request.user.pk == student_id:
        enrolment = (
            Enrolment.objects.active()
            .select_related("student")
            .filter(offering=offering, student_id=student_id)
            .first()
        )
        if enrolment is None:
            return _forbidden(request, offering)
    else:
        return _forbidden(request, offering)
    record = reports.student_record(offering, enrolment.student)
    return render(
        request,
        "classrooms/report_student.html",
        {
            "offering": offering,
            "record": record,
            "enrolment": enrolment,
            "staff": staff,
            "own": request.user.pk == student_id,
            "legend": reports.legend(),
        },
    )


@login_required
@require_GET
def sign_in_sheet(request, session_id: int):
    """A printable sheet for one session: the active roster by number with empty status
    and signature columns. For the offering's teachers and assistants."""
    session = get_object_or_404(
        Session.objects.select_related("offering__course", "offering__term"), pk=session_id
    )
    offering = session.offering
    if not can_manage_offering(request.user, offering):
        return _forbidden(request, offering)
    enrolments = (
        Enrolment.objects.active()
        .filter(offering=offering)
        .select_related("student")
        .order_by("student__number")
    )
    return render(
        request,
        "classrooms/report_sign_in_sheet.html",
        {
            "offering": offering,
            "session": session,
            "starts_at": timezone.localtime(session.starts_at),
            "ends_at": timezone.localtime(session.ends_at),
            "cancelled": session.status == SessionStatus.CANCELLED,
            "enrolments": enrolments,
        },
    )
