"""End to end, in a real browser: a student's live page on a phone connects to a real Daphne
server, shows the poll the teacher opens, sends the answer the student taps, and tells them
they were right when the poll closes; the page fits the phone's width. The teacher's console
and the projector, in two tabs of a laptop, open a poll from the form, show its results, and
put a student who checks in over HTTP on the wall.

Runs Chromium headless (``apt-get install chromium``); skipped, saying so, without it.
"""

from __future__ import annotations

import asyncio

import pytest
from django.conf import settings

from tests.bench._server import (
    cookie_header,
    launch_daphne,
    session_cookies,
    suite_server_env,
    wait_healthy,
)
from tests.e2e.browser import Browser, find_chromium
from tests.live.roomkit import make_class
from tests.live.test_two_processes import Conn

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chromium():
    executable = find_chromium()
    if executable is None:
        pytest.skip("needs Chromium for browser tests: apt-get install chromium")
    browser = Browser.launch(executable)
    yield browser
    browser.close()


@pytest.fixture
def server(transactional_db, tmp_path):
    """One Daphne process (in-memory channel layer) on this test's database."""
    process = launch_daphne(suite_server_env(), log_dir=tmp_path)
    try:
        assert wait_healthy(process, timeout=60)["status"] == "ok"
        yield process
    finally:
        process.stop()


def test_a_student_answers_a_poll_from_a_phone_browser(server, chromium, tmp_path):
    from classrooms.models import ClassAnswer

    klass = make_class(1)
    student = klass.students[0]
    cookies = session_cookies([klass.teacher, student])
    page_url = f"{server.origin}/live/{klass.session.pk}/me/"
    socket_path = f"/ws/live/{klass.session.pk}/"

    async def scenario():
        phone = await chromium.page()
        try:
            await phone.open(page_url, cookies={settings.SESSION_COOKIE_NAME: cookies[student.pk]})
            status = "document.getElementById('live-status')?.dataset.status"
            assert await phone.wait_for(f"{status} === 'connected'")
            console, _state = await Conn.open(
                server, socket_path, cookie_header(cookies[klass.teacher.pk])
            )
            ack = await console.ack(
                {
                    "type": "poll.open",
                    "kind": "single",
                    "prompt": "Which structure is LIFO?",
                    "options": ["Queue", "Stack", "Heap"],
                    "correct": [1],
                }
            )
            # the phone shows the question and its three options; the student taps "Stack"
            await phone.wait_for("document.querySelectorAll('.live-answer').length === 3")
            assert "Which structure is LIFO?" in await phone.evaluate(
                "document.getElementById('poll').textContent"
            )
            await phone.evaluate("document.querySelectorAll('.live-answer')[1].click()")
            await phone.wait_for("!document.querySelector('.live-submit').disabled")
            await phone.evaluate("document.querySelector('.live-submit').click()")
            shown = await phone.wait_for("document.querySelector('.live-your-answer')?.textContent")
            assert "Stack" in shown
            # acknowledged: the "sending" line goes once the answer is written
            await phone.wait_for("!document.querySelector('#poll .help')")
            results = await console.next("poll.results")
            assert results["results"] == {"counts": [0, 1, 0]}
            await console.ack({"type": "poll.close", "poll": ack["poll"]})
            right = await phone.wait_for("document.querySelector('.live-right')?.textContent")
            assert right == "You were right."
            # phone first: nothing is wider than the phone's screen
            fits = "document.documentElement.scrollWidth <= window.innerWidth"
            assert await phone.evaluate(fits)
            await phone.screenshot(tmp_path / "phone.png")
            assert phone.errors == []
            await console.ws.close()
        finally:
            await phone.close()

    asyncio.run(scenario())
    answer = ClassAnswer.objects.get()
    assert (answer.student_id, answer.value, answer.correct) == (student.pk, 1, True)


def test_the_console_opens_a_poll_and_the_projector_shows_results_and_check_ins(server, chromium):
    import urllib.request

    from classrooms.services.checkin import current_code

    klass = make_class(1)
    student = klass.students[0]
    cookies = session_cookies([klass.teacher, student])
    teacher_cookie = {settings.SESSION_COOKIE_NAME: cookies[klass.teacher.pk]}
    base = f"{server.origin}/live/{klass.session.pk}/"
    connected = "document.getElementById('live-status')?.dataset.status === 'connected'"

    async def scenario():
        console = await chromium.page(phone=False)
        wall = await chromium.page(phone=False)
        try:
            await console.open(base, cookies=teacher_cookie)
            await wall.open(base + "projector/", cookies=teacher_cookie)
            assert await console.wait_for(connected) and await wall.wait_for(connected)
            # the projector shows the rotating code for phones without a camera
            code = await wall.wait_for("document.getElementById('qr-code')?.textContent")
            assert code.isdigit() and len(code) == 6

            # the teacher types a question into the console's form and opens it
            await console.evaluate(
                """(() => {
                  document.querySelector('#typed-poll').closest('details').open = true;
                  document.getElementById('typed-kind').value = 'single';
                  document.getElementById('typed-kind').dispatchEvent(new Event('change'));
                  document.getElementById('typed-prompt').value = 'Which structure is LIFO?';
                  document.getElementById('typed-options').value = 'Queue\\nStack\\nHeap';
                  document.getElementById('typed-correct').value = '2';
                  document.querySelector('#typed-poll button[type=submit]').click();
                  return true;
                })()"""
            )
            prompt = "document.getElementById('poll')?.textContent.includes('Which structure')"
            assert await wall.wait_for(prompt) and await console.wait_for(prompt)

            student_socket, state = await Conn.open(
                server, f"/ws/live/{klass.session.pk}/", cookie_header(cookies[student.pk])
            )
            poll = state["poll"]
            assert poll["options"] == ["Queue", "Stack", "Heap"] and poll["correct"] is None
            await student_socket.ack(
                {"type": "answer", "poll": poll["id"], "key": "browser-key-1", "value": 1}
            )
            # the live results reach the projector: one answer, all on "Stack"
            assert await wall.wait_for(
                "document.getElementById('poll')?.textContent.includes('1 · 100%')"
            )

            # the student checks in by opening the QR's address (HTTP, not the socket)
            def check_in():
                from django.db import connection as thread_connection

                try:
                    scan = server.origin + current_code(klass.session).path
                finally:
                    thread_connection.close()  # this worker thread's own connection
                cookie = {"Cookie": cookie_header(cookies[student.pk])}
                request = urllib.request.Request(scan, headers=cookie)  # noqa: S310 (local http)
                with urllib.request.urlopen(request) as reply:  # noqa: S310
                    return reply.status

            assert await asyncio.to_thread(check_in) == 200
            names = "document.getElementById('checkin-names')?.textContent"
            assert student.display_name in await wall.wait_for(names)
            assert console.errors == [] and wall.errors == []
            await student_socket.ws.close()
        finally:
            await console.close()
            await wall.close()

    asyncio.run(scenario())
