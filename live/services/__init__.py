"""The live classroom's operations: plain synchronous functions over the ORM, called by the
consumer through ``database_sync_to_async`` (and by tests and commands directly).

Each write runs in its own transaction, numbers its events with ``rooms.next_seq`` and
returns an ``Outcome`` (the ``ack`` fields and the events) after the commit; the caller
broadcasts the events with ``events.broadcast``. Bad requests raise ``Refused`` and change
nothing.
"""

from live.services.calls import random_call
from live.services.checkin import announce_checkin, set_window
from live.services.common import Outcome, Refused
from live.services.feed import (
    ask_question,
    hide_comment,
    lower_hand,
    mark_answered,
    post_comment,
    set_hand,
    set_muted,
    vote,
)
from live.services.polls import (
    Answer,
    answer_poll,
    answer_polls,
    close_poll,
    open_poll,
    publish_results,
)
from live.services.rooms import Joined, join, next_seq
from live.services.snapshot import Entry, enter, snapshot

__all__ = [
    "Answer",
    "Entry",
    "Joined",
    "Outcome",
    "Refused",
    "announce_checkin",
    "answer_poll",
    "answer_polls",
    "ask_question",
    "close_poll",
    "enter",
    "hide_comment",
    "join",
    "lower_hand",
    "mark_answered",
    "next_seq",
    "open_poll",
    "post_comment",
    "publish_results",
    "random_call",
    "set_hand",
    "set_muted",
    "set_window",
    "snapshot",
    "vote",
]
