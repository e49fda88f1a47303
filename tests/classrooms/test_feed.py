"""The private iCalendar feed: content, stable UIDs, reschedules, revocation, query count."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from classrooms.models import Enrolment, FeedToken, SessionStatus
from classrooms.services.feeds import build_feed, feed_token_for, revoke_feed_token
from tests.conftest import login_client
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.classrooms import make_offering, make_session, make_term
from tests.factories.courses import make_course, make_lesson, make_quiz, make_unit
from tests.factories.week import aware, build_busy_student, publish_online_calendar

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def world(teacher, student):
    term = make_term(starts_on=date(2026, 9, 7))
    course = make_course(title="Algorithms")
    unit = make_unit(course, title="Sorting")
    lesson = make_lesson(unit, title="Merge sort")
    quiz = make_quiz(unit, title="Sorting quiz")
    offering = make_offering(course=course, term=term, teachers=[teacher], students=[student])
    first = make_session(offering, day=date(2026, 9, 7), periods=(1, 2), room="教一-101")
    second = make_session(offering, day=date(2026, 9, 10), periods=(3, 4), room="实验楼-305")
    cancelled = make_session(
        offering, day=date(2026, 9, 14), room="教一-101", status=SessionStatus.CANCELLED
    )
    publish_online_calendar(offering, teacher, [(first.starts_at, [lesson, quiz])])
    return {
        "offering": offering,
        "sessions": [first, second, cancelled],
        "lesson": lesson,
        "quiz": quiz,
    }


def events(data: bytes) -> dict[str, dict]:
    calendar = Calendar.from_ical(data)
    return {
        str(event["UID"]): {
            "summary": str(event["SUMMARY"]),
            "location": str(event.get("LOCATION", "")),
            "start": event.decoded("DTSTART"),
            "sequence": int(event.get("SEQUENCE", 0)),
            "status": str(event.get("STATUS", "")),
        }
        for event in calendar.walk("VEVENT")
    }


def test_feed_has_every_session_and_prework_due_time(world, student):
    first, second, cancelled = world["sessions"]
    offering = world["offering"]

    found = events(build_feed(student))

    assert found == {
        first.uid: {
            "summary": "Algorithms [01]",
            "location": "教一-101",
            "start": datetime(2026, 9, 7, 8, 0, tzinfo=SHANGHAI),
            "sequence": 0,
            "status": "CONFIRMED",
        },
        second.uid: {
            "summary": "Algorithms [01]",
            "location": "实验楼-305",
            "start": datetime(2026, 9, 10, 10, 0, tzinfo=SHANGHAI),
            "sequence": 0,
            "status": "CONFIRMED",
        },
        cancelled.uid: {
            "summary": "Algorithms [01]",
            "location": "教一-101",
            "start": datetime(2026, 9, 14, 8, 0, tzinfo=SHANGHAI),
            "sequence": 0,
            "status": "CANCELLED",
        },
        f"due-{offering.pk}-{world['lesson'].pk}@rongke": {
            "summary": "Merge sort · Algorithms [01]",
            "location": "",
            "start": datetime(2026, 9, 7, 8, 0, tzinfo=SHANGHAI),
            "sequence": 1,
            "status": "",
        },
        f"due-{offering.pk}-{world['quiz'].pk}@rongke": {
            "summary": "Sorting quiz · Algorithms [01]",
            "location": "",
            "start": datetime(2026, 9, 7, 8, 0, tzinfo=SHANGHAI),
            "sequence": 1,
            "status": "",
        },
    }
    calendar = Calendar.from_ical(build_feed(student))
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_a_moved_session_keeps_its_uid_with_a_higher_sequence(world, student):
    first = world["sessions"][0]
    new_start = aware(date(2026, 9, 8), time(14, 0))
    first.date = new_start.date()
    first.starts_at = new_start
    first.ends_at = new_start + timedelta(minutes=100)
    first.room = "教一-202"
    first.moved = True
    first.sequence += 1
    first.save()

    moved = events(build_feed(student))[first.uid]

    assert (moved["start"], moved["sequence"], moved["location"]) == (
        datetime(2026, 9, 8, 14, 0, tzinfo=SHANGHAI),
        1,
        "教一-202",
    )


def test_teachers_and_assistants_get_their_sessions_but_no_due_items(world, teacher):
    assistant = TeacherFactory()
    world["offering"].assistants.add(assistant)

    for user in (teacher, assistant):
        assert set(events(build_feed(user))) == {s.uid for s in world["sessions"]}


def test_feed_holds_only_the_users_own_active_offerings(world, student):
    stranger = StudentFactory()
    other = make_offering(
        course=make_course(title="Secret"), term=world["offering"].term, students=[stranger]
    )
    secret = make_session(other, day=date(2026, 9, 8))

    assert secret.uid not in events(build_feed(student))
    assert set(events(build_feed(stranger))) == {secret.uid}

    Enrolment.objects.filter(student=student).update(dropped_at=timezone.now())
    assert events(build_feed(student)) == {}


def test_feed_query_count_does_not_grow(teacher, django_assert_max_num_queries):
    today, now = date(2026, 9, 23), aware(date(2026, 9, 23), time(12, 0))
    small = build_busy_student(teacher, offerings=2, entries=3, today=today, now=now)
    large = build_busy_student(teacher, offerings=8, entries=40, today=today, now=now)
    build_feed(small)
    counts = []
    for student in (small, large):
        with django_assert_max_num_queries(4) as captured:
            build_feed(student)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- tokens and the view ---------------------------------------------------------------------
def test_feed_url_serves_text_calendar_without_login(world, student, client):
    token = feed_token_for(student).token

    response = client.get(reverse("classrooms:feed", args=[token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert set(events(response.content)) >= {s.uid for s in world["sessions"]}


def test_token_is_stable_until_revoked_then_the_old_url_is_gone(student, client):
    old = feed_token_for(student).token
    assert feed_token_for(student).token == old
    assert len(old) >= 40

    new = revoke_feed_token(student).token

    assert new != old
    assert FeedToken.objects.filter(user=student).count() == 1
    assert client.get(reverse("classrooms:feed", args=[old])).status_code == 404
    assert client.get(reverse("classrooms:feed", args=[new])).status_code == 200


def test_unknown_token_is_404(db, client):
    assert client.get(reverse("classrooms:feed", args=["not-a-token"])).status_code == 404


def test_revoke_button_replaces_the_token(student):
    old = feed_token_for(student).token
    client = login_client(student)

    response = client.post(reverse("classrooms:revoke_feed"))

    assert response.status_code == 302
    assert FeedToken.objects.get(user=student).token != old
    assert client.get(reverse("classrooms:revoke_feed")).status_code == 405
    assert FeedToken.objects.get(user=student).token != old


def test_my_week_shows_the_current_feed_url(student):
    token = feed_token_for(student).token

    html = login_client(student).get(reverse("classrooms:my_week")).content.decode()

    assert f"/classes/feed/{token}.ics" in html
    assert reverse("classrooms:revoke_feed") in html
