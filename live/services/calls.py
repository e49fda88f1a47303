"""随机点名: the teacher calls a student at random among those present."""

from __future__ import annotations

import random
from datetime import datetime

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classrooms.models import Attendance, AttendanceStatus
from live.models import LiveRoom, RandomCall
from live.services.common import Outcome, Refused, iso, person
from live.services.events import EVERYONE, make_event
from live.services.rooms import durable, next_seq

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
_system_random = random.SystemRandom()


def call_frame(call: RandomCall) -> dict:
    return {"id": call.pk, "student": person(call.student), "at": iso(call.called_at)}


def weights_for(room: LiveRoom, students: list) -> list[float]:
    """1 / (1 + times called in this offering so far) for each of ``students``: a student
    called less often this term is more likely to be called. One query."""
    counts = dict(
        RandomCall.objects.filter(
            room__session__offering_id=room.session.offering_id,
            student__in=[s.pk for s in students],
        )
        .values_list("student_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [1 / (1 + counts.get(s.pk, 0)) for s in students]


def random_call(
    *, room: LiveRoom, by, rng: random.Random | None = None, now: datetime | None = None
) -> Outcome:
    """Call one of the students checked in (present or late) to this session, weighted
    towards those called less often in this offering, and record the call. Refused with
    no_one_present when nobody is checked in. Atomic (calls in one room are serial, so
    the counts are current); for the room's teachers. ``rng`` is for tests."""
    with durable():
        seq = next_seq(room.pk)
        present = [
            a.student
            for a in Attendance.objects.filter(session_id=room.session_id, status__in=ATTENDED)
            .select_related("student")
            .order_by("student_id")
        ]
        if not present:
            raise Refused("no_one_present", _("Nobody has checked in yet."))
        student = (rng or _system_random).choices(present, weights_for(room, present))[0]
        call = RandomCall.objects.create(
            room=room, student=student, called_by=by, called_at=now or timezone.now()
        )
    event = make_event(room, seq, "call", {a: call_frame(call) for a in EVERYONE})
    return Outcome(ack={"student": student.pk}, events=[event])
