"""Database work of many sockets in one trip: group commit for answers, and one trip for a
crowd of screens connecting at once.

The consumers of a server process share one database thread (``database_sync_to_async``),
and with ``CONN_MAX_AGE=0`` every trip there opens a new database connection. A whole class
answering within a second, or reconnecting after the Wi-Fi came back, would otherwise cost a
trip, a connection and (for answers) a commit each, one after another.

A ``Batcher`` runs the first request at once; the requests that arrive meanwhile wait for
that trip to end and go together in the next one, so batches grow with the load and a lone
request waits for nobody. Each request still gets its own result or its own error.

- ``answers()``: each batch of answers is written in one transaction, each answer in its own
  savepoint (``live.services.answer_polls``), in the process whose consumer received them;
  each consumer acknowledges its own answer only after that commit.
- ``entries()``: joining and reading the first ``state`` (``live.services.enter``), one
  request after another in the same trip (``each``).
- ``live.auth``: looking up the users of sockets being opened (Channels' ``get_user``),
  likewise.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence

from channels.db import database_sync_to_async

from live.services import answer_polls, enter

MAX_BATCH = 200  # requests per trip: bounds how long the others wait for the thread (and lock)


class Batcher:
    """Hands the requests of one event loop (one server process) to ``run_batch`` in
    batches. ``run_batch`` is synchronous, takes a list of requests and returns, in order,
    each request's result or the exception that refused it."""

    def __init__(self, run_batch: Callable[[list], Sequence]):
        self.run_batch = run_batch
        self.waiting: list[tuple[object, asyncio.Future]] = []
        self.task: asyncio.Task | None = None

    async def submit(self, request):
        """The request's result once its batch has run; raises what refused it, or what
        failed. If the caller stops waiting (its socket closed), the request still runs."""
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((request, future))
        if self.task is None:
            self.task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting[:MAX_BATCH], self.waiting[MAX_BATCH:]
                try:
                    results = await database_sync_to_async(self.run_batch)([r for r, _ in batch])
                except Exception as error:  # the whole batch failed (a commit): none of it holds
                    results = [_failed(error) for _ in batch]
                for (_request, future), result in zip(batch, results, strict=True):
                    if future.done():
                        continue
                    if isinstance(result, Exception):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self.task = None


def each(step: Callable) -> Callable[[list], list]:
    """A ``run_batch`` that calls ``step`` on each request in turn, in the trip's one database
    connection, handing back each result or the error that request raised (the others still
    run). For requests that need no shared transaction."""

    def run_batch(requests: list) -> list:
        results = []
        for request in requests:
            try:
                results.append(step(request))
            except Exception as error:  # handed back with its request
                results.append(error)
        return results

    return run_batch


def _failed(error: Exception) -> Exception:
    failure = RuntimeError("The batch was not carried out.")
    failure.__cause__ = error
    return failure


_batchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Batcher]] = (
    weakref.WeakKeyDictionary()
)


def batcher(name: str, run_batch) -> Batcher:
    """The running event loop's batcher called ``name`` (made with ``run_batch`` once)."""
    mine = _batchers.setdefault(asyncio.get_running_loop(), {})
    if name not in mine:
        mine[name] = Batcher(run_batch)
    return mine[name]


def answers() -> Batcher:
    """The running event loop's answer writer: submit ``polls.Answer``, get an Outcome."""
    return batcher("answers", answer_polls)


def entries() -> Batcher:
    """The running event loop's door: submit ``snapshot.Entry``, get (Joined, state) or a
    close code."""
    return batcher("entries", each(enter))
