"""Attendance report views (being written)."""

from django.http import Http404


def offering_report(request, offering_id):
    raise Http404


def offering_report_xlsx(request, offering_id):
    raise Http404


def student_report(request, offering_id, student_id):
    raise Http404


def sign_in_sheet(request, session_id):
    raise Http404
