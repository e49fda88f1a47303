"""Reconnect equality: a screen that stayed connected and applied every event it received
to its first ``state`` shows what a fresh ``state`` shows (docs/live-protocol.md)."""

import pytest
from channels.db import database_sync_to_async as db
from django.core.cache import cache
from django.utils import timezone

from classrooms.services.attendance import mark_many
from classrooms.signals import checked_in
from live.models import Poll, RoomQuestion
from live.services import join
from tests.factories.attendance import make_attendance
from tests.live.roomkit import (
    Screen,
    connect,
    fresh_channel_layer,  # noqa: F401 (a fixture)
    leave_all,
    make_class,
    replay,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_channel_layer"),
]


async def drain(screen: Screen) -> None:
    while not await screen.nothing(0.3):
        await screen.recv()


def prepare(klass):
    room = join(klass.session.pk, klass.teacher).room
    make_attendance(klass.session, klass.students[2], checked_in_at=timezone.now())
    return Poll.objects.create(
        room=room,
        kind="true_false",
        prompt="A heap is a complete binary tree.",
        correct=True,
        source="prepared",
        created_by=klass.teacher,
    )


async def test_a_screen_that_stayed_connected_equals_a_fresh_state():
    cache.clear()
    klass = await db(make_class)(4)
    prepared = await db(prepare)(klass)
    s1, s2, s3, s4 = klass.students
    console = await connect(klass.teacher, klass.session)
    wall = await connect(klass.teacher, klass.session, view="projector")
    one, two, three = [await connect(s, klass.session) for s in (s1, s2, s3)]
    screens = [console, wall, one, two, three]

    # comments, one hidden
    await one.request(type="comment", text="Nice example")
    rude = (await one.request(type="comment", text="boring"))["comment"]
    await console.request(type="comment.hide", comment=rude)
    # questions, votes, one answered
    q2 = (await two.request(type="ask", text="Why a heap?"))["question"]
    q1 = (await one.request(type="ask", text="Is it stable?"))["question"]
    await three.request(type="vote", question=q2)
    await one.request(type="vote", question=q2)
    await two.request(type="vote", question=q1)
    await console.request(type="question.answered", question=q1)
    # hands
    await one.request(type="hand", raised=True)
    await two.request(type="hand", raised=True)
    await console.request(type="hand.lower", student=s2.pk)
    # mutes
    await console.request(type="mute", student=s3.pk, muted=True)
    await console.request(type="mute", student=s2.pk, muted=True)
    await console.request(type="mute", student=s2.pk, muted=False)
    # check-in: closed and reopened by hand, one student checks in over HTTP
    await console.request(type="checkin.close")
    await console.request(type="checkin.open")

    def check_in_over_http():
        attendance = make_attendance(klass.session, s1, checked_in_at=timezone.now())
        checked_in.send(sender=None, attendance=attendance)

    await db(check_in_over_http)()
    # the teacher marks by hand: s3 (checked in) absent after all, s4 present
    await db(mark_many)(
        session=klass.session, statuses={s3.pk: "absent", s4.pk: "present"}, by=klass.teacher
    )
    # random calls among the two present
    await console.request(type="call")
    await console.request(type="call")
    # a prepared poll answered and then closed by opening a typed one
    await console.request(type="poll.open", poll=prepared.pk)
    for phone in (one, two, three):
        await phone.expect("poll.opened")  # a page answers the poll it shows
    await one.request(type="answer", poll=prepared.pk, key="one-key-01", value=True)
    await two.request(type="answer", poll=prepared.pk, key="two-key-01", value=False)
    await console.expect("poll.results")
    typed = (
        await console.request(
            type="poll.open",
            kind="multiple",
            prompt="Which are O(log n)?",
            options=["heap push", "array scan", "BST search (balanced)"],
            correct=[0, 2],
        )
    )["poll"]
    for phone in (one, two, three):
        while (await phone.expect("poll.opened"))["poll"]["id"] != typed:
            pass
    await one.request(type="answer", poll=typed, key="one-key-02", value=[0, 2])
    await three.request(type="answer", poll=typed, key="three-key-02", value=[1])
    await three.request(type="answer", poll=typed, key="three-key-02", value=[1])  # a retry
    for screen in screens:
        await drain(screen)

    for screen in screens:
        view = "projector" if screen is wall else None
        fresh = await connect(screen.user, klass.session, view=view)
        kept = replay(screen)
        assert kept["seq"] <= fresh.state["seq"]
        for key in fresh.state:
            if key != "seq":
                assert kept[key] == fresh.state[key], (screen.state["role"], key)
        assert set(kept) == set(fresh.state)
        await fresh.leave()

    # the states are not trivially equal: each kind of event was applied
    teacher = replay(console)
    assert teacher["poll"]["id"] == typed and teacher["poll"]["answered"] == 2
    assert [c["hidden"] for c in teacher["comments"]] == [False, True]
    assert [q["id"] for q in teacher["questions"]] == [q2, q1]
    assert [h["student"]["id"] for h in teacher["hands"]] == [s1.pk]
    assert teacher["muted"] == [s3.pk] and len(teacher["calls"]) == 2
    assert teacher["checkin"]["count"] == 2 and teacher["prepared"] == []
    phone = replay(one)
    assert phone["me"] == {**phone["me"], "checked_in": True, "hand": True, "muted": False}
    assert phone["poll"]["your_answer"] == [0, 2] and phone["poll"]["results"] is None
    assert replay(three)["me"]["muted"] is True and replay(three)["me"]["checked_in"] is False
    wall_names = [s["id"] for s in replay(wall)["checkin"]["students"]]
    assert sorted(wall_names) == sorted([s1.pk, s4.pk])
    assert [q["voted"] for q in replay(three)["questions"]] == [True, False]
    await leave_all(*screens)


async def test_events_already_in_the_state_are_not_sent_again():
    klass = await db(make_class)(1)
    console = await connect(klass.teacher, klass.session)
    await db(make_attendance)(klass.session, klass.students[0])
    phone = await connect(klass.students[0], klass.session)
    await console.request(type="call")
    call = await phone.expect("call")
    assert call["seq"] > phone.state["seq"]
    await phone.send(type="sync")
    state = await phone.expect("state")
    assert state["seq"] == call["seq"] and len(state["calls"]) == 1
    await console.request(type="call")
    assert (await phone.expect("call"))["seq"] == state["seq"] + 1
    await leave_all(console, phone)


async def test_screens_stay_equal_when_many_act_at_once():
    import asyncio

    cache.clear()
    klass = await db(make_class)(6)
    console = await connect(klass.teacher, klass.session)
    wall = await connect(klass.teacher, klass.session, view="projector")
    phones = [await connect(s, klass.session) for s in klass.students]
    screens = [console, wall, *phones]
    poll = (
        await console.request(
            type="poll.open", kind="word_cloud", prompt="One word for trees", correct=None
        )
    )["poll"]
    for phone in phones:
        await phone.expect("poll.opened")

    async def act(i, phone):
        await phone.request(type="answer", poll=poll, key=f"cloud-key-{i}", value=f"w{i % 3}")
        await phone.request(type="comment", text=f"comment {i}")
        await phone.request(type="ask", text=f"question {i}")
        await phone.request(type="hand", raised=True)

    await asyncio.gather(*(act(i, p) for i, p in enumerate(phones)))
    questions = await db(lambda: list(RoomQuestion.objects.values_list("id", flat=True)))()

    async def vote_all(phone):
        for question in questions:
            await phone.request(type="vote", question=question)

    async def moderate():
        await console.request(type="hand.lower", student=klass.students[0].pk)
        await console.request(type="mute", student=klass.students[1].pk, muted=True)

    await asyncio.gather(*(vote_all(p) for p in phones), moderate())
    for screen in screens:
        await drain(screen)
    for screen in screens:
        view = "projector" if screen is wall else None
        fresh = await connect(screen.user, klass.session, view=view)
        kept = replay(screen)
        for key in fresh.state:
            if key != "seq":
                assert kept[key] == fresh.state[key], (screen.state["role"], key)
        await fresh.leave()
    assert replay(console)["poll"]["answered"] == 6
    assert all(q["votes"] == 6 for q in replay(console)["questions"])
    await leave_all(*screens)
