"""Attendance views (being written)."""

from django.http import Http404


def session_attendance(request, session_id):
    raise Http404


def session_close(request, session_id):
    raise Http404


def leave_request(request, session_id):
    raise Http404


def my_leave_requests(request):
    raise Http404


def leave_withdraw(request, request_id):
    raise Http404


def leave_decide(request, request_id):
    raise Http404


def leave_attachment(request, request_id):
    raise Http404


def leave_requests(request, offering_id):
    raise Http404


def attendance_policy(request, offering_id):
    raise Http404
