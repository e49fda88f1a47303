"""A bare live room for the benchmark (tests/bench/bench_live.py): the product's fan-out
without authentication or database, so that the two can be compared under the same server.

Routed at ``ws/bench/<room>/`` only when the environment variable ``RONGKE_BENCH=1`` is set
(see ``live/routing.py``); never in a normal deployment.

It does what the real consumer does with a frame, minus the checks and the writes: it joins
its audience's group (``?role=teacher`` for the teacher, else a student) and a personal group;
a ``broadcast`` frame numbers an event, encodes it once per audience and sends the text to the
groups (like ``live.services.events.broadcast``), and each receiving consumer forwards the text
as it is; an ``answer`` is acknowledged at once and the answer count goes to the teachers,
coalesced to at most 4 updates a second (like ``poll.results``).

Frames from the client (JSON objects, ``ref`` echoed in the ``ack``):

- ``{"type": "broadcast", "event": "<type>", "fields": {...}}``: every student and teacher
  receives ``{"type": "<type>", "seq": n, ...fields}``;
- ``{"type": "answer", "poll": ..., "key": "...", "value": ...}``: ``ack`` with ``for``
  "answer", ``poll``, ``key`` and ``duplicate: false``.

``RONGKE_BENCH_PATCH`` (comma-separated, read when this module is imported, so only where
RONGKE_BENCH=1 routes it) tries two changes to Channels on the whole server, the product's
consumer included, to measure them before anyone adopts them:

- ``clean``: the in-memory channel layer drops expired messages and group members at most
  once a second instead of on every ``receive`` (a walk over every channel and group
  member, so a broadcast to N consumers costs O(N²));
- ``dispatch``: a ``room.event`` group message is handed to its handler without
  ``aclose_old_connections()``, a trip to a worker thread that Channels makes before every
  handler although group handlers touch no database;
- ``conn``: database connections are kept (``CONN_MAX_AGE`` 600 s instead of 0), so the
  one thread that runs the consumers' database work reuses its connection instead of
  opening one (and, on SQLite, reading the schema again) for every frame.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
from collections import defaultdict
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import path

STUDENTS = "students"
TEACHERS = "teachers"
RESULTS_INTERVAL = 0.25  # seconds: at most 4 result updates a second per room

# Per process: a benchmark runs one server. Seq and answer counts live in memory.
_seq: dict[str, itertools.count] = defaultdict(lambda: itertools.count(1))
_answers: dict[str, int] = defaultdict(int)
_results_pending: set[str] = set()


def apply_patches(names: str) -> list[str]:
    """Apply the experiments named in ``names`` (see the module's docstring); returns them."""
    applied = []
    wanted = {name.strip() for name in names.split(",") if name.strip()}
    if "clean" in wanted:
        from channels.layers import InMemoryChannelLayer

        clean_every_receive = InMemoryChannelLayer._clean_expired

        def clean_once_a_second(layer):
            now = time.monotonic()
            if now - getattr(layer, "_bench_cleaned_at", 0.0) >= 1.0:
                layer._bench_cleaned_at = now
                clean_every_receive(layer)

        InMemoryChannelLayer._clean_expired = clean_once_a_second
        applied.append("clean")
    if "dispatch" in wanted:
        from channels.consumer import AsyncConsumer

        dispatch_with_close = AsyncConsumer.dispatch

        async def dispatch(consumer, message):
            handler = getattr(consumer, "room_event", None)
            if message.get("type") == "room.event" and handler is not None:
                return await handler(message)
            return await dispatch_with_close(consumer, message)

        AsyncConsumer.dispatch = dispatch
        applied.append("dispatch")
    if "conn" in wanted:
        from django.db import DEFAULT_DB_ALIAS, connections

        connections.settings[DEFAULT_DB_ALIAS]["CONN_MAX_AGE"] = 600
        applied.append("conn")
    return applied


apply_patches(os.environ.get("RONGKE_BENCH_PATCH", ""))


def _encode(frame: dict) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def _group(room: str, audience: str) -> str:
    return f"bench-{room}-{audience}"


class BareRoomConsumer(AsyncWebsocketConsumer):
    """The baseline room: see the module's docstring. No authentication, no database."""

    async def connect(self):
        self.room = self.scope["url_route"]["kwargs"]["room"]
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.role = "teacher" if query.get("role") == ["teacher"] else "student"
        self.groups_joined = [
            _group(self.room, TEACHERS if self.role == "teacher" else STUDENTS),
            f"{_group(self.room, 'channel')}-{self.channel_name.rsplit('!', 1)[-1]}",
        ]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send(text_data=_encode({"type": "state", "seq": 0, "role": self.role}))

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        try:
            frame = json.loads(text_data or "")
        except ValueError:
            frame = None
        if not isinstance(frame, dict):
            await self.send(text_data=_encode({"type": "error", "code": "malformed"}))
            return
        kind, ref = frame.get("type"), frame.get("ref")
        if kind == "broadcast":
            seq = next(_seq[self.room])
            fields = frame.get("fields") if isinstance(frame.get("fields"), dict) else {}
            text = _encode({"type": str(frame.get("event")), "seq": seq, **fields})
            await self.send(text_data=_encode({"type": "ack", "ref": ref, "for": kind}))
            for audience in (STUDENTS, TEACHERS):
                await self.channel_layer.group_send(
                    _group(self.room, audience),
                    {"type": "room.event", "seq": seq, "text": text, "skip": []},
                )
        elif kind == "answer":
            _answers[self.room] += 1
            await self.send(
                text_data=_encode(
                    {
                        "type": "ack",
                        "ref": ref,
                        "for": "answer",
                        "poll": frame.get("poll"),
                        "key": frame.get("key"),
                        "duplicate": False,
                    }
                )
            )
            if self.room not in _results_pending:
                _results_pending.add(self.room)
                asyncio.get_running_loop().call_later(
                    RESULTS_INTERVAL,
                    lambda: asyncio.ensure_future(self._send_results(frame.get("poll"))),
                )
        else:
            await self.send(
                text_data=_encode({"type": "error", "ref": ref, "code": "unknown_type"})
            )

    async def _send_results(self, poll) -> None:
        _results_pending.discard(self.room)
        seq = next(_seq[self.room])
        text = _encode(
            {"type": "poll.results", "seq": seq, "poll": poll, "answered": _answers[self.room]}
        )
        await self.channel_layer.group_send(
            _group(self.room, TEACHERS), {"type": "room.event", "seq": seq, "text": text}
        )

    async def room_event(self, event):
        """Group handler: forward the pre-encoded text, nothing else."""
        await self.send(text_data=event["text"])


websocket_urlpatterns = [
    path("ws/bench/<slug:room>/", BareRoomConsumer.as_asgi()),
]
