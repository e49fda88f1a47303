"""The live room under load: N students on real WebSockets, the product against a bare consumer.

Run: .venv/bin/python -m tests.bench.bench_live          # --students 200,500,1000

One Daphne process (in-memory channel layer, SQLite in a throwaway file, or PostgreSQL with
--database-url) serving the real room at ``ws/live/<session>/`` and, with RONGKE_BENCH=1, the
bare consumer of ``live/bench.py`` at ``ws/bench/<room>/`` (no authentication, no database).
For each N and each consumer, in one asyncio process here:

1. the teacher and N students connect (each waits for its ``state``);
2. updates: the teacher pushes 30 events at 2 Hz, alternately opening and closing a poll
   (``poll.open`` then ``poll.close``: every student receives ``poll.opened`` and
   ``poll.closed``); each student timestamps each receipt: latency = receipt - the teacher's
   send; lost = events not received within 10 s of the last send;
3. answer burst: the teacher opens one more poll; every student answers it at a random moment
   within 1 s: the time until every answer is acknowledged, and (product) the ClassAnswer rows
   for the poll, which must equal the acknowledgements.

The bare consumer gets the same frames' shapes (``broadcast`` of ``poll.opened`` and
``poll.closed`` with a poll of the same size; answers acknowledged at once). The table gives
both and the ratio product/bare. Exit status 1 if a message is lost, an answer is not
acknowledged, or rows != acknowledgements.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.bench._server import (
    bench_env,
    build_class,
    cookie_header,
    database_name,
    percentile,
    postgres_database,
    raise_open_files_limit,
    session_cookies,
    setup_django,
    start_daphne,
)

UPDATES = 30
RATE_HZ = 2.0
BURST_SECONDS = 1.0
CONNECT_CONCURRENCY = 50
DELIVERY_GRACE = 10.0  # seconds after the last update before a missing event counts as lost
ACK_TIMEOUT = 60.0
OPTIONS = ["Option A", "Option B", "Option C", "Option D"]


@dataclass
class Client:
    """One connection and what it received: (event type, poll id) -> receipt time."""

    ws: object
    received: dict[tuple[str, int], float] = field(default_factory=dict)
    acks: dict[str, asyncio.Future] = field(default_factory=dict)
    reader: asyncio.Task | None = None

    async def read(self) -> None:
        try:
            async for message in self.ws:
                now = time.perf_counter()
                frame = json.loads(message)
                kind = frame.get("type")
                if kind == "poll.opened":
                    self.received[(kind, frame["poll"]["id"])] = now
                elif kind == "poll.closed":
                    self.received[(kind, frame["poll"])] = now
                elif kind in ("ack", "error") and frame.get("ref") in self.acks:
                    future = self.acks.pop(frame["ref"])
                    if not future.done():
                        future.set_result((now, frame))
        except Exception:  # a closed connection ends the reader; the figures show the loss
            for future in self.acks.values():
                if not future.done():
                    future.set_result((time.perf_counter(), {"type": "closed"}))

    async def request(self, frame: dict, *, timeout: float = ACK_TIMEOUT) -> tuple[float, dict]:
        """Send ``frame`` with a fresh ``ref``; the (receipt time, frame) of its ack/error."""
        ref = uuid.uuid4().hex[:12]
        future = asyncio.get_running_loop().create_future()
        self.acks[ref] = future
        await self.ws.send(json.dumps({**frame, "ref": ref}))
        return await asyncio.wait_for(future, timeout)


class Product:
    """The real room: poll.open / poll.close / answer as in docs/live-protocol.md."""

    name = "product"

    def __init__(self, session_id: int, teacher_cookie: str, student_cookies: list[str]):
        self.session_id = session_id
        self.teacher_cookie = teacher_cookie
        self.student_cookies = student_cookies

    def teacher_target(self):
        return f"/ws/live/{self.session_id}/", self.teacher_cookie

    def student_target(self, i: int):
        return f"/ws/live/{self.session_id}/", self.student_cookies[i]

    async def open_poll(self, teacher: Client, i: int) -> int:
        _, ack = await teacher.request(
            {
                "type": "poll.open",
                "kind": "single",
                "prompt": f"Question {i}: which option?",
                "options": OPTIONS,
                "correct": [1],
            }
        )
        if ack.get("type") != "ack":
            raise RuntimeError(f"poll.open refused: {ack}")
        return ack["poll"]

    async def close_poll(self, teacher: Client, poll_id: int) -> None:
        _, ack = await teacher.request({"type": "poll.close", "poll": poll_id})
        if ack.get("type") != "ack":
            raise RuntimeError(f"poll.close refused: {ack}")


class Bare:
    """The bare consumer of live/bench.py: the same events, broadcast without checks or DB."""

    name = "bare"

    def __init__(self, room: str):
        self.room = room
        self.polls = 0

    def teacher_target(self):
        return f"/ws/bench/{self.room}/?role=teacher", None

    def student_target(self, i: int):
        return f"/ws/bench/{self.room}/", None

    async def open_poll(self, teacher: Client, i: int) -> int:
        self.polls += 1
        poll = {
            "id": self.polls,
            "kind": "single",
            "prompt": f"Question {i}: which option?",
            "options": OPTIONS,
            "status": "open",
            "opened_at": "2026-11-24T08:00:00+08:00",
            "closes_at": None,
        }
        await teacher.request(
            {"type": "broadcast", "event": "poll.opened", "fields": {"poll": poll}}
        )
        return self.polls

    async def close_poll(self, teacher: Client, poll_id: int) -> None:
        fields = {"poll": poll_id, "correct": [1], "answered": 0, "results": {"counts": [0] * 4}}
        await teacher.request({"type": "broadcast", "event": "poll.closed", "fields": fields})


@dataclass
class Round:
    consumer: str
    students: int
    connect_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    lost: int = 0
    slip_ms: float = 0.0  # how late the last update went out against the 2 Hz schedule
    acks: int = 0
    errors: int = 0
    all_acked_s: float = 0.0
    ack_latencies_ms: list[float] = field(default_factory=list)
    rows: int | None = None


async def connect(server, path: str, cookie: str | None) -> Client:
    from websockets.asyncio.client import connect as ws_connect

    headers = {"Cookie": cookie} if cookie else {}
    ws = await ws_connect(
        server.ws_url(path),
        origin=server.origin,
        additional_headers=headers,
        compression=None,
        ping_interval=None,
        open_timeout=60,
        max_size=2**20,
    )
    first = json.loads(await asyncio.wait_for(ws.recv(), 60))
    if first.get("type") != "state":
        raise RuntimeError(f"expected state, got {first}")
    client = Client(ws)
    client.reader = asyncio.create_task(client.read())
    return client


async def run_round(server, consumer, n: int, count_rows) -> Round:
    result = Round(consumer=consumer.name, students=n)
    started = time.perf_counter()
    teacher = await connect(server, *consumer.teacher_target())
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def join(i: int) -> Client:
        async with gate:
            return await connect(server, *consumer.student_target(i))

    students = await asyncio.gather(*(join(i) for i in range(n)))
    result.connect_s = time.perf_counter() - started
    await asyncio.sleep(1.0)  # let the server settle after the connections

    # Updates: 30 events at 2 Hz (open, close, open, ...), each sent on schedule.
    sent: dict[tuple[str, int], float] = {}
    t0 = time.perf_counter()
    poll_id = None
    for i in range(UPDATES):
        due = t0 + i / RATE_HZ
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        at = time.perf_counter()
        result.slip_ms = max(result.slip_ms, (at - due) * 1000)
        if i % 2 == 0:
            # The ack carries the poll's id; the event may reach students before it does.
            poll_id = await consumer.open_poll(teacher, i)
            sent[("poll.opened", poll_id)] = at
        else:
            sent[("poll.closed", poll_id)] = at
            await consumer.close_poll(teacher, poll_id)
    deadline = time.perf_counter() + DELIVERY_GRACE
    while time.perf_counter() < deadline:
        if all(all(key in s.received for key in sent) for s in students):
            break
        await asyncio.sleep(0.1)
    for s in students:
        for key, at in sent.items():
            if key in s.received:
                result.latencies_ms.append((s.received[key] - at) * 1000)
            else:
                result.lost += 1

    # Answer burst: one more poll; every student answers within BURST_SECONDS.
    poll_id = await consumer.open_poll(teacher, UPDATES)
    await asyncio.sleep(0.5)
    burst_start = time.perf_counter()
    rng = random.Random(n)

    async def answer(s: Client) -> tuple[float, dict] | None:
        await asyncio.sleep(rng.uniform(0, BURST_SECONDS))
        at = time.perf_counter()
        frame = {
            "type": "answer",
            "poll": poll_id,
            "key": uuid.uuid4().hex,
            "value": rng.randrange(4),
        }
        try:
            received, ack = await s.request(frame)
        except TimeoutError:
            return None
        return received - at, ack

    answers = await asyncio.gather(*(answer(s) for s in students))
    finished = time.perf_counter()
    for outcome in answers:
        if outcome is None or outcome[1].get("type") != "ack":
            result.errors += 1
        else:
            result.acks += 1
            result.ack_latencies_ms.append(outcome[0] * 1000)
    result.all_acked_s = finished - burst_start
    await consumer.close_poll(teacher, poll_id)
    if count_rows is not None:
        result.rows = await asyncio.to_thread(count_rows, poll_id)

    for client in (teacher, *students):
        await client.ws.close()
        client.reader.cancel()
    await asyncio.sleep(1.0)
    return result


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def print_table(rounds: list[Round]) -> None:
    print()
    print(
        "| consumer | N | connect | p50 | p95 | p99 | max | lost | all answers acked | "
        "answer p95 | acks | rows |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rounds:
        lat = r.latencies_ms
        print(
            f"| {r.consumer} | {r.students} | {r.connect_s:.1f} s | "
            f"{_ms(statistics.median(lat) if lat else 0)} | {_ms(percentile(lat, 0.95))} | "
            f"{_ms(percentile(lat, 0.99))} | {_ms(max(lat, default=0))} | {r.lost} | "
            f"{r.all_acked_s:.2f} s | {_ms(percentile(r.ack_latencies_ms, 0.95))} | "
            f"{r.acks}/{r.students} | {'-' if r.rows is None else r.rows} |"
        )
    ratios = []
    for n, product, bare in _pairs(rounds):
        ratios.append(
            f"| {n} | {_ratio(_p50(product), _p50(bare))} | "
            f"{_ratio(_p95(product), _p95(bare))} | "
            f"{_ratio(product.all_acked_s, bare.all_acked_s)} |"
        )
    if ratios:
        print()
        print("| N | product/bare p50 | product/bare p95 | product/bare all acked |")
        print("| --- | --- | --- | --- |")
        print("\n".join(ratios))


def _p50(r: Round) -> float:
    return statistics.median(r.latencies_ms) if r.latencies_ms else 0.0


def _p95(r: Round) -> float:
    return percentile(r.latencies_ms, 0.95)


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "-"


def _pairs(rounds: list[Round]):
    """(N, product round, bare round) for each N that has both."""
    by_key = {(r.consumer, r.students): r for r in rounds}
    for n in sorted({r.students for r in rounds}):
        if ("product", n) in by_key and ("bare", n) in by_key:
            yield n, by_key[("product", n)], by_key[("bare", n)]


def check_targets(rounds: list[Round]) -> list[str]:
    """The issue's targets, each "met" or "MISSED" with the figures."""
    lines = []
    lost = sum(r.lost for r in rounds)
    lines.append(f"0 lost: {'met' if lost == 0 else 'MISSED'} ({lost} lost in all rounds)")
    by_key = {(r.consumer, r.students): r for r in rounds}
    product_500 = by_key.get(("product", 500))
    if product_500:
        p95 = percentile(product_500.latencies_ms, 0.95)
        lines.append(f"N=500 p95 <= 500 ms: {'met' if p95 <= 500 else 'MISSED'} ({p95:.0f} ms)")
    for n, product, bare in _pairs(rounds):
        p95 = _p95(product) / max(_p95(bare), 1e-9)
        burst = product.all_acked_s / max(bare.all_acked_s, 1e-9)
        lines.append(
            f"N={n} product within 1.3x of bare: {'met' if max(p95, burst) <= 1.3 else 'MISSED'} "
            f"(p95 {p95:.2f}x, answer burst {burst:.2f}x)"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", default="200,500,1000", help="comma-separated N")
    parser.add_argument("--consumers", default="product,bare", help="product, bare or both")
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server URL (postgres://user@host:port/NAME); NAME is created and "
        "dropped. Default: SQLite in a throwaway file",
    )
    parser.add_argument(
        "--patch",
        default="",
        help="experiments for the server, see live/bench.py: clean, dispatch or clean,dispatch",
    )
    parser.add_argument("--application", default="lms.asgi:application")
    args = parser.parse_args()
    sizes = [int(n) for n in args.students.split(",")]
    consumers = [c.strip() for c in args.consumers.split(",")]
    limit = raise_open_files_limit()
    if limit < max(sizes) * 2 + 100:
        print(f"open files limit {limit} is too low for {max(sizes)} clients", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="bench-live-", dir="/tmp"))
    extra = {"RONGKE_BENCH": "1", "RONGKE_BENCH_PATCH": args.patch}
    if args.database_url:
        name = database_name(args.database_url) or "rongke_bench_live"
        with postgres_database(args.database_url, name) as url:
            return _run(bench_env(database_url=url, extra=extra), sizes, consumers, workdir, args)
    env = bench_env(sqlite_path=workdir / "db.sqlite3", extra=extra)
    return _run(env, sizes, consumers, workdir, args)


async def bare_is_routed(server) -> bool:
    from websockets.asyncio.client import connect as ws_connect
    from websockets.exceptions import InvalidStatus

    try:
        async with ws_connect(server.ws_url("/ws/bench/probe/"), origin=server.origin) as ws:
            await asyncio.wait_for(ws.recv(), 10)
        return True
    except InvalidStatus:
        return False


def _run(env, sizes, consumers, workdir: Path, args) -> int:
    setup_django(env)
    from classrooms.models import ClassAnswer

    started = time.perf_counter()
    klass = build_class(max(sizes))
    cookies = session_cookies([klass.teacher, *klass.students])
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"one room, {max(sizes)} enrolled students, session {klass.session.pk} "
        f"(built in {time.perf_counter() - started:.1f} s); {os.cpu_count()} cores, load "
        f"{load}; patches: {args.patch or 'none'}; server log in {workdir}"
    )
    session_id = klass.session.pk

    def count_rows(poll_id: int) -> int:
        return ClassAnswer.objects.filter(session_id=session_id, activity=f"poll:{poll_id}").count()

    server = start_daphne(env, log_dir=workdir, application=args.application)
    rounds = []
    try:
        if "bare" in consumers and not asyncio.run(bare_is_routed(server)):
            print(
                "The bare consumer is not routed (live/routing.py has to add live.bench's "
                "websocket_urlpatterns when RONGKE_BENCH=1): running the product alone.",
                file=sys.stderr,
            )
            consumers = [c for c in consumers if c != "bare"]
        for n in sizes:
            for name in consumers:
                if name == "product":
                    consumer = Product(
                        session_id,
                        cookie_header(cookies[klass.teacher.pk]),
                        [cookie_header(cookies[s.pk]) for s in klass.students],
                    )
                    rows = count_rows
                else:
                    consumer, rows = Bare(f"room{n}"), None
                r = asyncio.run(run_round(server, consumer, n, rows))
                rounds.append(r)
                print(
                    f"{name} N={n}: connected in {r.connect_s:.1f} s, "
                    f"p95 {percentile(r.latencies_ms, 0.95):.0f} ms, lost {r.lost}, "
                    f"all acked in {r.all_acked_s:.2f} s ({r.acks} acks, rows {r.rows})",
                    flush=True,
                )
    finally:
        server.stop()
    print_table(rounds)
    print()
    for line in check_targets(rounds):
        print(line)
    failed = any(r.lost or r.errors or (r.rows is not None and r.rows != r.acks) for r in rounds)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
