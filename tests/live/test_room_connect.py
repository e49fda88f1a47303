"""Joining a live room through the real ASGI application: who gets in, with which role, and
the close codes of those refused."""

import pytest
from channels.db import database_sync_to_async as db

from classrooms.models import SessionStatus
from live.models import LiveRoom
from tests.factories import StudentFactory, TeacherFactory
from tests.live.roomkit import (
    close_code,
    connect,
    fresh_channel_layer,  # noqa: F401 (a fixture)
    make_class,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_channel_layer"),
]


async def test_an_enrolled_student_joins_as_student_and_gets_the_state_first():
    klass = await db(make_class)(2)
    screen = await connect(klass.students[0], klass.session)
    state = screen.state
    assert state["role"] == "student"
    assert state["seq"] == 0
    assert state["session"]["id"] == klass.session.pk
    assert state["me"] == {
        "id": klass.students[0].pk,
        "name": klass.students[0].display_name,
        "checked_in": False,
        "hand": False,
        "muted": False,
    }
    assert state["checkin"] == {"open": True, "count": 0, "enrolled": 2}
    assert state["poll"] is None
    assert "prepared" not in state and "hands" not in state and "muted" not in state
    await screen.leave()


async def test_the_teacher_joins_as_teacher_or_projector():
    klass = await db(make_class)(1)
    console = await connect(klass.teacher, klass.session)
    wall = await connect(klass.teacher, klass.session, view="projector")
    assert console.state["role"] == "teacher"
    assert {"prepared", "hands", "muted"} <= set(console.state)
    assert console.state["checkin"]["students"] == []
    assert wall.state["role"] == "projector"
    assert "prepared" not in wall.state and "hands" not in wall.state
    assert wall.state["checkin"]["students"] == []
    # a student asking for the projector view is still a student
    phone = await connect(klass.students[0], klass.session, view="projector")
    assert phone.state["role"] == "student"
    # each screen is in its own audience: the phone gets the students' version of events
    await console.request(type="poll.open", kind="true_false", prompt="?", correct=True)
    assert (await phone.expect("poll.opened"))["poll"]["results"] is None
    assert (await wall.expect("poll.opened"))["poll"]["results"] == {"counts": [0, 0]}
    assert (await console.expect("poll.opened"))["poll"]["results"] == {"counts": [0, 0]}
    assert await phone.nothing(0.1)
    assert await db(LiveRoom.objects.count)() == 1
    for screen in (console, wall, phone):
        await screen.leave()


async def test_refusals_close_with_the_documented_codes():
    klass = await db(make_class)(1)
    outsider = await db(StudentFactory)()
    other_teacher = await db(TeacherFactory)()
    assert await close_code(None, klass.session.pk) == 4401
    assert await close_code(outsider, klass.session.pk) == 4403
    assert await close_code(other_teacher, klass.session.pk) == 4403
    assert await close_code(klass.students[0], 999_999) == 4404
    klass.session.status = SessionStatus.CANCELLED
    await db(klass.session.save)()
    assert await close_code(klass.students[0], klass.session.pk) == 4410
    assert await db(LiveRoom.objects.count)() == 0


def test_messages_follow_the_language_cookie_then_the_browser():
    from live.consumers import language_of

    def scope(cookie=b"", accept=b""):
        return {"headers": [(b"cookie", cookie), (b"accept-language", accept)]}

    assert language_of(scope()) == "en"
    assert language_of(scope(accept=b"zh-CN,zh;q=0.9,en;q=0.8")) == "zh-hans"
    assert language_of(scope(cookie=b"django_language=en", accept=b"zh-CN")) == "en"
    assert language_of(scope(cookie=b"bad cookie;;=", accept=b"fr")) == "en"


async def test_a_failure_while_entering_closes_with_1011_and_leaks_nothing(monkeypatch):
    import importlib

    snapshot_module = importlib.import_module("live.services.snapshot")

    def broken(room, user, role, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(snapshot_module, "snapshot", broken)
    klass = await db(make_class)(1)
    assert await close_code(klass.students[0], klass.session.pk) == 1011


async def test_a_broadcast_is_encoded_once_per_audience_not_once_per_screen(monkeypatch):
    from live.services import events

    klass = await db(make_class)(6)
    console = await connect(klass.teacher, klass.session)
    phones = [await connect(student, klass.session) for student in klass.students]
    encoded = []
    real = events.encode

    def counting(frame):
        encoded.append(frame["type"])
        return real(frame)

    monkeypatch.setattr(events, "encode", counting)
    await console.request(type="poll.open", kind="true_false", prompt="?", correct=True)
    for phone in phones:
        await phone.expect("poll.opened")
    # students, projectors, teachers: three encodings for seven screens
    assert encoded.count("poll.opened") == 3
    for screen in (console, *phones):
        await screen.leave()
