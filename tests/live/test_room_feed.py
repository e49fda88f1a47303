"""Comments, Q&A, hands, mutes, random call and the check-in wall over the real ASGI
application: who receives which event, and with what."""

import pytest
from channels.db import database_sync_to_async as db
from django.core.cache import cache

from classrooms.signals import checked_in
from live.models import Comment, RandomCall
from tests.factories.attendance import make_attendance
from tests.live.roomkit import (
    everyone,
    fresh_channel_layer,  # noqa: F401 (a fixture)
    leave_all,
    make_class,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_channel_layer"),
]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def person(user) -> dict:
    return {"id": user.pk, "name": user.display_name, "number": user.number}


async def test_comments_are_anonymous_to_students_and_the_projector_but_not_the_teacher():
    klass = await db(make_class)(2)
    console, wall, author, classmate = screens = await everyone(klass)
    ack = await author.request(type="comment", text="Slower please")
    assert ack["for"] == "comment"
    signed = (await console.expect("comment"))["comment"]
    assert signed["student"] == person(klass.students[0]) and signed["text"] == "Slower please"
    for screen in (wall, author, classmate):
        comment = (await screen.expect("comment"))["comment"]
        assert "student" not in comment and comment["id"] == ack["comment"]
    await console.request(type="comment.hide", comment=ack["comment"])
    for screen in screens:
        assert (await screen.expect("comment.hidden"))["comment"] == ack["comment"]
    await classmate.send(type="sync")
    assert (await classmate.expect("state"))["comments"] == []
    await console.send(type="sync")
    assert (await console.expect("state"))["comments"][0]["hidden"] is True
    await leave_all(*screens)


async def test_a_sixth_comment_within_ten_seconds_is_refused():
    klass = await db(make_class)(1)
    _console, _wall, phone = screens = await everyone(klass)
    for i in range(5):
        assert (await phone.request(type="comment", text=f"c{i}"))["type"] == "ack"
    error = await phone.request(type="comment", text="one more")
    assert error["code"] == "rate_limited"
    assert await db(Comment.objects.count)() == 5
    await leave_all(*screens)


async def test_a_muted_student_is_told_and_their_comments_refused():
    klass = await db(make_class)(2)
    console, _wall, muted, other = screens = await everyone(klass)
    student = klass.students[0]
    await console.request(type="mute", student=student.pk, muted=True)
    event = await console.expect("mute")
    assert (event["student"], event["muted"]) == (student.pk, True)
    mine = await muted.expect("mute")
    assert mine == {"type": "mute", "seq": mine["seq"], "muted": True}
    assert (await muted.request(type="comment", text="hi"))["code"] == "muted"
    assert (await muted.request(type="ask", text="why?"))["code"] == "muted"
    assert await other.nothing(0.1)
    await console.request(type="mute", student=student.pk, muted=False)
    assert (await muted.expect("mute"))["muted"] is False
    assert (await muted.request(type="comment", text="hi"))["type"] == "ack"
    await leave_all(*screens)


async def test_questions_votes_and_answered_reach_everyone():
    klass = await db(make_class)(2)
    console, wall, asker, voter = screens = await everyone(klass)
    question = (await asker.request(type="ask", text="What is amortised cost?"))["question"]
    signed = (await console.expect("question"))["question"]
    assert signed["student"] == person(klass.students[0]) and signed["votes"] == 0
    for screen in (wall, asker, voter):
        assert "student" not in (await screen.expect("question"))["question"]
    assert (await voter.request(type="vote", question=question))["duplicate"] is False
    mine = await voter.expect("question.votes")
    assert (mine["votes"], mine["voted"]) == (1, True)
    theirs = await asker.expect("question.votes")
    assert theirs["votes"] == 1 and "voted" not in theirs
    assert (await voter.request(type="vote", question=question))["duplicate"] is True
    await console.request(type="question.answered", question=question)
    for screen in screens:
        assert (await screen.expect("question.answered"))["question"] == question
    await leave_all(*screens)


async def test_a_raised_hand_reaches_the_teacher_only_and_the_teacher_lowers_it():
    klass = await db(make_class)(2)
    console, wall, raiser, other = screens = await everyone(klass)
    student = klass.students[0]
    await raiser.request(type="hand", raised=True)
    hand = await console.expect("hand")
    assert hand["student"] == person(student) and hand["raised"] is True and hand["at"]
    assert (await raiser.expect("hand"))["raised"] is True
    await console.request(type="hand.lower", student=student.pk)
    assert (await console.expect("hand"))["raised"] is False
    assert (await raiser.expect("hand"))["raised"] is False
    assert await other.nothing(0.1)
    await wall.send(type="sync")
    assert "hands" not in await wall.expect("state")
    await leave_all(*screens)


async def test_random_call_picks_a_student_present_and_tells_everyone():
    klass = await db(make_class)(3)
    console, _wall, *_phones = screens = await everyone(klass)
    error = await console.request(type="call")
    assert error["code"] == "no_one_present"
    present = klass.students[1]
    await db(make_attendance)(klass.session, present)
    ack = await console.request(type="call")
    assert ack["student"] == present.pk
    for screen in screens:
        call = await screen.expect("call")
        assert call["student"] == person(present)
    assert await db(RandomCall.objects.count)() == 1
    await leave_all(*screens)


async def test_the_teacher_opens_and_closes_check_in_for_everyone():
    klass = await db(make_class)(1)
    screens = await everyone(klass)
    console = screens[0]
    assert (await console.request(type="checkin.close"))["open"] is False
    for screen in screens:
        assert (await screen.expect("checkin.window"))["open"] is False
    await console.request(type="checkin.open")
    for screen in screens:
        assert (await screen.expect("checkin.window"))["open"] is True
    await leave_all(*screens)


async def test_a_check_in_made_over_http_reaches_the_wall():
    klass = await db(make_class)(2)
    console, wall, newcomer, other = screens = await everyone(klass)
    student = klass.students[0]

    def check_in_elsewhere():
        attendance = make_attendance(klass.session, student)
        checked_in.send(sender=None, attendance=attendance)

    await db(check_in_elsewhere)()
    for screen in (console, wall):
        event = await screen.expect("checkin")
        assert event["student"]["id"] == student.pk and event["student"]["status"] == "present"
        assert (event["count"], event["enrolled"]) == (1, 2)
    anonymous = await other.expect("checkin")
    assert "student" not in anonymous and anonymous["count"] == 1
    assert (await newcomer.expect("checkin"))["student"]["id"] == student.pk
    await newcomer.send(type="sync")
    assert (await newcomer.expect("state"))["me"]["checked_in"] is True
    await leave_all(*screens)


async def test_the_console_and_the_projector_get_the_rotating_code_students_do_not():
    klass = await db(make_class)(1)
    console, wall, phone = screens = await everyone(klass)
    for screen in (console, wall):
        code = await screen.expect("checkin.code")
        assert code["url"].startswith("/") and code["code"] and 0 < code["expires_in"] <= 10
        assert code["open"] is True
    assert all(frame["type"] != "checkin.code" for frame in phone.frames)
    await leave_all(*screens)


async def test_checking_in_over_http_reaches_the_wall_end_to_end():
    """The phone scans the projected QR (HTTP view, service, signal after commit) and the
    console and projector, connected over WebSockets, see the student arrive."""
    from django.utils import timezone

    from classrooms.services.checkin import current_code
    from tests.conftest import login_client

    klass = await db(make_class)(2)
    console, wall, phone, _other = screens = await everyone(klass)
    student = klass.students[0]

    def scan():
        path = current_code(klass.session, timezone.now()).path
        return login_client(student).get(path, follow=True).status_code

    assert await db(scan)() == 200
    for screen in (console, wall):
        event = await screen.expect("checkin", timeout=3)
        assert event["student"] == {**event["student"], **person(student), "status": "present"}
        assert event["count"] == 1
    assert (await phone.expect("checkin"))["student"]["id"] == student.pk
    await leave_all(*screens)


async def test_check_in_cannot_be_opened_by_hand_on_another_day():
    klass = await db(make_class)(1, minutes_from_start=-2 * 24 * 60)  # the day after tomorrow
    console, *_ = screens = await everyone(klass)
    error = await console.request(type="checkin.open")
    assert (error["type"], error["code"]) == ("error", "invalid")
    for screen in screens:
        while not await screen.nothing(0.2):
            await screen.recv()
        assert all(frame["type"] != "checkin.window" for frame in screen.frames)
    await leave_all(*screens)
