"""Room events: who receives what, and the one place that sends them to the channel layer.

A service that changes a room numbers the change (``rooms.next_seq``, in its transaction)
and returns an :class:`Event`: one frame per audience (students, projectors, teachers) and,
for the student a change concerns, a personal frame that replaces theirs. After the commit,
:func:`broadcast` encodes each frame to JSON once and sends it to the audience's group as
pre-encoded text; each consumer in the group forwards the text as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

STUDENTS = "students"
PROJECTORS = "projectors"
TEACHERS = "teachers"
AUDIENCES = (STUDENTS, PROJECTORS, TEACHERS)
EVERYONE = AUDIENCES

# The audience group a connection joins, by its role in the room.
AUDIENCE_OF_ROLE = {"student": STUDENTS, "projector": PROJECTORS, "teacher": TEACHERS}


@dataclass
class Event:
    """One numbered change of a room: ``frames`` by audience; ``personal`` frames by user id
    go to that user's connections instead of their audience's frame. Groups are named by
    the room's session, so a connection can join them before the room is looked up."""

    session_id: int
    seq: int
    frames: dict[str, dict]
    personal: dict[int, dict] = field(default_factory=dict)


def group_name(session_id: int, audience: str) -> str:
    return f"live-{session_id}-{audience}"


def user_group_name(session_id: int, user_id: int) -> str:
    return f"live-{session_id}-user-{user_id}"


def encode(frame: dict) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def make_event(
    room,
    seq: int,
    type_: str,
    by_audience: dict[str, dict],
    personal: dict[int, dict] | None = None,
) -> Event:
    """An event of ``type_`` in ``room`` numbered ``seq``: each frame gets its ``type`` and
    ``seq``."""

    def frame(fields: dict) -> dict:
        return {"type": type_, "seq": seq, **fields}

    return Event(
        session_id=room.session_id,
        seq=seq,
        frames={audience: frame(fields) for audience, fields in by_audience.items()},
        personal={user_id: frame(fields) for user_id, fields in (personal or {}).items()},
    )


async def broadcast(events: list[Event]) -> None:
    """Send ``events`` in order, each frame encoded once. Call only after the commit of the
    transaction that numbered them (channel layers deliver at most once; the database is the
    record and ``state`` rebuilds from it)."""
    layer = get_channel_layer()
    for event in events:
        skip = sorted(event.personal)
        for audience, frame in event.frames.items():
            await layer.group_send(
                group_name(event.session_id, audience),
                {"type": "room.event", "seq": event.seq, "text": encode(frame), "skip": skip},
            )
        for user_id, frame in event.personal.items():
            await layer.group_send(
                user_group_name(event.session_id, user_id),
                {"type": "room.event", "seq": event.seq, "text": encode(frame), "skip": []},
            )


def broadcast_from_sync(events: list[Event]) -> None:
    """:func:`broadcast` for synchronous code (signal receivers, management commands)."""
    if events:
        async_to_sync(broadcast)(events)
