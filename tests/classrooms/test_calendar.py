"""The teaching calendar service: draft, editing, publication with history, hours by mode."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from classrooms.models import CalendarEntry, CalendarPublication, Session
from classrooms.services import (
    add_entry,
    delete_entry,
    generate_draft,
    hours_by_mode,
    move_entry,
    online_share,
    publish_calendar,
    published_calendar,
    set_items,
    update_entry,
)
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.classrooms import make_offering, make_term
from tests.factories.courses import make_course, make_lesson, make_quiz, make_unit

pytestmark = pytest.mark.django_db

_uid = count(1)


def aware(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock), timezone.get_current_timezone())


def make_session(offering, *, week: int, weekday: int = 0, hours: int = 2, **fields) -> Session:
    """A session on ``weekday`` of ``week`` from 08:00 (until SCHED's scheduler is used)."""
    day = offering.term.starts_on + timedelta(days=7 * (week - 1) + weekday)
    start = aware(day, time(8, 0))
    return Session.objects.create(
        offering=offering,
        week=week,
        date=day,
        starts_at=start,
        ends_at=start + timedelta(minutes=50 * hours),
        room=fields.pop("room", "A101"),
        class_hours=hours,
        uid=f"cal-test-{next(_uid)}",
        **fields,
    )


@pytest.fixture
def setup(teacher):
    course = make_course(title="Algorithms")
    unit1 = make_unit(course, title="Sorting")
    lesson1 = make_lesson(unit1, title="Merge sort")
    quiz1 = make_quiz(unit1, title="Sorting quiz")
    unit2 = make_unit(course, title="Graphs")
    lesson2 = make_lesson(unit2, title="BFS")
    student = StudentFactory()
    offering = make_offering(
        course=course, term=make_term(), teachers=[teacher], students=[student]
    )
    sessions = [make_session(offering, week=w) for w in (1, 2, 3, 4)]
    return {
        "course": course,
        "offering": offering,
        "sessions": sessions,
        "units": [unit1, unit2],
        "lesson1": lesson1,
        "quiz1": quiz1,
        "lesson2": lesson2,
        "student": student,
    }


def rows(offering):
    return [
        (
            e.position,
            e.week,
            e.class_hours,
            e.content,
            e.mode,
            e.organisation,
            e.session_id,
            e.due_at,
            sorted(p.title for p in e.items.all()),
        )
        for e in CalendarEntry.objects.filter(offering=offering).order_by("position")
    ]


def test_draft_spreads_units_over_sessions_with_prework_before(setup, teacher):
    s1, s2, s3, s4 = setup["sessions"]
    make_session(setup["offering"], week=5, status="cancelled")  # left out

    entries = generate_draft(offering=setup["offering"], by=teacher)

    assert len(entries) == 6
    assert rows(setup["offering"]) == [
        (1, 1, Decimal("1.0"), "Prepare: Sorting", "online", "individual", s1.pk, None,
         ["Merge sort", "Sorting quiz"]),
        (2, 1, Decimal("2.0"), "Sorting", "lecture", "large", s1.pk, None, []),
        (3, 2, Decimal("2.0"), "Sorting", "lecture", "large", s2.pk, None, []),
        (4, 3, Decimal("1.0"), "Prepare: Graphs", "online", "individual", s3.pk, None, ["BFS"]),
        (5, 3, Decimal("2.0"), "Graphs", "lecture", "large", s3.pk, None, []),
        (6, 4, Decimal("2.0"), "Graphs", "lecture", "large", s4.pk, None, []),
    ]  # fmt: skip


def test_draft_refuses_to_overwrite_unless_replace(setup, teacher):
    offering = setup["offering"]
    generate_draft(offering=offering, by=teacher)
    first = CalendarEntry.objects.get(offering=offering, position=2)
    update_entry(entry=first, by=teacher, content="Edited")
    before = rows(offering)

    with pytest.raises(ValidationError):
        generate_draft(offering=offering, by=teacher)
    assert rows(offering) == before

    generate_draft(offering=offering, by=teacher, replace=True)
    assert CalendarEntry.objects.filter(offering=offering).count() == 6
    assert not CalendarEntry.objects.filter(content="Edited").exists()


def test_only_the_offerings_teachers_and_assistants_edit(setup, teacher):
    offering = setup["offering"]
    other = TeacherFactory()
    with pytest.raises(PermissionDenied):
        generate_draft(offering=offering, by=other)
    with pytest.raises(PermissionDenied):
        generate_draft(offering=offering, by=setup["student"])
    assert not CalendarEntry.objects.exists()

    assistant = TeacherFactory()
    offering.assistants.add(assistant)
    assert len(generate_draft(offering=offering, by=assistant)) == 6


def test_items_of_another_course_are_refused(setup, teacher):
    offering = setup["offering"]
    generate_draft(offering=offering, by=teacher)
    entry = CalendarEntry.objects.get(offering=offering, position=1)
    foreign = make_lesson(make_unit(make_course(title="Other")), title="Elsewhere")

    with pytest.raises(ValidationError) as raised:
        set_items(entry=entry, by=teacher, pages=[setup["lesson2"], foreign])
    assert raised.value.message_dict == {
        "items": ["“Elsewhere” is not a unit, lesson or quiz of this course."]
    }
    assert sorted(p.title for p in entry.items.all()) == ["Merge sort", "Sorting quiz"]

    set_items(entry=entry, by=teacher, pages=[setup["units"][1], setup["lesson2"]])
    assert sorted(p.title for p in entry.items.all()) == ["BFS", "Graphs"]


def test_session_of_another_offering_is_refused(setup, teacher):
    offering = setup["offering"]
    other = make_offering(course=setup["course"], term=offering.term, section="02")
    foreign = make_session(other, week=1)
    with pytest.raises(ValidationError) as raised:
        add_entry(
            offering=offering, by=teacher, week=1, class_hours=2, content="x",
            mode="lecture", session=foreign,
        )  # fmt: skip
    assert raised.value.message_dict == {
        "session": ["This session does not belong to this offering."]
    }
    assert not CalendarEntry.objects.exists()


def test_unusual_hours_and_missing_session_are_warnings(setup, teacher):
    offering = setup["offering"]
    result = add_entry(
        offering=offering, by=teacher, week=2, class_hours=Decimal("6"), content="Lab day",
        mode="lab", organisation="groups",
    )  # fmt: skip
    assert result.warnings == [
        "6 class hours is unusual: an entry usually has 1 to 4.",
        "An in-class entry should be linked to the session it happens in.",
    ]
    assert result.entry.pk and result.entry.position == 1

    s1 = setup["sessions"][0]
    fine = update_entry(entry=result.entry, by=teacher, class_hours=Decimal("3"), session=s1)
    assert fine.warnings == []
    online = add_entry(
        offering=offering, by=teacher, week=1, class_hours=Decimal("0.5"), content="Read",
        mode="online", items=[setup["lesson1"]],
    )  # fmt: skip
    assert online.warnings == ["0.5 class hours is unusual: an entry usually has 1 to 4."]
    assert [p.title for p in online.entry.items.all()] == ["Merge sort"]


def test_add_delete_and_move_keep_positions_contiguous(setup, teacher):
    offering = setup["offering"]
    generate_draft(offering=offering, by=teacher)
    added = add_entry(
        offering=offering, by=teacher, position=2, week=1, class_hours=2, content="Intro",
        mode="discussion", session=setup["sessions"][0],
    ).entry  # fmt: skip
    assert added.position == 2
    contents = lambda: [e.content for e in CalendarEntry.objects.order_by("position")]  # noqa: E731
    assert contents() == [
        "Prepare: Sorting", "Intro", "Sorting", "Sorting", "Prepare: Graphs", "Graphs", "Graphs",
    ]  # fmt: skip
    move_entry(entry=added, by=teacher, position=7)
    assert contents()[-1] == "Intro"
    delete_entry(entry=CalendarEntry.objects.get(position=1), by=teacher)
    assert list(CalendarEntry.objects.order_by("position").values_list("position", flat=True)) == [
        1, 2, 3, 4, 5, 6,
    ]  # fmt: skip
    assert contents()[0] == "Sorting"


def test_publish_numbers_publications_and_lists_changes(setup, teacher):
    offering = setup["offering"]
    generate_draft(offering=offering, by=teacher)
    when = aware(date(2026, 9, 1), time(9, 0))

    first = publish_calendar(offering=offering, by=teacher, now=when)
    assert (first.number, first.published_by, first.published_at) == (1, teacher, when)
    assert first.changes == ["First publication."]
    s1 = setup["sessions"][0]
    assert first.entries[0] == {
        "entry_id": CalendarEntry.objects.get(position=1).pk,
        "position": 1,
        "week": 1,
        "class_hours": "1.0",
        "content": "Prepare: Sorting",
        "mode": "online",
        "organisation": "individual",
        "session_id": s1.pk,
        "session_starts_at": "2026-09-07T08:00:00+08:00",
        "session_ends_at": "2026-09-07T09:40:00+08:00",
        "room": "A101",
        "due_at": "2026-09-07T08:00:00+08:00",
        "items": [
            {"page_id": setup["lesson1"].pk, "title": "Merge sort", "kind": "lesson",
             "url": setup["lesson1"].url},
            {"page_id": setup["quiz1"].pk, "title": "Sorting quiz", "kind": "quiz",
             "url": setup["quiz1"].url},
        ],
    }  # fmt: skip

    entry = CalendarEntry.objects.get(position=3)
    update_entry(entry=entry, by=teacher, content="Quick sort", mode="practice")
    delete_entry(entry=CalendarEntry.objects.get(position=6), by=teacher)
    add_entry(offering=offering, by=teacher, week=5, class_hours=2, content="Exam", mode="exam")
    second = publish_calendar(offering=offering, by=teacher)

    assert second.number == 2
    assert second.changes == [
        "Changed content, learning mode: week 2 “Quick sort”.",
        "Added: week 5 “Exam”.",
        "Removed: week 4 “Graphs”.",
    ]
    assert published_calendar(offering) == second
    assert list(CalendarPublication.objects.values_list("number", flat=True)) == [2, 1]
    first.refresh_from_db()
    assert first.entries[2]["content"] == "Sorting"  # history untouched

    third = publish_calendar(offering=offering, by=teacher)
    assert (third.number, third.changes) == (3, ["No changes."])


def test_publishing_an_empty_calendar_is_refused(setup, teacher):
    with pytest.raises(ValidationError):
        publish_calendar(offering=setup["offering"], by=teacher)
    assert published_calendar(setup["offering"]) is None
    with pytest.raises(PermissionDenied):
        publish_calendar(offering=setup["offering"], by=setup["student"])


def test_explicit_due_time_overrides_the_session_start(setup, teacher):
    offering = setup["offering"]
    generate_draft(offering=offering, by=teacher)
    entry = CalendarEntry.objects.get(position=1)
    update_entry(entry=entry, by=teacher, due_at=aware(date(2026, 9, 6), time(22, 0)))
    publication = publish_calendar(offering=offering, by=teacher)
    assert publication.entries[0]["due_at"] == "2026-09-06T22:00:00+08:00"


def test_hours_by_mode_and_online_share(setup, teacher):
    offering = setup["offering"]
    generate_draft(offering=offering, by=teacher)
    entries = list(CalendarEntry.objects.filter(offering=offering))
    assert hours_by_mode(entries) == {"online": Decimal("2"), "lecture": Decimal("8")}
    assert online_share(entries) == Decimal("20.0")

    add_entry(offering=offering, by=teacher, week=4, class_hours=1, content="Lab", mode="lab")
    publication = publish_calendar(offering=offering, by=teacher)
    assert hours_by_mode(publication.entries) == {
        "online": Decimal("2"),
        "lecture": Decimal("8"),
        "lab": Decimal("1"),
    }
    assert online_share(publication.entries) == Decimal("18.2")
    assert online_share([]) == Decimal("0.0")
