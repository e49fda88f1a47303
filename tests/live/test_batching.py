"""Batching a process's database trips: a burst of answers is written in few transactions,
each answer still acknowledged only once written, and a failed write loses nothing that was
acknowledged; a crowd of screens entering at once gets each its own state or close code."""

import asyncio

import pytest
from channels.db import database_sync_to_async as db
from django.db import OperationalError
from django.utils import timezone

from classrooms.models import ClassAnswer
from live import batching
from live.batching import Batcher
from live.services import join, open_poll
from live.services.common import Refused
from live.services.polls import Answer, answer_polls
from live.services.rooms import NOT_YOUR_CLASS, STUDENT
from live.services.snapshot import Entry, enter
from tests.factories import StudentFactory
from tests.live.roomkit import make_class

pytestmark = pytest.mark.django_db(transaction=True)


def _open_room(n):
    klass = make_class(n)
    room = join(klass.session.pk, klass.teacher).room
    poll = open_poll(
        room=room, by=klass.teacher, kind="single", prompt="Pick", options=["A", "B"], correct=[0]
    ).ack["poll"]
    return klass, room, poll


class Counting:
    """A batch function that records the size of each batch it is handed."""

    def __init__(self, run_batch):
        self.run_batch = run_batch
        self.sizes = []

    def __call__(self, requests):
        self.sizes.append(len(requests))
        return self.run_batch(requests)


@pytest.fixture
def batches():
    return Counting(answer_polls)


@pytest.fixture
def writer(batches):
    return Batcher(batches)


async def test_a_burst_is_written_in_few_transactions_and_every_answer_counts(batches, writer):
    klass, room, poll = await db(_open_room)(40)
    outcomes = await asyncio.gather(
        *(
            writer.submit(Answer(room, s, poll, f"burst-{i:04d}", i % 2, timezone.now()))
            for i, s in enumerate(klass.students)
        )
    )
    assert [o.ack["key"] for o in outcomes] == [f"burst-{i:04d}" for i in range(40)]
    assert not any(o.ack["duplicate"] for o in outcomes)
    assert await db(ClassAnswer.objects.count)() == 40
    assert sum(batches.sizes) == 40 and len(batches.sizes) < 40


async def test_answers_arriving_during_a_write_go_together_in_the_next(
    batches, writer, monkeypatch
):
    klass, room, poll = await db(_open_room)(25)
    monkeypatch.setattr(batching, "MAX_BATCH", 10)
    first = asyncio.ensure_future(
        writer.submit(Answer(room, klass.students[0], poll, "first-0001", 0, timezone.now()))
    )
    await asyncio.sleep(0)  # the first write has started
    rest = [
        writer.submit(Answer(room, s, poll, f"later-{i:04d}", 1, timezone.now()))
        for i, s in enumerate(klass.students[1:])
    ]
    await asyncio.gather(first, *rest)
    assert batches.sizes == [1, 10, 10, 4]
    assert await db(ClassAnswer.objects.count)() == 25


async def test_a_refused_answer_is_raised_to_its_sender_only(writer):
    klass, room, poll = await db(_open_room)(2)
    good, bad = await asyncio.gather(
        writer.submit(Answer(room, klass.students[0], poll, "good-0001", 0, timezone.now())),
        writer.submit(Answer(room, klass.students[1], poll, "bad-00001", 5, timezone.now())),
        return_exceptions=True,
    )
    assert good.ack["duplicate"] is False
    assert isinstance(bad, Refused) and bad.code == "invalid"
    assert await db(ClassAnswer.objects.count)() == 1


async def test_a_failed_commit_fails_every_answer_of_the_batch_and_the_next_write_works():
    klass, room, poll = await db(_open_room)(3)
    broken = True

    def flaky(answers):
        if broken:
            raise OperationalError("database is locked")
        return answer_polls(answers)

    writer = Batcher(flaky)
    failures = await asyncio.gather(
        *(
            writer.submit(Answer(room, s, poll, f"lost-{i:04d}", 0, timezone.now()))
            for i, s in enumerate(klass.students[:2])
        ),
        return_exceptions=True,
    )
    assert all(isinstance(f, RuntimeError) for f in failures)  # not acknowledged: retried
    assert isinstance(failures[0].__cause__, OperationalError)
    assert await db(ClassAnswer.objects.count)() == 0
    broken = False
    retry = await writer.submit(
        Answer(room, klass.students[0], poll, "lost-0000", 0, timezone.now())
    )
    assert retry.ack["duplicate"] is False
    assert await db(ClassAnswer.objects.count)() == 1


async def test_an_answer_whose_sender_left_is_still_written(writer):
    klass, room, poll = await db(_open_room)(2)
    first = asyncio.ensure_future(
        writer.submit(Answer(room, klass.students[0], poll, "stays-001", 0, timezone.now()))
    )
    await asyncio.sleep(0)
    gone = asyncio.ensure_future(
        writer.submit(Answer(room, klass.students[1], poll, "gone-0001", 1, timezone.now()))
    )
    await asyncio.sleep(0)
    gone.cancel()  # the phone's socket closed while its answer waited
    await first
    while writer.task is not None:
        await asyncio.sleep(0.01)
    keys = await db(lambda: sorted(ClassAnswer.objects.values_list("key", flat=True)))()
    assert keys == ["gone-0001", "stays-001"]


async def test_screens_entering_together_each_get_their_own_state_or_close_code():
    klass = await db(make_class)(3)
    stranger = await db(StudentFactory)()
    door = Counting(batching.each(enter))
    batcher = Batcher(door)
    people = [*klass.students, stranger]
    results = await asyncio.gather(
        *(batcher.submit(Entry(klass.session.pk, person)) for person in people)
    )
    for student, (joined, state) in zip(klass.students, results[:3], strict=True):
        assert joined.role == STUDENT
        assert (state["type"], state["role"], state["me"]["id"]) == ("state", STUDENT, student.pk)
    assert results[3] == (NOT_YOUR_CLASS, None)
    assert sum(door.sizes) == 4 and len(door.sizes) < 4


async def test_sockets_opened_together_are_authenticated_together_each_as_itself():
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    from live.auth import users_of
    from tests.bench._server import session_cookies

    klass = await db(make_class)(3)
    keys = await db(session_cookies)(klass.students)

    def tampered():
        store = SessionStore(keys[klass.students[2].pk])
        store["_auth_user_hash"] = "not the user's hash"
        store.save()

    await db(tampered)()
    lookups = Counting(users_of)
    batcher = Batcher(lookups)
    scopes = [{"session": SessionStore(keys[s.pk])} for s in klass.students]
    scopes.append({"session": SessionStore()})  # no session at all
    users = await asyncio.gather(*(batcher.submit(scope) for scope in scopes))
    assert [u.pk for u in users[:2]] == [s.pk for s in klass.students[:2]]
    assert isinstance(users[2], AnonymousUser)  # a session that fails its check: nobody
    assert isinstance(users[3], AnonymousUser)
    assert sum(lookups.sizes) == 4 and len(lookups.sizes) < 4
