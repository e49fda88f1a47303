"""Check-in: the phone's side (scan, complete after login, typed code) and the teacher's
projector page (QR, code, countdown, who has checked in; polled as JSON).

Thin: tokens, codes, windows, refusals and records live in classrooms.services.checkin.
These views add what belongs to HTTP: who asks, the rate limit per user (or per address
when logged out), the long-lived device cookie, and the scan kept in the server-side session
while a logged-out student logs in.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classrooms.models import AttendanceFlag, AttendanceStatus, CheckInMethod, Room, Session
from classrooms.services import checkin
from classrooms.services.enrolment import can_manage_offering

DEVICE_COOKIE = "rk_device"
DEVICE_MAX_AGE = 365 * 24 * 3600
SCAN_KEY = "checkin_scan"
_DEVICE_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_SESSION_RELATED = ("checkin", "offering__course", "offering__term", "offering__attendance_policy")


# --- the phone ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Client:
    device: str
    new_device: bool
    ip: str | None
    user_agent: str

    @classmethod
    def of(cls, request) -> _Client:
        device = request.COOKIES.get(DEVICE_COOKIE, "")
        new = not _DEVICE_RE.fullmatch(device)
        if new:
            device = secrets.token_urlsafe(24)
        return cls(
            device=device,
            new_device=new,
            ip=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
        )

    def keep(self, response):
        """Set the device cookie on ``response`` when the phone had none."""
        if self.new_device:
            response.set_cookie(
                DEVICE_COOKIE,
                self.device,
                max_age=DEVICE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def kwargs(self) -> dict:
        return {"device": self.device, "ip": self.ip, "user_agent": self.user_agent}


def _result_page(request, client: _Client, result: checkin.CheckInResult):
    response = render(
        request,
        "classrooms/checkin_result.html",
        {"result": result, "session": result.session, "attendance": result.attendance},
        status=result.http_status,
    )
    return client.keep(response)


def _refuse(request, client: _Client, key: str, result: checkin.CheckInResult):
    if result.reason != checkin.Reason.RATE_LIMITED:
        checkin.note_refusal(key)
    return _result_page(request, client, result)


@never_cache
@require_GET
def checkin_scan(request, session_id: int, step: int, token: str):
    """The URL in the QR code. Verified now; kept in the session; completed after login."""
    client = _Client.of(request)
    key = checkin.rate_limit_key(user=request.user, ip=client.ip)
    if checkin.is_rate_limited(key):
        return _result_page(request, client, checkin.refusal(checkin.Reason.RATE_LIMITED))
    session = Session.objects.select_related(*_SESSION_RELATED).filter(pk=session_id).first()
    reason = checkin.verify_token(session, step, token) if session else checkin.Reason.INVALID
    if reason != checkin.Reason.OK:
        return _refuse(request, client, key, checkin.refusal(reason))
    request.session[SCAN_KEY] = checkin.scan_record(session, method=CheckInMethod.QR)
    complete = reverse("classrooms:checkin_complete")
    if not request.user.is_authenticated:
        login = reverse(settings.LOGIN_URL)
        return client.keep(redirect(f"{login}?{urlencode({'next': complete})}"))
    return client.keep(redirect(complete))


def _posted_location(request) -> checkin.Location | None:
    return checkin.Location.parse(
        request.POST.get("latitude"), request.POST.get("longitude"), request.POST.get("accuracy")
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def checkin_complete(request):
    """Complete the scan kept by ``checkin_scan`` (as of the scan time), once."""
    client = _Client.of(request)
    record = request.session.get(SCAN_KEY)
    if not record:
        response = render(request, "classrooms/checkin_nothing.html")
        return client.keep(response)
    key = checkin.rate_limit_key(user=request.user, ip=client.ip)
    if checkin.is_rate_limited(key):
        return _result_page(request, client, checkin.refusal(checkin.Reason.RATE_LIMITED))
    if request.method == "GET":
        session = (
            Session.objects.select_related(*_SESSION_RELATED)
            .filter(pk=record.get("session_id"))
            .first()
        )
        if session is not None and checkin.needs_location(session, request.user):
            response = render(request, "classrooms/checkin_locate.html", {"session": session})
            return client.keep(response)
    location = _posted_location(request) if request.method == "POST" else None
    result = checkin.complete_scan(
        record=record, student=request.user, location=location, **client.kwargs()
    )
    request.session.pop(SCAN_KEY, None)
    if not result.ok:
        return _refuse(request, client, key, result)
    return _result_page(request, client, result)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def checkin_code(request):
    """For phones whose camera fails: the student's open sessions and a 6-digit code form."""
    client = _Client.of(request)
    result = None
    if request.method == "POST":
        key = checkin.rate_limit_key(user=request.user, ip=client.ip)
        if checkin.is_rate_limited(key):
            result = checkin.refusal(checkin.Reason.RATE_LIMITED)
        else:
            result = checkin.check_in_with_code(
                student=request.user,
                code=request.POST.get("code", "")[:32],
                location=_posted_location(request),
                **client.kwargs(),
            )
            if result.ok:
                return _result_page(request, client, result)
            checkin.note_refusal(key)
    sessions = checkin.open_sessions_for_student(request.user)
    located_rooms = set(
        Room.objects.filter(name__in={s.room for s in sessions}, latitude__isnull=False)
        .exclude(longitude__isnull=True)
        .values_list("name", flat=True)
    )
    response = render(
        request,
        "classrooms/checkin_code.html",
        {
            "sessions": sessions,
            "wants_location": any(s.room in located_rooms for s in sessions),
            "result": result,
            "code": request.POST.get("code", "")[:32] if result else "",
        },
        status=result.http_status if result else 200,
    )
    return client.keep(response)


# --- the projector -----------------------------------------------------------------------------
def _managed_session(request, session_id: int) -> Session | None:
    session = get_object_or_404(Session.objects.select_related(*_SESSION_RELATED), pk=session_id)
    return session if can_manage_offering(request.user, session.offering) else None


def _forbidden(request):
    return render(request, "classrooms/offerings_forbidden.html", status=403)


def _qr_svg(url: str) -> str:
    """The QR code as inline SVG that scales to its box (viewBox, no width or height)."""
    return segno.make(url, error="m").svg_inline(
        scale=1, omitsize=True, svgclass="checkin-qr-svg", title=_("Check-in QR code")
    )


def _state(request, session: Session) -> dict:
    """What the projector shows, as JSON-ready data. Never the window's secret."""
    summary = checkin.checkin_summary(session)
    code = None
    if summary.open:
        current = checkin.current_code(session)
        url = request.build_absolute_uri(current.path)
        code = {
            "step": current.step,
            "code": current.code,
            "url": url,
            "qr_svg": _qr_svg(url),
            "expires_in": current.expires_in,
            "rotation_seconds": checkin.policy_of(session).rotation_seconds,
        }
    labels = dict(AttendanceStatus.choices)
    flag_labels = dict(AttendanceFlag.choices)

    def student(s: checkin.CheckedIn) -> dict:
        return {
            "id": s.id,
            "name": s.name,
            "number": s.number,
            "status": s.status,
            "status_label": str(labels.get(s.status, s.status)),
            "at": s.at.isoformat() if s.at else None,
            "time": timezone.localtime(s.at).strftime("%H:%M") if s.at else "",
            "flags": s.flags,
            "flag_labels": [str(flag_labels.get(f, f)) for f in s.flags],
        }

    students = [student(s) for s in summary.students]
    return {
        "session": session.pk,
        "open": summary.open,
        "state": str(summary.state.reason),
        "state_text": summary.state.describe(),
        "code": code,
        "count": summary.count,
        "enrolled": summary.enrolled,
        "count_text": ngettext(
            "%(count)s of %(enrolled)s student checked in",
            "%(count)s of %(enrolled)s students checked in",
            summary.enrolled,
        )
        % {"count": summary.count, "enrolled": summary.enrolled},
        "students": students,
        "flagged": [s for s in students if s["flags"]],
    }


@never_cache
@login_required
@require_GET
def checkin_projector(request, session_id: int):
    session = _managed_session(request, session_id)
    if session is None:
        return _forbidden(request)
    return render(
        request,
        "classrooms/checkin_projector.html",
        {
            "session": session,
            "offering": session.offering,
            "state": _state(request, session),
            "code_url": request.build_absolute_uri(reverse("classrooms:checkin_code")),
        },
    )


@never_cache
@login_required
@require_GET
def checkin_state(request, session_id: int):
    session = _managed_session(request, session_id)
    if session is None:
        return JsonResponse({"error": _("This page is for the class's teachers.")}, status=403)
    return JsonResponse(_state(request, session))


@login_required
@require_POST
def checkin_open(request, session_id: int):
    session = _managed_session(request, session_id)
    if session is None:
        return _forbidden(request)
    try:
        checkin.open_checkin(session=session, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Check-in is open."))
    return redirect("classrooms:checkin_projector", session.pk)


@login_required
@require_POST
def checkin_close(request, session_id: int):
    session = _managed_session(request, session_id)
    if session is None:
        return _forbidden(request)
    checkin.close_checkin(session=session, by=request.user)
    messages.success(request, _("Check-in is closed."))
    return redirect("classrooms:checkin_projector", session.pk)
