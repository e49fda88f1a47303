"""Group commit of answers: a burst is written in few transactions, each answer is still
acknowledged only once written, and a failed write loses nothing that was acknowledged."""

import asyncio

import pytest
from channels.db import database_sync_to_async as db
from django.db import OperationalError
from django.utils import timezone

from classrooms.models import ClassAnswer
from live import writer as writer_module
from live.services import join, open_poll
from live.services.common import Refused
from live.services.polls import Answer, answer_polls
from live.writer import AnswerWriter
from tests.live.roomkit import make_class

pytestmark = pytest.mark.django_db(transaction=True)


def _open_room(n):
    klass = make_class(n)
    room = join(klass.session.pk, klass.teacher).room
    poll = open_poll(
        room=room, by=klass.teacher, kind="single", prompt="Pick", options=["A", "B"], correct=[0]
    ).ack["poll"]
    return klass, room, poll


@pytest.fixture
def batches(monkeypatch):
    """The size of each batch the writer hands to the service."""
    sizes = []

    def counting(answers):
        sizes.append(len(answers))
        return answer_polls(answers)

    monkeypatch.setattr(writer_module, "answer_polls", counting)
    return sizes


async def test_a_burst_is_written_in_few_transactions_and_every_answer_counts(batches):
    klass, room, poll = await db(_open_room)(40)
    writer = AnswerWriter()
    outcomes = await asyncio.gather(
        *(
            writer.write(Answer(room, s, poll, f"burst-{i:04d}", i % 2, timezone.now()))
            for i, s in enumerate(klass.students)
        )
    )
    assert [o.ack["key"] for o in outcomes] == [f"burst-{i:04d}" for i in range(40)]
    assert not any(o.ack["duplicate"] for o in outcomes)
    assert await db(ClassAnswer.objects.count)() == 40
    assert sum(batches) == 40 and len(batches) < 40


async def test_answers_arriving_during_a_write_go_together_in_the_next(batches, monkeypatch):
    klass, room, poll = await db(_open_room)(25)
    monkeypatch.setattr(writer_module, "MAX_BATCH", 10)
    writer = AnswerWriter()
    first = asyncio.ensure_future(
        writer.write(Answer(room, klass.students[0], poll, "first-0001", 0, timezone.now()))
    )
    await asyncio.sleep(0)  # the first write has started
    rest = [
        writer.write(Answer(room, s, poll, f"later-{i:04d}", 1, timezone.now()))
        for i, s in enumerate(klass.students[1:])
    ]
    await asyncio.gather(first, *rest)
    assert batches == [1, 10, 10, 4]
    assert await db(ClassAnswer.objects.count)() == 25


async def test_a_refused_answer_is_raised_to_its_sender_only(batches):
    klass, room, poll = await db(_open_room)(2)
    writer = AnswerWriter()
    good, bad = await asyncio.gather(
        writer.write(Answer(room, klass.students[0], poll, "good-0001", 0, timezone.now())),
        writer.write(Answer(room, klass.students[1], poll, "bad-00001", 5, timezone.now())),
        return_exceptions=True,
    )
    assert good.ack["duplicate"] is False
    assert isinstance(bad, Refused) and bad.code == "invalid"
    assert await db(ClassAnswer.objects.count)() == 1


async def test_a_failed_commit_fails_every_answer_of_the_batch_and_the_next_write_works(
    monkeypatch,
):
    klass, room, poll = await db(_open_room)(3)

    def broken(answers):
        raise OperationalError("database is locked")

    monkeypatch.setattr(writer_module, "answer_polls", broken)
    writer = AnswerWriter()
    failures = await asyncio.gather(
        *(
            writer.write(Answer(room, s, poll, f"lost-{i:04d}", 0, timezone.now()))
            for i, s in enumerate(klass.students[:2])
        ),
        return_exceptions=True,
    )
    assert all(isinstance(f, RuntimeError) for f in failures)  # not acknowledged: retried
    assert isinstance(failures[0].__cause__, OperationalError)
    monkeypatch.setattr(writer_module, "answer_polls", answer_polls)
    retry = await writer.write(
        Answer(room, klass.students[0], poll, "lost-0000", 0, timezone.now())
    )
    assert retry.ack["duplicate"] is False
    assert await db(ClassAnswer.objects.count)() == 1


async def test_an_answer_whose_sender_left_is_still_written(batches):
    klass, room, poll = await db(_open_room)(2)
    writer = AnswerWriter()
    first = asyncio.ensure_future(
        writer.write(Answer(room, klass.students[0], poll, "stays-001", 0, timezone.now()))
    )
    await asyncio.sleep(0)
    gone = asyncio.ensure_future(
        writer.write(Answer(room, klass.students[1], poll, "gone-0001", 1, timezone.now()))
    )
    await asyncio.sleep(0)
    gone.cancel()  # the phone's socket closed while its answer waited
    await first
    while writer.task is not None:
        await asyncio.sleep(0.01)
    keys = await db(lambda: sorted(ClassAnswer.objects.values_list("key", flat=True)))()
    assert keys == ["gone-0001", "stays-001"]
