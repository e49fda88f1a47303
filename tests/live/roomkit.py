"""What the live room tests share: a class in session, screens connected through the real
ASGI application, and a reducer that applies events to a ``state`` the way a client does
(docs/live-protocol.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from lms.accounts.models import Role
from lms.asgi import application
from lms.home.models import HomePage
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.attendance import make_session_now
from tests.factories.classrooms import make_offering, make_term
from tests.factories.courses import make_course

ORIGIN = (b"origin", b"http://testserver")


@dataclass
class Class:
    teacher: object
    students: list
    offering: object
    session: object
    course: object


def ensure_baseline() -> None:
    """Put back what migrations made and these tests need (the role groups, Wagtail's page
    tree and default site): a transactional test empties every table when it ends, and
    ``post_migrate`` restores content types and permissions only."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    if HomePage.objects.exists():
        return
    locale, _ = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.objects.filter(depth=1).first() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    home = root.add_child(instance=HomePage(title="Rongke", slug="home", locale=locale))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
    )


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


def _sort_questions(questions: list) -> None:
    questions.sort(key=lambda q: (-q["votes"], q["at"], q["id"]))


def apply(state: dict, frame: dict, answers: dict | None = None) -> dict:
    """Apply one frame received after ``state`` to it (in place), as a client would."""
    kind = frame["type"]
    teacher, student = state["role"] == "teacher", state["role"] == "student"
    poll = state.get("poll")
    if "seq" in frame and kind not in ("ack", "error"):
        state["seq"] = max(state["seq"], frame["seq"])
    if kind == "checkin":
        state["checkin"]["count"] = frame["count"]
        state["checkin"]["enrolled"] = frame["enrolled"]
        if "student" in frame and "students" in state["checkin"]:
            listed = [s for s in state["checkin"]["students"] if s["id"] != frame["student"]["id"]]
            state["checkin"]["students"] = [*listed, frame["student"]]
        if student and "student" in frame and frame["student"]["id"] == state["me"]["id"]:
            state["me"]["checked_in"] = True
    elif kind in ("checkin.window", "checkin.code"):
        state["checkin"]["open"] = frame["open"]
    elif kind == "poll.opened":
        state["poll"] = frame["poll"]
        if "prepared" in state:
            state["prepared"] = [p for p in state["prepared"] if p["id"] != frame["poll"]["id"]]
    elif kind == "poll.results" and poll and poll["id"] == frame["poll"]:
        poll["answered"], poll["results"] = frame["answered"], frame["results"]
    elif kind == "poll.closed" and poll and poll["id"] == frame["poll"]:
        poll["status"] = "closed"
        poll["correct"] = frame["correct"]
        poll["answered"], poll["results"] = frame["answered"], frame["results"]
        if student:
            poll["you_were_right"] = is_right(poll, poll["your_answer"])
    elif kind == "comment":
        comments = [c for c in state["comments"] if c["id"] != frame["comment"]["id"]]
        state["comments"] = [*comments, frame["comment"]][-50:]
    elif kind == "comment.hidden":
        if teacher:
            for comment in state["comments"]:
                if comment["id"] == frame["comment"]:
                    comment["hidden"] = True
        else:
            state["comments"] = [c for c in state["comments"] if c["id"] != frame["comment"]]
    elif kind == "question":
        if all(q["id"] != frame["question"]["id"] for q in state["questions"]):
            state["questions"].append(frame["question"])
        _sort_questions(state["questions"])
    elif kind == "question.votes":
        for question in state["questions"]:
            if question["id"] == frame["question"]:
                question["votes"] = frame["votes"]
                if "voted" in frame:
                    question["voted"] = frame["voted"]
        _sort_questions(state["questions"])
    elif kind == "question.answered":
        for question in state["questions"]:
            if question["id"] == frame["question"]:
                question["answered"] = True
    elif kind == "hand":
        if teacher:
            hands = [h for h in state["hands"] if h["student"]["id"] != frame["student"]["id"]]
            if frame["raised"]:
                hands.append({"student": frame["student"], "at": frame["at"]})
            state["hands"] = hands
        elif student:
            state["me"]["hand"] = frame["raised"]
    elif kind == "call":
        calls = [c for c in state["calls"] if c["id"] != frame["id"]]
        state["calls"] = [*calls, {k: frame[k] for k in ("id", "student", "at")}][-10:]
    elif kind == "mute":
        if teacher:
            muted = set(state["muted"]) - {frame["student"]}
            state["muted"] = sorted(muted | ({frame["student"]} if frame["muted"] else set()))
        elif student:
            state["me"]["muted"] = frame["muted"]
    elif kind == "ack" and frame["for"] == "answer" and student:
        # the page keeps what it sent: the acknowledged answer is this poll's answer
        mine = poll and poll["id"] == frame["poll"] and poll["your_answer"] is None
        if mine and not frame["duplicate"]:
            poll["your_answer"] = (answers or {}).get(frame["key"])
    return state


def replay(screen: Screen) -> dict:
    """The screen's first state with every frame it received since applied."""
    state = json.loads(json.dumps(screen.state))
    for frame in screen.frames[1:]:
        if frame["type"] == "state":
            state = json.loads(json.dumps(frame))
        else:
            apply(state, frame, screen.answers)
    return state
