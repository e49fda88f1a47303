"""The live room across two Daphne processes sharing Redis and a database.

The teacher is connected to process 1 and the students to process 2, so every event crosses
the Redis channel layer. The servers use the test database (SQLite file or PostgreSQL, as the
suite runs) and Redis database 5 of the server named by REDIS_URL (default
redis://127.0.0.1:6379), flushed before and after. Skipped only when Redis is unreachable.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import tempfile
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.bench._server import (
    Server,
    cookie_header,
    launch_daphne,
    session_cookies,
    suite_server_env,
    wait_healthy,
)

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_DB = 5
TIMEOUT = 15.0


def _redis_url() -> str:
    """Database REDIS_DB of the Redis server in REDIS_URL (or the local default)."""
    parts = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


@pytest.fixture
def redis_url():
    """REDIS_DB, reachable and empty; held for this test alone (a lock file keeps two suites
    run at once on one machine from flushing each other's groups)."""
    import redis

    url = _redis_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis is unreachable at {url} ({exc}): two processes need it to share events")
    with open(os.path.join(tempfile.gettempdir(), f"rongke-redis-{REDIS_DB}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        client.flushdb()
        try:
            yield url
        finally:
            client.flushdb()
            client.close()


@pytest.fixture
def two_servers(transactional_db, redis_url, tmp_path):
    """Two Daphne processes on one Redis and one database; stopped before the database is
    flushed."""
    env = suite_server_env(redis_url)
    servers: list[Server] = []
    try:
        # Launch both, then wait: the second boots while the first does.
        servers.extend(launch_daphne(env, log_dir=tmp_path) for _ in range(2))
        for server in servers:
            health = wait_healthy(server, timeout=60)
            assert health["status"] == "ok"
        yield servers
    finally:
        for server in servers:
            server.stop()


class Conn:
    """A WebSocket with a way to wait for the next frame that matches."""

    def __init__(self, ws):
        self.ws = ws

    @classmethod
    async def open(cls, server: Server, path: str, cookie: str) -> tuple[Conn, dict]:
        from websockets.asyncio.client import connect

        ws = await connect(
            server.ws_url(path), origin=server.origin, additional_headers={"Cookie": cookie}
        )
        conn = cls(ws)
        state = await conn.next("state")
        return conn, state

    async def send(self, frame: dict) -> str:
        ref = uuid.uuid4().hex[:12]
        await self.ws.send(json.dumps({**frame, "ref": ref}))
        return ref

    async def next(self, kind: str, match=lambda frame: True) -> dict:
        """The next frame of type ``kind`` for which ``match`` is true (others are skipped)."""

        async def wait() -> dict:
            while True:
                frame = json.loads(await self.ws.recv())
                if frame.get("type") == kind and match(frame):
                    return frame
                if frame.get("type") == "error":
                    raise AssertionError(f"error frame while waiting for {kind}: {frame}")

        return await asyncio.wait_for(wait(), TIMEOUT)

    async def ack(self, frame: dict) -> dict:
        ref = await self.send(frame)
        return await self.next("ack", lambda f: f.get("ref") == ref)


def test_a_teacher_on_one_process_and_students_on_another_share_the_room(two_servers):
    from classrooms.models import ClassAnswer
    from tests.factories import StudentFactory, TeacherFactory
    from tests.factories.attendance import make_session_now
    from tests.factories.classrooms import make_offering, make_term
    from tests.factories.courses import make_course

    teacher = TeacherFactory()
    students = [StudentFactory(), StudentFactory()]
    offering = make_offering(
        course=make_course(teachers=[teacher]),
        term=make_term(),
        teachers=[teacher],
        students=students,
    )
    session = make_session_now(offering)
    cookies = session_cookies([teacher, *students])
    first, second = two_servers
    path = f"/ws/live/{session.pk}/"

    async def scenario():
        teacher_conn, state = await Conn.open(first, path, cookie_header(cookies[teacher.pk]))
        assert state["role"] == "teacher"
        student_conns = []
        for student in students:
            conn, state = await Conn.open(second, path, cookie_header(cookies[student.pk]))
            assert state["role"] == "student"
            student_conns.append(conn)

        # The teacher opens a poll on process 1; students on process 2 receive it.
        ack = await teacher_conn.ack(
            {
                "type": "poll.open",
                "kind": "single",
                "prompt": "Which process am I on?",
                "options": ["one", "two"],
                "correct": [1],
            }
        )
        poll_id = ack["poll"]
        for conn in student_conns:
            opened = await conn.next("poll.opened", lambda f: f["poll"]["id"] == poll_id)
            assert opened["poll"]["options"] == ["one", "two"]

        # Students answer on process 2; the teacher on process 1 sees the results.
        for conn in student_conns:
            ack = await conn.ack(
                {"type": "answer", "poll": poll_id, "key": uuid.uuid4().hex, "value": 1}
            )
            assert ack["duplicate"] is False
        results = await teacher_conn.next(
            "poll.results", lambda f: f["poll"] == poll_id and f["answered"] == 2
        )
        assert results["results"] == {"counts": [0, 2]}

        # A comment from a student on process 2 reaches the teacher, with who wrote it.
        await student_conns[0].ack({"type": "comment", "text": "Across processes"})
        comment = await teacher_conn.next(
            "comment", lambda f: f["comment"]["text"] == "Across processes"
        )
        assert comment["comment"]["student"]["id"] == students[0].pk

        for conn in (teacher_conn, *student_conns):
            await conn.ws.close()
        return poll_id

    poll_id = asyncio.run(scenario())
    assert ClassAnswer.objects.filter(session=session, activity=f"poll:{poll_id}").count() == 2
