"""Calendar pages: the editor, the classic table, the xlsx export, and who may see what."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from classrooms.models import CalendarEntry, CalendarPublication
from classrooms.services import add_entry, generate_draft, publish_calendar, update_entry
from tests.classrooms.test_calendar import aware, make_session
from tests.conftest import login_client
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.classrooms import make_offering, make_term
from tests.factories.courses import make_course, make_lesson, make_quiz, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering(teacher, student):
    course = make_course(title="Algorithms")
    unit1 = make_unit(course, title="Sorting")
    make_lesson(unit1, title="Merge sort")
    make_quiz(unit1, title="Sorting quiz")
    unit2 = make_unit(course, title="Graphs")
    make_lesson(unit2, title="BFS")
    offering = make_offering(
        course=course, term=make_term(name="Autumn 2026"), teachers=[teacher], students=[student]
    )
    for week in (1, 2, 3, 4):
        make_session(offering, week=week)
    return offering


def url(name, offering, *args):
    return reverse(f"classrooms:{name}", args=[offering.pk, *args])


def test_teacher_generates_edits_and_publishes_through_the_pages(offering, teacher):
    client = login_client(teacher)
    assert client.get(url("calendar_edit", offering)).status_code == 200

    response = client.post(url("calendar_generate", offering))
    assert response.status_code == 302
    assert CalendarEntry.objects.filter(offering=offering).count() == 6

    entry = CalendarEntry.objects.get(offering=offering, position=2)
    page = client.get(url("calendar_entry_edit", offering, entry.pk))
    assert page.status_code == 200
    sessions = page.context["form"].fields["session"].queryset
    assert list(sessions) == list(offering.sessions.order_by("starts_at"))
    items = page.context["form"].fields["items"].queryset
    assert [p.title for p in items] == ["Sorting", "Merge sort", "Sorting quiz", "Graphs", "BFS"]

    response = client.post(
        url("calendar_entry_edit", offering, entry.pk),
        {
            "week": 1,
            "class_hours": "6",
            "content": "Merge sort by hand",
            "mode": "practice",
            "organisation": "groups",
            "session": entry.session_id,
            "due_at": "",
        },
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "The entry is saved.",
        "6 class hours is unusual: an entry usually has 1 to 4.",
    ]
    entry.refresh_from_db()
    assert (entry.content, entry.mode, entry.class_hours) == (
        "Merge sort by hand",
        "practice",
        Decimal("6.0"),
    )

    client.post(url("calendar_publish", offering))
    assert CalendarPublication.objects.get(offering=offering).number == 1
    page = client.get(url("calendar_edit", offering))
    assert page.context["pending"] == ["No changes."]
    # each in-class entry links to the polls prepared for its session
    html = page.content.decode()
    assert reverse("live:prepare", args=[entry.session_id]) in html
    assert [p.number for p in page.context["publications"]] == [1]


def test_foreign_item_in_the_form_is_refused_and_changes_nothing(offering, teacher):
    generate_draft(offering=offering, by=teacher)
    entry = CalendarEntry.objects.get(offering=offering, position=1)
    foreign = make_lesson(make_unit(make_course(title="Other")), title="Elsewhere")
    response = login_client(teacher).post(
        url("calendar_entry_edit", offering, entry.pk),
        {"week": 1, "class_hours": "1", "content": "x", "mode": "online", "items": [foreign.pk]},
    )
    assert response.status_code == 200
    assert "items" in response.context["form"].errors
    entry.refresh_from_db()
    assert entry.content == "Prepare: Sorting"
    assert sorted(p.title for p in entry.items.all()) == ["Merge sort", "Sorting quiz"]


def test_students_see_only_the_published_version(offering, teacher, student):
    client = login_client(student)
    page = client.get(url("calendar", offering))
    assert page.status_code == 200
    assert page.context["rows"] == []
    assert "has not been published yet" in page.content.decode()

    generate_draft(offering=offering, by=teacher)
    publish_calendar(offering=offering, by=teacher)
    update_entry(
        entry=CalendarEntry.objects.get(offering=offering, position=2),
        by=teacher,
        content="Secret draft",
    )

    page = client.get(url("calendar", offering) + "?draft=1")
    contents = [row["content"] for row in page.context["rows"]]
    assert contents == [
        "Prepare: Sorting", "Sorting", "Sorting", "Prepare: Graphs", "Graphs", "Graphs",
    ]  # fmt: skip
    assert "Secret draft" not in page.content.decode()
    assert page.context["hours"]["online_share"] == Decimal("20.0")

    draft = login_client(teacher).get(url("calendar", offering) + "?draft=1")
    assert draft.context["rows"][1]["content"] == "Secret draft"

    publish_calendar(offering=offering, by=teacher)
    page = client.get(url("calendar", offering))
    assert page.context["rows"][1]["content"] == "Secret draft"


def test_access_to_calendar_pages(offering, teacher, reviewer):
    generate_draft(offering=offering, by=teacher)
    publish_calendar(offering=offering, by=teacher)
    outsider = StudentFactory()
    make_offering(course=offering.course, term=offering.term, section="02", students=[outsider])
    other_teacher = TeacherFactory()
    make_offering(
        course=offering.course, term=offering.term, section="03", teachers=[other_teacher]
    )
    pages = [
        url("calendar", offering),
        url("calendar_xlsx", offering),
        url("calendar_edit", offering),
    ]
    for user in (outsider, other_teacher):
        client = login_client(user)
        assert [client.get(p).status_code for p in pages] == [403, 403, 403]
        assert client.post(url("calendar_publish", offering)).status_code == 403
        assert client.post(url("calendar_generate", offering), {"replace": "on"}).status_code == 403

    client = login_client(reviewer)
    assert [client.get(p).status_code for p in pages] == [200, 200, 403]
    assert client.get(url("calendar", offering) + "?draft=1").context["show_draft"] is True
    assert client.post(url("calendar_publish", offering)).status_code == 403
    assert CalendarPublication.objects.filter(offering=offering).count() == 1
    assert CalendarEntry.objects.filter(offering=offering).count() == 6


def test_xlsx_export_of_the_published_calendar(offering, teacher, student):
    generate_draft(offering=offering, by=teacher)
    add_entry(offering=offering, by=teacher, week=4, class_hours=1, content="Lab", mode="lab")
    publish_calendar(offering=offering, by=teacher, now=aware(date(2026, 9, 1), time(9, 30)))

    response = login_client(student).get(url("calendar_xlsx", offering))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    width = 8
    pad = lambda *cells: [*cells, *[None] * (width - len(cells))]  # noqa: E731
    assert values == [
        pad("Algorithms [01] Autumn 2026"),
        pad("Version 1, published 2026-09-01 09:30"),
        ["Week", "Class hours", "Content", "Learning mode", "Organisation", "Session",
         "Online items", "Due"],
        [1, 1, "Prepare: Sorting", "Online self-study", "Individual", "2026-09-07 08:00 A101",
         "Merge sort\nSorting quiz", "2026-09-07 08:00"],
        [1, 2, "Sorting", "Classroom lecture", "Large class", "2026-09-07 08:00 A101", None, None],
        [2, 2, "Sorting", "Classroom lecture", "Large class", "2026-09-14 08:00 A101", None, None],
        [3, 1, "Prepare: Graphs", "Online self-study", "Individual", "2026-09-21 08:00 A101",
         "BFS", "2026-09-21 08:00"],
        [3, 2, "Graphs", "Classroom lecture", "Large class", "2026-09-21 08:00 A101", None, None],
        [4, 2, "Graphs", "Classroom lecture", "Large class", "2026-09-28 08:00 A101", None, None],
        [4, 1, "Lab", "Lab", None, None, None, None],
        pad(),
        pad("Hours by learning mode"),
        pad("Online self-study", 2),
        pad("Classroom lecture", 8),
        pad("Lab", 1),
        pad("Total", 11),
        pad("Online share (%)", 18.2),
    ]  # fmt: skip


def test_xlsx_before_publication_is_a_clear_404(offering, student):
    response = login_client(student).get(url("calendar_xlsx", offering))
    assert response.status_code == 404
    assert "has not been published yet" in response.content.decode()


@pytest.mark.parametrize("extra_weeks", [0, 12])
def test_calendar_table_query_count_does_not_grow(
    offering, teacher, student, extra_weeks, django_assert_max_num_queries
):
    for week in range(5, 5 + extra_weeks):
        make_session(offering, week=week)
    generate_draft(offering=offering, by=teacher)
    publish_calendar(offering=offering, by=teacher)
    student_client, teacher_client = login_client(student), login_client(teacher)
    with django_assert_max_num_queries(9):
        response = student_client.get(url("calendar", offering))
    assert len(response.context["rows"]) == 6 + extra_weeks
    with django_assert_max_num_queries(12):
        response = teacher_client.get(url("calendar", offering) + "?draft=1")
    assert len(response.context["rows"]) == 6 + extra_weeks


def test_the_publication_history_speaks_the_readers_language(db):
    from django.urls import reverse

    from classrooms.services.calendar import generate_draft, publish_calendar
    from tests.conftest import login_client
    from tests.factories import TeacherFactory
    from tests.factories.classrooms import make_offering, make_rule, make_term
    from tests.factories.courses import make_course, make_lesson, make_unit

    teacher = TeacherFactory()
    course = make_course(teachers=[teacher])
    make_lesson(make_unit(course))
    offering = make_offering(course=course, term=make_term(), teachers=[teacher])
    make_rule(offering, weeks="1-2")
    from classrooms.services.scheduling import generate_sessions

    generate_sessions(offering=offering)
    generate_draft(offering=offering, by=teacher)
    publish_calendar(offering=offering, by=teacher)  # published in English (the default)

    url = reverse("classrooms:calendar_edit", args=[offering.pk])
    client = login_client(teacher)
    assert "First publication." in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "First publication." not in chinese
