"""What every live service shares: the refusal raised for bad requests, the result a write
returns to the consumer, and how people and times are written in frames."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from live.services.events import Event


class Refused(Exception):
    """A request the room refuses; nothing was changed.

    ``code`` is one of the error codes of docs/live-protocol.md; ``message`` is a lazy
    translation, rendered in the user's language by the consumer.
    """

    def __init__(self, code: str, message):
        super().__init__(code)
        self.code = code
        self.message = message


@dataclass
class Outcome:
    """What a write did: the fields of its ``ack`` and the events to broadcast (in order).

    Returned by services after their transaction has committed, so the consumer may ack
    and broadcast at once.
    """

    ack: dict = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)


MAX_ID = 2**63 - 1  # the largest primary key a database column holds


def is_id(value) -> bool:
    """Could ``value``, taken from a client's frame, be a primary key? (An int, not a bool,
    that a database column can hold: a larger one would fail in the query, not refuse.)"""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def iso(when: datetime | None) -> str | None:
    """A time as the protocol writes it: ISO 8601 in the site's time zone."""
    return timezone.localtime(when).isoformat() if when is not None else None


def person(user) -> dict:
    """A student as frames name them."""
    return {"id": user.pk, "name": user.display_name, "number": user.number}


def normalise(text: str) -> str:
    """Text compared or counted: trimmed, lower-cased, inner runs of spaces made one."""
    return " ".join(text.split()).lower()
