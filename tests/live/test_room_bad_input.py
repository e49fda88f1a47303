"""Bad input over the real ASGI application: each gets an error frame or a documented close
code, never an exception escaping and never a change of state."""

import json

import pytest
from channels.db import database_sync_to_async as db

from classrooms.models import ClassAnswer
from live.models import Comment, LiveRoom, Mute, Poll, RandomCall
from tests.factories.attendance import make_attendance
from tests.live.roomkit import (
    connect,
    everyone,
    fresh_channel_layer,  # noqa: F401 (a fixture)
    leave_all,
    make_class,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_channel_layer"),
]


async def counts():
    def read():
        return {
            "seq": LiveRoom.objects.get().seq,
            "polls": Poll.objects.count(),
            "answers": ClassAnswer.objects.count(),
            "comments": Comment.objects.count(),
            "mutes": Mute.objects.count(),
            "calls": RandomCall.objects.count(),
        }

    return await db(read)()


async def test_malformed_frames_get_error_frames_and_the_socket_stays_up():
    klass = await db(make_class)(1)
    phone = await connect(klass.students[0], klass.session)
    for text in ["{not json", "[1, 2]", '"a string"', "null"]:
        await phone.send_raw(text=text)
        error = await phone.expect("error")
        assert (error["code"], error["ref"]) == ("malformed", None)
    await phone.send_raw(data=b"\x00\x01binary")
    assert (await phone.expect("error"))["code"] == "malformed"
    await phone.send(type="no.such.thing", ref="x1")
    assert await phone.expect("error") == {
        "type": "error",
        "ref": "x1",
        "code": "unknown_type",
        "message": "Unknown message type.",
    }
    await phone.send(ref="x2")
    assert (await phone.expect("error"))["code"] == "unknown_type"
    await phone.send(type="sync", ref="r" * 65)
    assert (await phone.expect("error"))["code"] == "invalid"
    await phone.send(type="sync")
    assert (await phone.expect("state"))["type"] == "state"
    await phone.leave()


async def test_an_oversized_frame_closes_with_1009():
    klass = await db(make_class)(1)
    phone = await connect(klass.students[0], klass.session)
    await phone.send(type="comment", text="x" * (8 * 1024))
    assert await phone.close_code() == 1009
    assert await db(Comment.objects.count)() == 0
    await phone.leave()


async def test_a_frame_of_exactly_8_kib_is_read():
    klass = await db(make_class)(1)
    phone = await connect(klass.students[0], klass.session)
    frame = {"type": "sync", "pad": ""}
    frame["pad"] = "x" * (8 * 1024 - len(json.dumps(frame)))
    await phone.send_raw(text=json.dumps(frame))
    assert (await phone.expect("state"))["type"] == "state"
    await phone.leave()


async def test_more_than_30_errors_in_a_minute_close_with_4429():
    klass = await db(make_class)(1)
    phone = await connect(klass.students[0], klass.session)
    for _ in range(30):
        await phone.send_raw(text="oops")
        assert (await phone.expect("error"))["code"] == "malformed"
    await phone.send_raw(text="oops")
    assert await phone.close_code() == 4429
    await phone.leave()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "poll.open", "kind": "true_false", "prompt": "?", "correct": True},
        {"type": "poll.close", "poll": 1},
        {"type": "mute", "student": 1, "muted": True},
        {"type": "call"},
        {"type": "comment.hide", "comment": 1},
        {"type": "question.answered", "question": 1},
        {"type": "hand.lower", "student": 1},
        {"type": "checkin.close"},
    ],
)
async def test_a_student_sending_a_teachers_message_is_refused_and_nothing_changes(frame):
    klass = await db(make_class)(1)
    await db(make_attendance)(klass.session, klass.students[0])
    phone = await connect(klass.students[0], klass.session)
    before = await counts()
    error = await phone.request(**frame)
    assert (error["type"], error["code"]) == ("error", "forbidden")
    assert await counts() == before
    await phone.leave()


async def test_teachers_and_projectors_cannot_send_students_messages():
    klass = await db(make_class)(1)
    console, wall, _phone = screens = await everyone(klass)
    before = await counts()
    assert (await console.request(type="comment", text="hi"))["code"] == "forbidden"
    assert (await wall.request(type="poll.open", kind="true_false", prompt="?"))[
        "code"
    ] == "forbidden"
    assert await counts() == before
    await leave_all(*screens)


async def test_invalid_fields_are_refused_and_nothing_changes():
    klass = await db(make_class)(2)
    console, _wall, phone, _ = screens = await everyone(klass)
    poll = (
        await console.request(
            type="poll.open", kind="single", prompt="?", options=["A", "B"], correct=None
        )
    )["poll"]
    before = await counts()
    for frame, code in [
        ({"type": "answer", "poll": poll, "key": "good-key-1", "value": 5}, "invalid"),
        ({"type": "answer", "poll": poll, "key": "short", "value": 0}, "invalid"),
        ({"type": "answer", "poll": str(poll), "key": "good-key-1", "value": 0}, "invalid"),
        ({"type": "answer", "poll": poll + 99, "key": "good-key-1", "value": 0}, "not_found"),
        ({"type": "answer", "poll": poll, "value": 0}, "invalid"),
        ({"type": "answer", "poll": 2**63, "key": "good-key-1", "value": 0}, "invalid"),
        ({"type": "vote", "question": 2**63}, "not_found"),
        ({"type": "comment", "text": ""}, "invalid"),
        ({"type": "comment", "text": "x" * 101}, "invalid"),
        ({"type": "ask", "text": ["list"]}, "invalid"),
        ({"type": "vote", "question": 12345}, "not_found"),
        ({"type": "hand", "raised": "yes"}, "invalid"),
    ]:
        error = await phone.request(**frame)
        assert (error["type"], error["code"]) == ("error", code), frame
    for frame, code in [
        ({"type": "poll.open", "kind": "single", "prompt": "?", "options": ["A"]}, "invalid"),
        ({"type": "poll.open", "poll": 12345}, "not_found"),
        ({"type": "poll.open", "question": 12345}, "not_found"),
        ({"type": "poll.close", "poll": 12345}, "not_found"),
        ({"type": "mute", "student": 12345, "muted": True}, "not_found"),
        ({"type": "mute", "student": klass.students[0].pk}, "invalid"),
        ({"type": "comment.hide", "comment": 12345}, "not_found"),
        ({"type": "hand.lower", "student": "me"}, "not_found"),
        ({"type": "mute", "student": 2**63, "muted": True}, "not_found"),
        ({"type": "comment.hide", "comment": -(2**70)}, "invalid"),
        ({"type": "poll.open", "question": 2**64}, "invalid"),
        ({"type": "poll.close", "poll": 2**64}, "invalid"),
    ]:
        error = await console.request(**frame)
        assert (error["type"], error["code"]) == ("error", code), frame
    assert await counts() == before
    await leave_all(*screens)


async def test_an_unexpected_failure_becomes_an_error_frame(monkeypatch):
    from live import services

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "post_comment", broken)
    klass = await db(make_class)(1)
    phone = await connect(klass.students[0], klass.session)
    error = await phone.request(type="comment", text="hello")
    assert (error["type"], error["code"]) == ("error", "server_error")
    await phone.send(type="sync")
    assert (await phone.expect("state"))["type"] == "state"
    await phone.leave()
