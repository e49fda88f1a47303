"""Group commit of poll answers: the answers a process receives while it is writing are
written together in the next transaction.

A burst of answers (a whole class answering within a second) would otherwise cost one
transaction, one commit and, with ``CONN_MAX_AGE=0``, one new database connection each, one
after another in the process's single database thread. Here the first answer starts a
write at once; the answers that arrive meanwhile wait for it to end and go together in the
next one, so the batches grow with the load and a lone answer waits for nobody.

Each answer is still written once, through ``live.services.answer_polls`` in the process
whose consumer received it, and each consumer acknowledges its own answer only after the
commit that wrote it.
"""

from __future__ import annotations

import asyncio
import weakref

from channels.db import database_sync_to_async

from live.services.common import Outcome
from live.services.polls import Answer, answer_polls

MAX_BATCH = 200  # answers per transaction: bounds how long other writers wait for the lock


class AnswerWriter:
    """Writes the answers of one event loop (one server process) in batches."""

    def __init__(self):
        self.waiting: list[tuple[Answer, asyncio.Future]] = []
        self.task: asyncio.Task | None = None

    async def write(self, answer: Answer) -> Outcome:
        """The answer's ``Outcome`` once committed; raises what refused it (``Refused``) or
        what failed. If the caller stops waiting (its socket closed), the answer is still
        written: a retry with its key finds it."""
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((answer, future))
        if self.task is None:
            self.task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting[:MAX_BATCH], self.waiting[MAX_BATCH:]
                try:
                    results = await database_sync_to_async(answer_polls)([a for a, _ in batch])
                except Exception as error:  # the commit failed: nothing of the batch is written
                    results = [_failed(error) for _ in batch]
                for (_answer, future), result in zip(batch, results, strict=True):
                    if future.done():
                        continue
                    if isinstance(result, Exception):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self.task = None


def _failed(error: Exception) -> Exception:
    failure = RuntimeError("The batch of answers was not written.")
    failure.__cause__ = error
    return failure


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AnswerWriter] = (
    weakref.WeakKeyDictionary()
)


def writer() -> AnswerWriter:
    """The answer writer of the running event loop."""
    loop = asyncio.get_running_loop()
    if loop not in _writers:
        _writers[loop] = AnswerWriter()
    return _writers[loop]
