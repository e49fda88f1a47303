"""Random call: only students present, favouring those called less often, recorded."""

import random
from collections import Counter

import pytest

from live.models import RandomCall
from live.services import join, random_call
from live.services.common import Refused
from tests.factories.attendance import make_attendance, make_session_now
from tests.live.roomkit import make_class

pytestmark = pytest.mark.django_db


@pytest.fixture
def klass():
    return make_class(4)


@pytest.fixture
def room(klass):
    return join(klass.session.pk, klass.teacher).room


def test_nobody_present_means_no_one_to_call(room, klass):
    make_attendance(klass.session, klass.students[0], status="absent")
    make_attendance(klass.session, klass.students[1], status="excused")
    with pytest.raises(Refused) as info:
        random_call(room=room, by=klass.teacher)
    assert info.value.code == "no_one_present"
    assert RandomCall.objects.count() == 0
    room.refresh_from_db()
    assert room.seq == 0


def test_only_students_present_or_late_are_called_and_each_call_is_recorded(room, klass):
    a, b, c, _ = klass.students
    make_attendance(klass.session, a, status="present")
    make_attendance(klass.session, b, status="late")
    make_attendance(klass.session, c, status="absent")
    rng = random.Random(1)
    called = {random_call(room=room, by=klass.teacher, rng=rng).ack["student"] for _ in range(20)}
    assert called == {a.pk, b.pk}
    assert RandomCall.objects.count() == 20
    [event] = random_call(room=room, by=klass.teacher, rng=rng).events
    frame = event.frames["students"]
    assert frame["type"] == "call" and frame["student"]["id"] in {a.pk, b.pk}
    assert event.frames["students"] == event.frames["teachers"] == event.frames["projectors"]


def test_students_called_less_often_this_term_are_favoured(room, klass):
    a, b, *_ = klass.students
    for student in (a, b):
        make_attendance(klass.session, student)
    # a was called 3 times in an earlier session of this offering; b never
    earlier = make_session_now(klass.offering, minutes_from_start=60 * 24 * 7)
    earlier_room = join(earlier.pk, klass.teacher).room
    for _ in range(3):
        RandomCall.objects.create(
            room=earlier_room, student=a, called_by=klass.teacher, called_at=earlier.starts_at
        )
    # calls in another offering do not count
    other = make_class(1)
    other_room = join(other.session.pk, other.teacher).room
    RandomCall.objects.create(
        room=other_room, student=b, called_by=other.teacher, called_at=other.session.starts_at
    )
    rng = random.Random(42)
    firsts = Counter()
    for _ in range(200):
        outcome = random_call(room=room, by=klass.teacher, rng=rng)
        firsts[outcome.ack["student"]] += 1
        RandomCall.objects.filter(pk=RandomCall.objects.latest("id").pk).delete()  # keep counts
    # weights 1/4 against 1/1: b is called about 4 times as often as a
    assert firsts[b.pk] > 2.5 * firsts[a.pk]
    assert firsts[a.pk] > 0
