"""Polls over the real ASGI application: opening, answering with acks after commit,
coalesced live results for teachers and projectors, closing, countdowns."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async as db
from django.utils import timezone

from classrooms.models import ClassAnswer
from live.models import LiveRoom, Poll
from live.services import polls
from tests.factories.courses import single_choice
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

TYPED = {
    "type": "poll.open",
    "kind": "single",
    "prompt": "Which structure is LIFO?",
    "options": ["Queue", "Stack", "Heap"],
    "correct": [1],
}


async def test_a_poll_opens_for_everyone_with_what_each_role_may_see():
    klass = await db(make_class)(2)
    console, wall, phone, _ = screens = await everyone(klass)
    ack = await console.request(**TYPED)
    assert ack["type"] == "ack" and ack["for"] == "poll.open"
    poll_id = ack["poll"]
    staff = (await console.expect("poll.opened"))["poll"]
    assert (await wall.expect("poll.opened"))["poll"] == staff
    assert staff["results"] == {"counts": [0, 0, 0]} and staff["answered"] == 0
    assert staff["correct"] is None and staff["status"] == "open"
    mine = (await phone.expect("poll.opened"))["poll"]
    assert mine["id"] == poll_id
    assert mine["results"] is None and mine["answered"] is None and mine["correct"] is None
    assert mine["your_answer"] is None
    await leave_all(*screens)


async def test_an_answer_is_acknowledged_after_it_is_written_and_results_follow():
    klass = await db(make_class)(2)
    console, wall, phone, other = screens = await everyone(klass)
    poll_id = (await console.request(**TYPED))["poll"]
    await phone.expect("poll.opened")
    ack = await phone.request(type="answer", poll=poll_id, key="answer-key-1", value=1)
    assert ack == {
        "type": "ack",
        "ref": ack["ref"],
        "for": "answer",
        "poll": poll_id,
        "key": "answer-key-1",
        "duplicate": False,
    }
    # the row exists once the ack is out
    assert await db(ClassAnswer.objects.filter(key="answer-key-1", correct=True).count)() == 1
    results = await console.expect("poll.results")
    assert (results["answered"], results["results"]) == (1, {"counts": [0, 1, 0]})
    assert (await wall.expect("poll.results"))["results"] == {"counts": [0, 1, 0]}
    # a retry with the same key: one row, a second ack marked duplicate
    again = await phone.request(type="answer", poll=poll_id, key="answer-key-1", value=1)
    assert again["duplicate"] is True
    assert await db(ClassAnswer.objects.count)() == 1
    # students never get the running results
    await other.expect("poll.opened")
    assert await other.nothing(0.4)
    await leave_all(*screens)


async def test_results_are_coalesced_to_at_most_four_a_second():
    klass = await db(make_class)(8)
    console, _wall, *phones = screens = await everyone(klass)
    poll_id = (await console.request(**TYPED))["poll"]
    for i, phone in enumerate(phones):
        await phone.send(type="answer", poll=poll_id, key=f"burst-key-{i}", value=i % 3)
    for phone in phones:
        await phone.expect("ack")
    await asyncio.sleep(0.6)
    updates = []
    while not await console.nothing(0.05):
        frame = await console.recv()
        if frame["type"] == "poll.results":
            updates.append(frame)
    assert 1 <= len(updates) <= 3  # answers sent within well under a second
    assert updates[-1]["answered"] == 8
    assert updates[-1]["results"] == {"counts": [3, 3, 2]}
    await leave_all(*screens)


async def test_closing_reveals_the_answer_and_each_student_learns_if_they_were_right():
    klass = await db(make_class)(2)
    console, _wall, right, wrong = screens = await everyone(klass)
    poll_id = (await console.request(**TYPED))["poll"]
    await right.request(type="answer", poll=poll_id, key="right-key-1", value=1)
    await wrong.request(type="answer", poll=poll_id, key="wrong-key-1", value=2)
    await console.request(type="poll.close", poll=poll_id)
    for screen in screens:
        closed = await screen.expect("poll.closed")
        assert closed["correct"] == [1]
        assert closed["answered"] == 2 and closed["results"] == {"counts": [0, 1, 1]}
    await right.send(type="sync")
    assert (await right.expect("state"))["poll"]["you_were_right"] is True
    await wrong.send(type="sync")
    assert (await wrong.expect("state"))["poll"]["you_were_right"] is False
    late = await right.request(type="answer", poll=poll_id, key="right-key-2", value=1)
    assert late["type"] == "ack" and late["duplicate"] is True
    await leave_all(*screens)


async def test_an_answer_to_a_closed_poll_is_refused_and_not_written():
    klass = await db(make_class)(1)
    console, _wall, phone = screens = await everyone(klass)
    poll_id = (await console.request(**TYPED))["poll"]
    await console.request(type="poll.close", poll=poll_id)
    error = await phone.request(type="answer", poll=poll_id, key="too-late-1", value=1)
    assert (error["type"], error["code"]) == ("error", "poll_closed")
    assert error["message"] == "This poll is closed."
    assert await db(ClassAnswer.objects.count)() == 0
    await leave_all(*screens)


async def test_opening_from_the_bank_or_a_prepared_poll_closes_the_open_one():
    klass = await db(make_class)(1)
    question = await db(single_choice)(course=klass.course)
    console = await connect(klass.teacher, klass.session)
    room = await db(LiveRoom.objects.get)()
    draft = await db(Poll.objects.create)(
        room=room,
        kind="true_false",
        prompt="Heaps are trees.",
        correct=True,
        source="prepared",
        created_by=klass.teacher,
    )
    first = (await console.request(type="poll.open", question=question.pk))["poll"]
    opened = await console.expect("poll.opened")
    assert opened["poll"]["options"] == ["3", "4", "5"]
    await console.request(type="poll.open", poll=draft.pk)
    closed = await console.expect("poll.closed")
    assert closed["poll"] == first and closed["correct"] == [1]
    assert (await console.expect("poll.opened"))["poll"]["id"] == draft.pk
    await console.send(type="sync")
    state = await console.expect("state")
    assert state["prepared"] == [] and state["poll"]["id"] == draft.pk
    await console.leave()


async def test_the_console_closes_a_poll_when_its_countdown_ends():
    klass = await db(make_class)(1)
    console, _wall, phone = screens = await everyone(klass)
    poll_id = (await console.request(**TYPED, seconds=10))["poll"]
    # shorten the countdown, then a console (re)connects and watches it
    soon = timezone.now() + timedelta(seconds=0.3)
    await db(Poll.objects.filter(pk=poll_id).update)(closes_at=soon)
    second = await connect(klass.teacher, klass.session)
    closed = await phone.expect("poll.closed", timeout=3)
    assert closed["poll"] == poll_id
    assert await db(Poll.objects.filter(pk=poll_id, status="closed").count)() == 1
    await leave_all(*screens, second)


async def test_a_countdown_ends_the_poll_even_after_the_console_has_gone(monkeypatch):
    monkeypatch.setattr(polls, "MIN_SECONDS", 1)
    klass = await db(make_class)(1)
    console, wall, phone = await everyone(klass)
    poll_id = (await console.request(**TYPED, seconds=1))["poll"]
    await console.leave()  # the teacher closed the laptop
    closed = await phone.expect("poll.closed", timeout=4)
    assert (closed["poll"], closed["correct"]) == (poll_id, [1])
    assert (await wall.expect("poll.closed", timeout=1))["poll"] == poll_id
    await leave_all(wall, phone)


async def test_a_projector_that_connects_during_a_countdown_closes_the_poll_at_its_end():
    klass = await db(make_class)(1)
    console, wall, phone = await everyone(klass)
    poll_id = (await console.request(**TYPED, seconds=10))["poll"]
    await console.leave()
    await wall.leave()
    # shorten the countdown, as if the server that watched it had restarted meanwhile
    soon = timezone.now() + timedelta(seconds=0.3)
    await db(Poll.objects.filter(pk=poll_id).update)(closes_at=soon)
    projector = await connect(klass.teacher, klass.session, view="projector")
    closed = await phone.expect("poll.closed", timeout=3)
    assert closed["poll"] == poll_id
    await leave_all(projector, phone)


async def test_a_key_already_used_for_another_poll_is_refused():
    klass = await db(make_class)(1)
    console, _wall, phone = screens = await everyone(klass)
    first = (await console.request(**TYPED))["poll"]
    await phone.request(type="answer", poll=first, key="reused-key-1", value=1)
    second = (await console.request(**TYPED))["poll"]
    error = await phone.request(type="answer", poll=second, key="reused-key-1", value=0)
    assert (error["type"], error["code"]) == ("error", "invalid")
    assert await db(ClassAnswer.objects.count)() == 1
    await leave_all(*screens)
