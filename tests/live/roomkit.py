"""What the live room tests share: a class in session, screens connected through the real
ASGI application, and a reducer that applies events to a ``state`` the way a client does
(docs/live-protocol.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from lms.asgi import application
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.attendance import make_session_now
from tests.factories.baseline import ensure_baseline
from tests.factories.classrooms import make_offering, make_term
from tests.factories.courses import make_course

ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture
async def fresh_channel_layer():
    """A new channel layer for each test: each test has its own event loop, and a Redis
    layer left waiting by a failed test would otherwise fail the next ones too."""
    yield
    from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers

    layer = channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
    if hasattr(layer, "close_pools"):
        await layer.close_pools()


@dataclass
class Class:
    teacher: object
    students: list
    offering: object
    session: object
    course: object


def make_class(n_students: int = 3, **session_fields) -> Class:
    """A teacher, ``n_students`` enrolled students and a session happening now."""
    ensure_baseline()
    teacher = TeacherFactory()
    students = [StudentFactory() for _ in range(n_students)]
    course = make_course(teachers=[teacher])
    offering = make_offering(course=course, term=make_term(), teachers=[teacher], students=students)
    session = make_session_now(offering, **session_fields)
    return Class(teacher, students, offering, session, course)


def session_cookie(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


def _path(session_id: int, view: str | None) -> str:
    return f"/ws/live/{session_id}/" + (f"?view={view}" if view else "")


async def close_code(user, session_id: int, *, view: str | None = None) -> int:
    """Connect as ``user`` (None: anonymous) and return the code the room closes with."""
    headers = [ORIGIN]
    if user is not None:
        headers.append(await database_sync_to_async(session_cookie)(user))
    communicator = WebsocketCommunicator(application, _path(session_id, view), headers=headers)
    connected, _ = await communicator.connect()
    assert connected  # accepted, so that browsers see the close code
    message = await communicator.receive_output(timeout=2)
    assert message["type"] == "websocket.close"
    await communicator.disconnect()
    return message["code"]


@dataclass
class Screen:
    """A connected screen: every frame it received is kept in ``frames``."""

    user: object
    communicator: WebsocketCommunicator
    state: dict | None = None
    frames: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)  # key -> value sent, for the reducer

    async def send(self, **frame) -> None:
        if frame.get("type") == "answer" and "key" in frame:
            self.answers[frame["key"]] = frame.get("value")
        await self.communicator.send_to(text_data=json.dumps(frame))

    async def send_raw(self, *, text: str | None = None, data: bytes | None = None) -> None:
        await self.communicator.send_to(text_data=text, bytes_data=data)

    async def recv(self, timeout: float = 2) -> dict:
        frame = await self.communicator.receive_json_from(timeout=timeout)
        self.frames.append(frame)
        return frame

    async def expect(self, type_: str, timeout: float = 2, **fields) -> dict:
        """The next frame of ``type_`` (with ``fields``), keeping the others it passes."""
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == type_ and all(frame.get(k) == v for k, v in fields.items()):
                return frame

    async def request(self, **frame) -> dict:
        """Send a frame with a ref and return its ack or error."""
        ref = frame.setdefault("ref", f"r{len(self.frames)}-{id(frame)}")
        await self.send(**frame)
        while True:
            reply = await self.recv()
            if reply["type"] in ("ack", "error") and reply.get("ref") == ref:
                return reply

    async def nothing(self, timeout: float = 0.1) -> bool:
        return await self.communicator.receive_nothing(timeout)

    async def close_code(self, timeout: float = 2) -> int:
        """The code the server closes with (frames before it are kept)."""
        while True:
            message = await self.communicator.receive_output(timeout=timeout)
            if message["type"] == "websocket.close":
                return message["code"]
            self.frames.append(json.loads(message["text"]))

    async def leave(self) -> None:
        await self.communicator.disconnect()


async def everyone(klass: Class) -> tuple[Screen, ...]:
    """The teacher's console, the projector and one phone per student, all connected."""
    console = await connect(klass.teacher, klass.session)
    wall = await connect(klass.teacher, klass.session, view="projector")
    phones = [await connect(student, klass.session) for student in klass.students]
    return (console, wall, *phones)


async def leave_all(*screens: Screen) -> None:
    for screen in screens:
        await screen.leave()


async def connect(user, session, *, view: str | None = None) -> Screen:
    cookie = await database_sync_to_async(session_cookie)(user)
    communicator = WebsocketCommunicator(
        application, _path(session.pk, view), headers=[ORIGIN, cookie]
    )
    connected, _ = await communicator.connect()
    assert connected
    screen = Screen(user=user, communicator=communicator)
    screen.state = await screen.recv()
    assert screen.state["type"] == "state", screen.state
    return screen


# --- the reducer: what a client does with the events after its state -------------------------
def _normalise(text: str) -> str:
    return " ".join(text.split()).lower()


def is_right(poll: dict, answer) -> bool | None:
    """A student's page deciding from ``poll.closed`` whether its answer was right."""
    correct = poll["correct"]
    if answer is None or correct is None or correct == []:
        return None
    kind = poll["kind"]
    if kind == "single":
        return answer in correct
    if kind == "multiple":
        return sorted(answer) == sorted(correct)
    if kind == "true_false":
        return answer is correct
    if kind == "text":
        return _normalise(answer) in {_normalise(t) for t in correct}
    return None


def _by_time(items: list, at=lambda item: item["at"], key=lambda item: item["id"]) -> list:
    return sorted(items, key=lambda item: (at(item) or "", key(item)))


def _sort_questions(questions: list) -> None:
    questions.sort(key=lambda q: (-q["votes"], q["at"], q["id"]))


class Reducer:
    """What a client does with the frames after its ``state``, as docs/live-protocol.md
    says: events from different screens may arrive out of order, so for each thing an event
    sets, the last ``seq`` applied is kept and an older event about it is ignored."""

    def __init__(self, state: dict, answers: dict | None = None):
        self.state = json.loads(json.dumps(state))
        self.answers = answers or {}  # key -> value the page sent
        self.marks: dict[tuple, int] = {}
        self.votes: dict[int, int] = {}  # question id -> votes last applied

    def newer(self, thing: tuple, seq: int) -> bool:
        if seq <= self.marks.get(thing, -1):
            return False
        self.marks[thing] = seq
        return True

    def apply(self, frame: dict) -> None:
        state = self.state
        kind, seq = frame["type"], frame.get("seq")
        teacher, student = state["role"] == "teacher", state["role"] == "student"
        poll = state.get("poll")
        if kind == "state":
            self.__init__(frame, self.answers)
            return
        if seq is not None and kind not in ("ack", "error"):
            state["seq"] = max(state["seq"], seq)
        checkin = state["checkin"]
        if kind == "checkin":
            if self.newer(("checkin count",), seq):
                checkin["count"], checkin["enrolled"] = frame["count"], frame["enrolled"]
            who = frame.get("student")
            if who and self.newer(("checkin student", who["id"]), seq):
                attended = who["status"] in ("present", "late")
                if "students" in checkin:
                    others = [s for s in checkin["students"] if s["id"] != who["id"]]
                    checkin["students"] = _by_time([*others, who] if attended else others)
                if student and who["id"] == state["me"]["id"]:
                    state["me"]["checked_in"] = attended
        elif kind == "checkin.window":
            if self.newer(("checkin open",), seq):
                checkin["open"] = frame["open"]
        elif kind == "checkin.code":
            checkin["open"] = frame["open"]  # true now
        elif kind == "poll.opened":
            if self.newer(("current poll",), seq):
                state["poll"] = frame["poll"]
                self.newer(("poll", frame["poll"]["id"]), seq)
            if "prepared" in state:
                state["prepared"] = [p for p in state["prepared"] if p["id"] != frame["poll"]["id"]]
        elif kind == "poll.results":
            current = poll and poll["id"] == frame["poll"] and poll["status"] == "open"
            if current and self.newer(("poll", frame["poll"]), seq):
                poll["answered"], poll["results"] = frame["answered"], frame["results"]
        elif kind == "poll.closed":  # final, but may come again with newer figures
            self.marks[("poll", frame["poll"])] = 2**63
            if poll and poll["id"] == frame["poll"] and self.newer(("closed", frame["poll"]), seq):
                poll["status"] = "closed"
                poll["correct"] = frame["correct"]
                poll["answered"], poll["results"] = frame["answered"], frame["results"]
                if student:
                    poll["you_were_right"] = is_right(poll, poll["your_answer"])
        elif kind == "comment":
            comment = frame["comment"]
            hidden = ("hidden comment", comment["id"]) in self.marks
            if hidden and not teacher:
                return
            comment = {**comment, "hidden": comment["hidden"] or hidden}
            others = [c for c in state["comments"] if c["id"] != comment["id"]]
            state["comments"] = _by_time([*others, comment])[-50:]
        elif kind == "comment.hidden":
            self.marks[("hidden comment", frame["comment"])] = seq
            if teacher:
                for comment in state["comments"]:
                    if comment["id"] == frame["comment"]:
                        comment["hidden"] = True
            else:
                state["comments"] = [c for c in state["comments"] if c["id"] != frame["comment"]]
        elif kind == "question":
            question = dict(frame["question"])
            if question["id"] in self.votes:  # its votes came first
                question["votes"] = self.votes[question["id"]]
            if ("answered", question["id"]) in self.marks:
                question["answered"] = True
            if all(q["id"] != question["id"] for q in state["questions"]):
                state["questions"].append(question)
            _sort_questions(state["questions"])
        elif kind == "question.votes":
            if "voted" in frame:
                for question in state["questions"]:
                    if question["id"] == frame["question"]:
                        question["voted"] = frame["voted"]
            if self.newer(("votes", frame["question"]), seq):
                self.votes[frame["question"]] = frame["votes"]
                for question in state["questions"]:
                    if question["id"] == frame["question"]:
                        question["votes"] = frame["votes"]
            _sort_questions(state["questions"])
        elif kind == "question.answered":
            self.marks[("answered", frame["question"])] = seq
            for question in state["questions"]:
                if question["id"] == frame["question"]:
                    question["answered"] = True
        elif kind == "hand":
            who = frame["student"]["id"] if teacher else state.get("me", {}).get("id")
            if not self.newer(("hand", who), seq):
                return
            if teacher:
                hands = [h for h in state["hands"] if h["student"]["id"] != who]
                if frame["raised"]:
                    hands.append({"student": frame["student"], "at": frame["at"]})
                state["hands"] = _by_time(hands, key=lambda h: h["student"]["id"])
            elif student:
                state["me"]["hand"] = frame["raised"]
        elif kind == "call":
            calls = [c for c in state["calls"] if c["id"] != frame["id"]]
            state["calls"] = _by_time([*calls, {k: frame[k] for k in ("id", "student", "at")}])
            state["calls"] = state["calls"][-10:]
        elif kind == "mute":
            who = frame["student"] if teacher else state.get("me", {}).get("id")
            if not self.newer(("mute", who), seq):
                return
            if teacher:
                muted = set(state["muted"]) - {who}
                state["muted"] = sorted(muted | ({who} if frame["muted"] else set()))
            elif student:
                state["me"]["muted"] = frame["muted"]
        elif kind == "ack" and frame["for"] == "answer" and student:
            # the page keeps what it sent: the acknowledged answer is this poll's answer
            mine = poll and poll["id"] == frame["poll"] and poll["your_answer"] is None
            if mine and not frame["duplicate"]:
                poll["your_answer"] = self.answers.get(frame["key"])


def replay(screen: Screen) -> dict:
    """The screen's first state with every frame it received since applied."""
    reducer = Reducer(screen.state, screen.answers)
    for frame in screen.frames[1:]:
        reducer.apply(frame)
    return reducer.state
