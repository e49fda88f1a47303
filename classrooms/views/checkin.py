"""Check-in views (being written)."""

from django.http import Http404


def checkin_code(request):
    raise Http404


def checkin_complete(request):
    raise Http404


def checkin_scan(request, session_id, step, token):
    raise Http404


def checkin_projector(request, session_id):
    raise Http404


def checkin_state(request, session_id):
    raise Http404


def checkin_open(request, session_id):
    raise Http404


def checkin_close(request, session_id):
    raise Http404
