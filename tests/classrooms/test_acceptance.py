"""Issue 4's acceptance, through the HTTP views.

A teacher sets up an offering from a roster file and two timetable rules, generates and
publishes the calendar, then moves one session; a student sees the moved session in "my
week" and in the feed (same UID, higher SEQUENCE, new start), and sees the published calendar.
"""

from __future__ import annotations

from datetime import date, datetime, time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from icalendar import Calendar

from classrooms.models import Offering, Session
from lms.accounts.models import Role
from tests.conftest import login_client
from tests.factories.classrooms import make_term
from tests.factories.courses import make_course, make_lesson, make_quiz, make_unit

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROSTER = (
    b"number,name,email\n2026101,Zhang San,zhangsan@example.com\n2026102,Li Si,\n2026103,Wang Wu,\n"
)


def at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=SHANGHAI)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def feed_events(client, feed_path: str) -> dict[str, tuple[int, datetime, str]]:
    response = client.get(feed_path)
    assert response.status_code == 200
    return {
        str(event["UID"]): (
            int(event["SEQUENCE"]),
            event.decoded("DTSTART"),
            str(event.get("LOCATION", "")),
        )
        for event in Calendar.from_ical(response.content).walk("VEVENT")
    }


def test_teacher_sets_up_a_class_moves_a_session_and_the_student_sees_it(teacher):
    course = make_course(title="Algorithms", teachers=[teacher])
    for n in (1, 2):
        unit = make_unit(course, title=f"Unit {n}")
        make_lesson(unit, title=f"Lesson {n}")
        make_quiz(unit, title=f"Quiz {n}")
    term = make_term(name="Autumn 2026", starts_on=date(2026, 9, 7))  # Monday of week 1
    client = login_client(teacher)

    # 1. The offering.
    response = client.post(
        reverse("classrooms:offering_create"),
        {
            "course": course.pk,
            "term": term.pk,
            "section": "01",
            "online_opens_on": "2026-09-07",
            "online_closes_on": "2026-12-20",
        },
    )
    offering = Offering.objects.get()
    assert response.url == reverse("classrooms:offering_detail", args=[offering.pk])
    assert list(offering.teachers.all()) == [teacher]

    def url(name, *args):
        return reverse(f"classrooms:{name}", args=[offering.pk, *args])

    # 2. The roster file: a preview that saves nothing, then the import.
    upload = SimpleUploadedFile("roster.csv", ROSTER, content_type="text/csv")
    response = client.post(url("roster_upload"), {"file": upload})
    assert response.status_code == 200
    assert response.context["report"].enrolled == ["2026101", "2026102", "2026103"]
    assert offering.enrolments.count() == 0
    response = client.post(url("roster_upload"), {"confirm": "1"}, follow=True)
    assert messages_of(response) == ["Roster imported: 3 enrolled, 0 re-enrolled, 0 updated."]
    assert sorted(offering.enrolments.active().values_list("student__number", flat=True)) == [
        "2026101",
        "2026102",
        "2026103",
    ]
    student = get_user_model().objects.get(number="2026101")
    assert (student.display_name, student.email, student.has_role(Role.STUDENT)) == (
        "Zhang San",
        "zhangsan@example.com",
        True,
    )

    # 3. Two timetable rules: Mondays periods 1-2 and Wednesdays periods 3-4, weeks 1-4.
    for weekday, first, last, room in ((0, 1, 2, "A101"), (2, 3, 4, "A102")):
        response = client.post(
            url("rule_add"),
            {
                "weekday": weekday,
                "first_period": first,
                "last_period": last,
                "weeks": "1-4",
                "parity": "all",
                "room": room,
                "organisation": "large",
            },
            follow=True,
        )
        assert messages_of(response) == ["Rule added; 4 sessions created."]
    response = client.post(url("sessions_generate"), follow=True)
    assert messages_of(response) == ["Sessions: 0 created, 0 updated, 0 deleted."]
    assert Session.objects.filter(offering=offering).count() == 8

    # 4. The draft calendar, then its publication.
    response = client.post(url("calendar_generate"), follow=True)
    assert messages_of(response) == ["A draft calendar of 10 entries was generated."]
    response = client.post(url("calendar_publish"), follow=True)
    assert messages_of(response) == ["Version 1 is published."]

    # The student, created by the roster import, has a private feed link on "my week".
    reader = login_client(student)
    week_url = reverse("classrooms:my_week") + "?start=2026-09-14"
    feed_path = urlsplit(reader.get(week_url).context["feed_url"]).path
    before = feed_events(reader, feed_path)

    # 5. The teacher moves the week-2 Monday class to Thursday, periods 5-6, room B303.
    session = Session.objects.get(offering=offering, date=date(2026, 9, 14))
    response = client.post(
        url("session_move", session.pk),
        {"date": "2026-09-17", "first_period": 5, "last_period": 6, "room": "B303"},
        follow=True,
    )
    assert messages_of(response) == ["The session was moved."]

    # 6. My week from Monday 2026-09-14: the Wednesday class and the moved one on Thursday.
    response = reader.get(week_url)
    assert response.status_code == 200
    shown = [
        (item.session.uid, item.starts_at, item.ends_at, item.room, item.moved)
        for day in response.context["days"]
        for item in day["study"].sessions
    ]
    wednesday = Session.objects.get(offering=offering, date=date(2026, 9, 16))
    assert shown == [
        (
            wednesday.uid,
            at(date(2026, 9, 16), time(10, 0)),
            at(date(2026, 9, 16), time(11, 40)),
            "A102",
            False,
        ),
        (
            session.uid,
            at(date(2026, 9, 17), time(14, 0)),
            at(date(2026, 9, 17), time(15, 40)),
            "B303",
            True,
        ),
    ]
    assert [day["date"] for day in response.context["days"] if day["study"].sessions] == [
        date(2026, 9, 16),
        date(2026, 9, 17),
    ]
    page = response.content.decode()
    assert "B303" in page and "Moved" in page

    # 7. The feed: the same event (UID) one version later at its new time and room.
    after = feed_events(reader, feed_path)
    assert set(after) == set(before)
    assert before[session.uid] == (0, at(date(2026, 9, 14), time(8, 0)), "A101")
    assert after[session.uid] == (1, at(date(2026, 9, 17), time(14, 0)), "B303")
    assert after[wednesday.uid] == before[wednesday.uid]

    # 8. The published calendar table: ten entries, each unit's prework before its classes.
    response = reader.get(url("calendar"))
    assert response.status_code == 200
    assert response.context["publication"].number == 1
    assert [(row["week"], row["mode"], row["content"]) for row in response.context["rows"]] == [
        (1, "online", "Prepare: Unit 1"),
        (1, "lecture", "Unit 1"),
        (1, "lecture", "Unit 1"),
        (2, "lecture", "Unit 1"),
        (2, "lecture", "Unit 1"),
        (3, "online", "Prepare: Unit 2"),
        (3, "lecture", "Unit 2"),
        (3, "lecture", "Unit 2"),
        (4, "lecture", "Unit 2"),
        (4, "lecture", "Unit 2"),
    ]
    assert [item["title"] for item in response.context["rows"][0]["items"]] == [
        "Lesson 1",
        "Quiz 1",
    ]
