"""WebSocket consumers: the live room of a session (docs/live-protocol.md) and a ping check.

The consumer is thin: it decides who may send what, calls a service in ``live.services``
through ``database_sync_to_async`` (no ORM on the event loop), acknowledges after the
service's transaction has committed, and hands the service's events to
``events.broadcast``. Group handlers only forward pre-encoded text.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from collections import deque
from datetime import datetime
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from live import batching, services
from live.services import checkin as checkin_services
from live.services.common import Refused
from live.services.events import (
    AUDIENCE_OF_ROLE,
    TEACHERS,
    broadcast,
    group_name,
    user_group_name,
)
from live.services.rooms import PROJECTOR, STUDENT, TEACHER

logger = logging.getLogger(__name__)

# Close codes of our own (4000-4999 are for applications); docs/live-protocol.md lists them.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_TOO_BIG = 1009
CLOSE_TOO_MANY_ERRORS = 4429

MAX_FRAME_BYTES = 8 * 1024
MAX_REF = 64
ERROR_LIMIT = 30  # refused frames allowed ...
ERROR_WINDOW = 60.0  # ... within this many seconds
RESULT_SLOTS_PER_SECOND = 4  # poll.results at most this often per room

ALL = frozenset({TEACHER, PROJECTOR, STUDENT})
STUDENTS_ONLY = frozenset({STUDENT})
TEACHERS_ONLY = frozenset({TEACHER})

db = database_sync_to_async

# Per event loop (server process): (room, poll) -> the last result slot it asked the shared
# cache for. The cache (a trip to a worker thread) is asked once per slot and process, not
# once per answer.
_slots_asked: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict] = (
    weakref.WeakKeyDictionary()
)


def language_of(scope) -> str:
    """The user's language as the site chose it: the language cookie, else the browser's
    Accept-Language, else the default."""
    headers = dict(scope.get("headers") or [])
    cookies = SimpleCookie()
    try:
        cookies.load(headers.get(b"cookie", b"").decode("latin-1"))
    except Exception:  # a malformed cookie header: ignore it
        cookies = SimpleCookie()
    wanted = []
    if settings.LANGUAGE_COOKIE_NAME in cookies:
        wanted.append(cookies[settings.LANGUAGE_COOKIE_NAME].value)
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    wanted += [code for code, _q in translation.trans_real.parse_accept_lang_header(accept)]
    for code in wanted:
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class LiveConsumer(AsyncWebsocketConsumer):
    """One screen in the live room of a session: ``ws/live/<session_id>/[?view=projector]``.

    Refusals close with the documented codes after accepting, so the code reaches browsers
    (a close before accepting becomes an HTTP 403 without a code). Every frame is checked
    against the sender's role; bad input gets an ``error`` frame and changes nothing; an
    unexpected failure becomes an error frame and is logged, the socket stays up.
    """

    HANDLERS: dict[str, tuple[frozenset, str]] = {
        "sync": (ALL, "do_sync"),
        "answer": (STUDENTS_ONLY, "do_answer"),
        "comment": (STUDENTS_ONLY, "do_comment"),
        "ask": (STUDENTS_ONLY, "do_ask"),
        "vote": (STUDENTS_ONLY, "do_vote"),
        "hand": (STUDENTS_ONLY, "do_hand"),
        "poll.open": (TEACHERS_ONLY, "do_poll_open"),
        "poll.close": (TEACHERS_ONLY, "do_poll_close"),
        "comment.hide": (TEACHERS_ONLY, "do_comment_hide"),
        "mute": (TEACHERS_ONLY, "do_mute"),
        "question.answered": (TEACHERS_ONLY, "do_question_answered"),
        "hand.lower": (TEACHERS_ONLY, "do_hand_lower"),
        "call": (TEACHERS_ONLY, "do_call"),
        "checkin.open": (TEACHERS_ONLY, "do_checkin_open"),
        "checkin.close": (TEACHERS_ONLY, "do_checkin_close"),
    }

    # --- connection ------------------------------------------------------------------------
    async def connect(self):
        self.room = None
        self.role = None
        self.snapshot_seq = None  # events at or below it are in the state already sent
        self.closing = False
        self.errors: deque[float] = deque()
        self.tasks: set[asyncio.Task] = set()
        self.countdown: asyncio.Task | None = None
        self.my_groups: list[str] = []
        self.user = self.scope["user"]
        self.language = language_of(self.scope)
        self.session_id = self.scope["url_route"]["kwargs"]["session_id"]
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        view = (query.get("view") or [None])[0]
        # Join the groups first, so that no event committed after the state is read can be
        # missed. The role is not known before the database says it: guess the common case
        # (a phone is a student's) and correct it after. Nothing is forwarded before the
        # state is sent, so a wrong guess leaks nothing.
        guess = PROJECTOR if view == "projector" else STUDENT
        if self.user.is_authenticated:
            await self._join_groups(guess)
        try:
            joined, state = await batching.entries().submit(
                services.Entry(self.session_id, self.user, view)
            )
        except Exception:
            logger.exception("joining the live room of session %s failed", self.session_id)
            joined, state = 1011, None
        if isinstance(joined, int):
            await self.accept()
            await self._close(joined)
            return
        self.room, self.role = joined.room, joined.role
        await self.accept()
        try:
            if self.role != guess:
                await self._leave_groups()
                await self._join_groups(self.role)
                state = await db(services.snapshot)(self.room, self.user, self.role)
            self.snapshot_seq = state["seq"]
            await self.send_frame(state)
        except Exception:
            logger.exception("live room %s: the first state failed", self.room.pk)
            await self._close(1011)
            return
        if self.role in (TEACHER, PROJECTOR):
            self._start(self.rotate_codes())
        if self.role in (TEACHER, PROJECTOR):
            self._watch_countdown_of(state["poll"])

    async def _join_groups(self, role: str) -> None:
        self.my_groups = [
            group_name(self.session_id, AUDIENCE_OF_ROLE[role]),
            user_group_name(self.session_id, self.user.pk),
        ]
        for group in self.my_groups:
            await self.channel_layer.group_add(group, self.channel_name)

    async def _leave_groups(self) -> None:
        for group in self.my_groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.my_groups = []

    async def disconnect(self, code):
        await self._leave_groups()
        for task in list(self.tasks):
            if not getattr(task, "finishes_alone", False):
                task.cancel()

    async def _close(self, code: int) -> None:
        self.closing = True
        await self.close(code=code)

    # --- frames from the client ------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None):
        if self.closing or self.room is None:
            return
        if text_data is None:
            await self.refuse(None, "malformed", _("Send JSON text frames."))
            return
        if len(text_data) > MAX_FRAME_BYTES or len(text_data.encode()) > MAX_FRAME_BYTES:
            await self._close(CLOSE_TOO_BIG)
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self.refuse(None, "malformed", _("A frame is a JSON object."))
            return
        ref = content.get("ref")
        if ref is not None and (not isinstance(ref, str) or len(ref) > MAX_REF):
            await self.refuse(None, "invalid", _("A ref is a string of at most 64 characters."))
            return
        kind = content.get("type")
        handler = self.HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is None:
            await self.refuse(ref, "unknown_type", _("Unknown message type."))
            return
        roles, method = handler
        if self.role not in roles:
            await self.refuse(ref, "forbidden", _("You may not do this here."))
            return
        try:
            # Services word their refusals in the active language (it follows the call
            # into the database thread).
            with translation.override(self.language):
                await getattr(self, method)(content, ref)
        except Refused as refusal:
            await self.refuse(ref, refusal.code, refusal.message)
        except Exception:
            logger.exception(
                "live room %s: %s from user %s failed", self.room.pk, kind, self.user.pk
            )
            await self.refuse(ref, "server_error", _("Something went wrong; try again."))

    async def refuse(self, ref, code: str, message) -> None:
        """An error frame for a refused frame; too many of them close the socket (4429)."""
        await self.send_error(ref, code, message)
        now = time.monotonic()
        self.errors.append(now)
        while self.errors and self.errors[0] < now - ERROR_WINDOW:
            self.errors.popleft()
        if len(self.errors) > ERROR_LIMIT:
            await self._close(CLOSE_TOO_MANY_ERRORS)

    async def send_error(self, ref, code: str, message) -> None:
        with translation.override(self.language):
            text = str(message)
        await self.send_frame({"type": "error", "ref": ref, "code": code, "message": text})

    async def send_frame(self, frame: dict) -> None:
        if not self.closing:
            await self.send(text_data=json.dumps(frame, ensure_ascii=False))

    async def ack(self, ref, kind: str, outcome) -> None:
        """Broadcast, then acknowledge (the service's transaction has committed). In this
        order, what a client does after an ack is numbered and sent after the events of what
        it acknowledges, so screens see a chain of actions in order."""
        await broadcast(outcome.events)
        await self.send_frame({"type": "ack", "ref": ref, "for": kind, **outcome.ack})

    # --- group messages: forward only ------------------------------------------------------
    async def dispatch(self, message):
        # Room events touch no database: skip Channels' trip to a database thread (to close
        # old connections) that it makes before every handler.
        if message["type"] == "room.event":
            await self.room_event(message)
        else:
            await super().dispatch(message)

    async def room_event(self, message):
        """A room event, encoded once by the sender: forwarded unless the state this screen
        got already includes it, or the user gets a personal version of it."""
        if self.snapshot_seq is None or message["seq"] <= self.snapshot_seq:
            return
        if self.user.pk in message.get("skip", ()):
            return
        if not self.closing:
            await self.send(text_data=message["text"])

    # --- handlers --------------------------------------------------------------------------
    async def send_state(self) -> None:
        state = await db(services.snapshot)(self.room, self.user, self.role)
        self.snapshot_seq = state["seq"]
        await self.send_frame(state)

    async def do_sync(self, content, ref):
        await self.send_state()

    async def do_answer(self, content, ref):
        answer = services.Answer(
            room=self.room,
            student=self.user,
            poll=content.get("poll"),
            key=content.get("key"),
            value=content.get("value"),
            at=timezone.now(),
        )
        outcome = await batching.answers().submit(answer)  # committed with others
        await self.ack(ref, "answer", outcome)
        if not outcome.ack["duplicate"]:
            await self.schedule_results(outcome.ack["poll"])

    async def do_comment(self, content, ref):
        outcome = await db(services.post_comment)(
            room=self.room, student=self.user, text=content.get("text")
        )
        await self.ack(ref, "comment", outcome)

    async def do_ask(self, content, ref):
        outcome = await db(services.ask_question)(
            room=self.room, student=self.user, text=content.get("text")
        )
        await self.ack(ref, "ask", outcome)

    async def do_vote(self, content, ref):
        outcome = await db(services.vote)(
            room=self.room, student=self.user, question=content.get("question")
        )
        await self.ack(ref, "vote", outcome)

    async def do_hand(self, content, ref):
        outcome = await db(services.set_hand)(
            room=self.room, student=self.user, raised=content.get("raised")
        )
        await self.ack(ref, "hand", outcome)

    async def do_poll_open(self, content, ref):
        outcome = await db(services.open_poll)(
            room=self.room,
            by=self.user,
            poll=content.get("poll"),
            question=content.get("question"),
            kind=content.get("kind"),
            prompt=content.get("prompt"),
            options=content.get("options"),
            correct=content.get("correct"),
            seconds=content.get("seconds"),
        )
        await self.ack(ref, "poll.open", outcome)
        self._watch_countdown_of(outcome.events[-1].frames[TEACHERS]["poll"])

    async def do_poll_close(self, content, ref):
        outcome = await db(services.close_poll)(room=self.room, poll=content.get("poll"))
        await self.ack(ref, "poll.close", outcome)

    async def do_comment_hide(self, content, ref):
        outcome = await db(services.hide_comment)(
            room=self.room, by=self.user, comment=content.get("comment")
        )
        await self.ack(ref, "comment.hide", outcome)

    async def do_mute(self, content, ref):
        outcome = await db(services.set_muted)(
            room=self.room,
            by=self.user,
            student=content.get("student"),
            muted=content.get("muted"),
        )
        await self.ack(ref, "mute", outcome)

    async def do_question_answered(self, content, ref):
        outcome = await db(services.mark_answered)(
            room=self.room, by=self.user, question=content.get("question")
        )
        await self.ack(ref, "question.answered", outcome)

    async def do_hand_lower(self, content, ref):
        outcome = await db(services.lower_hand)(
            room=self.room, by=self.user, student=content.get("student")
        )
        await self.ack(ref, "hand.lower", outcome)

    async def do_call(self, content, ref):
        outcome = await db(services.random_call)(room=self.room, by=self.user)
        await self.ack(ref, "call", outcome)

    async def do_checkin_open(self, content, ref):
        outcome = await db(services.set_window)(room=self.room, by=self.user, open=True)
        await self.ack(ref, "checkin.open", outcome)

    async def do_checkin_close(self, content, ref):
        outcome = await db(services.set_window)(room=self.room, by=self.user, open=False)
        await self.ack(ref, "checkin.close", outcome)

    # --- background work -------------------------------------------------------------------
    def _start(self, coroutine, *, finishes_alone: bool = False) -> asyncio.Task:
        task = asyncio.create_task(self._guarded(coroutine))
        task.finishes_alone = finishes_alone
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def _guarded(self, coroutine) -> None:
        try:
            await coroutine
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("live room %s: background work failed", self.room.pk)

    async def schedule_results(self, poll_id: int) -> None:
        """Coalesce result updates to at most 4 a second per room, across processes: the
        first consumer to claim a quarter-second slot (in the shared cache) flushes it at the
        slot's end, when every answer acknowledged during the slot is committed."""
        slot = int(time.time() * RESULT_SLOTS_PER_SECOND)
        asked = _slots_asked.setdefault(asyncio.get_running_loop(), {})
        if asked.get((self.room.pk, poll_id)) == slot:
            return  # this process already asked for this slot: it is flushed by someone
        if len(asked) > 1000:
            asked.clear()
        asked[(self.room.pk, poll_id)] = slot
        key = f"live:{self.room.pk}:poll:{poll_id}:slot:{slot}"
        if await cache.aadd(key, 1, 2):
            flush_at = (slot + 1) / RESULT_SLOTS_PER_SECOND
            self._start(self.flush_results(poll_id, flush_at), finishes_alone=True)

    async def flush_results(self, poll_id: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.time()))
        events = await db(services.publish_results)(room=self.room, poll=poll_id)
        await broadcast(events)

    def _watch_countdown_of(self, poll: dict | None) -> None:
        """Watch the countdown of ``poll`` (as in ``state``) if it is open and has one. The
        watch outlives this screen: a console closed during the countdown still closes the
        poll at its end (while this process runs; after a restart, the next teacher or
        projector screen to connect takes over)."""
        if poll and poll["status"] == "open" and poll["closes_at"]:
            if self.countdown is not None:
                self.countdown.cancel()
            closes_at = datetime.fromisoformat(poll["closes_at"])
            self.countdown = self._start(
                self.close_when_due(poll["id"], closes_at), finishes_alone=True
            )

    async def close_when_due(self, poll_id: int, closes_at: datetime) -> None:
        """Close a poll whose countdown has ended, revealing its answer and results (answers
        after ``closes_at`` are refused anyway; several screens may try, one closes it)."""
        await asyncio.sleep(max(0.0, (closes_at - timezone.now()).total_seconds()))
        outcome = await db(services.close_poll)(room=self.room, poll=poll_id, only_if_expired=True)
        await broadcast(outcome.events)

    async def rotate_codes(self) -> None:
        """Send this teacher or projector screen the check-in code at every rotation (to
        this connection only: the code is computed, not stored, so no event is needed)."""
        while not self.closing:
            frame = await db(checkin_services.code_frame)(self.room.session)
            await self.send_frame(frame)
            await asyncio.sleep(max(1, frame["expires_in"]))


class PingConsumer(AsyncJsonWebsocketConsumer):
    """Connectivity check for signed-in users: answers {"type": "ping"} with a pong.

    Proves the WebSocket path end to end (origin check, session authentication) before
    the live classroom exists. Anonymous connections are closed with 4401.
    """

    async def connect(self):
        await self.accept()  # first, so that browsers see the close code
        if not self.scope["user"].is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:  # not JSON, or a binary frame
            await self.send_json({"type": "error", "code": "malformed"})

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong", "user": self.scope["user"].number})
        else:
            await self.send_json({"type": "error", "code": "unknown_type"})
