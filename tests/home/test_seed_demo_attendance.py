"""The demo shows attendance already taken and a session to try the check-in on."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from classrooms.models import Attendance, AttendanceStatus, LeaveRequest, Session
from classrooms.services.checkin import is_open
from live.models import PollStatus
from lms.accounts.models import User

pytestmark = pytest.mark.django_db


def _seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_held_sessions_have_realistic_attendance_and_one_session_is_open_now():
    _seed()
    now = timezone.now()
    held = Session.objects.filter(ends_at__lte=now, status="scheduled").exclude(
        uid__startswith="demo-open-"
    )
    assert held.exists()
    for session in held:
        statuses = list(Attendance.objects.filter(session=session).values_list("status", flat=True))
        assert len(statuses) == 30  # every student has a record
        assert statuses.count(AttendanceStatus.PRESENT) > 15
        assert AttendanceStatus.EXCUSED in statuses
    assert LeaveRequest.objects.filter(status="approved").count() == held.count()

    open_session = Session.objects.get(uid__startswith="demo-open-")
    assert is_open(open_session, now)
    assert not Attendance.objects.filter(session=open_session).exists()
    polls = open_session.live_room.polls.all()
    assert [p.status for p in polls] == [PollStatus.DRAFT, PollStatus.DRAFT]

    teacher = User.objects.get(number="teacher1")
    from tests.conftest import login_client

    projector = login_client(teacher).get(
        reverse("classrooms:checkin_projector", args=[open_session.pk])
    )
    assert projector.status_code == 200


def test_seeding_again_adds_no_attendance():
    _seed()
    counts = (Attendance.objects.count(), LeaveRequest.objects.count(), Session.objects.count())
    _seed()
    assert (
        Attendance.objects.count(),
        LeaveRequest.objects.count(),
        Session.objects.count(),
    ) == counts
