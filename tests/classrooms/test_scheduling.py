"""The timetable scheduler: weeks, holidays, make-up days, regeneration, conflicts, moves."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from classrooms.models import Holiday, MakeUpDay, Session, SessionStatus
from classrooms.services.scheduling import (
    ConflictError,
    cancel_session,
    delete_rule,
    find_conflicts,
    generate_sessions,
    move_session,
    parse_weeks,
    plan_sessions,
    session_has_records,
    update_rule,
)
from tests.factories import TeacherFactory
from tests.factories.classrooms import make_offering, make_rule, make_term
from tests.factories.courses import make_course

pytestmark = pytest.mark.django_db

# make_term's default: week 1 starts on Monday 2026-09-07; 16 weeks, to Sunday 2026-12-27.


def aware(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock), timezone.get_current_timezone())


@pytest.fixture
def offering(teacher):
    return make_offering(
        course=make_course(teachers=[teacher]), term=make_term(), teachers=[teacher]
    )


def snapshot(offering):
    return list(
        Session.objects.filter(offering=offering)
        .order_by("pk")
        .values_list("pk", "uid", "date", "starts_at", "ends_at", "room", "sequence", "moved")
    )


# --- weeks -------------------------------------------------------------------------------------
def test_parse_weeks_reads_ranges_and_single_weeks():
    assert parse_weeks("1-8,10,12-16") == {*range(1, 9), 10, *range(12, 17)}
    assert parse_weeks(" 1 – 3，5、7 ") == {1, 2, 3, 5, 7}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "Give the weeks, for example 1-8,10,12-16."),
        ("1-x", "“1-x” is not a week or a range of weeks (for example 1-8,10,12-16)."),
        ("8-3", "The range “8-3” ends before it starts."),
        ("0-3", "Weeks are numbered from 1 (“0-3”)."),
        ("1-17", "Week 17 is after the end of the term (16 weeks)."),
    ],
)
def test_parse_weeks_explains_what_is_wrong(spec, message):
    with pytest.raises(ValidationError) as error:
        parse_weeks(spec, weeks=16)
    assert error.value.messages == [message]


# --- planning ----------------------------------------------------------------------------------
def test_sessions_follow_the_period_table(offering):
    make_rule(offering, weekday=1, periods=(3, 4), weeks="1-2", room="B202")
    planned = plan_sessions(offering=offering)
    assert [(p.date, p.week, p.starts_at, p.ends_at, p.room, p.class_hours) for p in planned] == [
        (date(2026, 9, 8), 1, aware(date(2026, 9, 8), time(10, 0)),
         aware(date(2026, 9, 8), time(11, 40)), "B202", 2),
        (date(2026, 9, 15), 2, aware(date(2026, 9, 15), time(10, 0)),
         aware(date(2026, 9, 15), time(11, 40)), "B202", 2),
    ]  # fmt: skip


def test_odd_and_even_weeks(offering):
    odd = make_rule(offering, weekday=0, weeks="1-8", parity="odd")
    even = make_rule(offering, weekday=2, weeks="1-8", parity="even", room="B1")
    planned = plan_sessions(offering=offering)
    assert [p.week for p in planned if p.rule == odd] == [1, 3, 5, 7]
    assert [p.week for p in planned if p.rule == even] == [2, 4, 6, 8]
    assert next(p.date for p in planned if p.rule == even) == date(2026, 9, 16)


def test_holidays_are_skipped(offering):
    Holiday.objects.create(
        term=offering.term,
        name="National Day",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 7),
    )
    make_rule(offering, weekday=3, weeks="3-6")  # Thursdays: 9-24, 10-1, 10-8, 10-15
    dates = [p.date for p in plan_sessions(offering=offering)]
    assert dates == [date(2026, 9, 24), date(2026, 10, 8), date(2026, 10, 15)]


def test_make_up_day_follows_the_timetable_of_another_date(offering):
    # Monday 2026-10-05 is a holiday; Saturday 2026-10-10 (week 5) makes it up.
    Holiday.objects.create(
        term=offering.term,
        name="National Day",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 7),
    )
    MakeUpDay.objects.create(
        term=offering.term, date=date(2026, 10, 10), follows_date=date(2026, 10, 5)
    )
    make_rule(offering, weekday=0, weeks="4-6", periods=(1, 2))  # Mondays of weeks 4, 5, 6
    planned = plan_sessions(offering=offering)
    assert [(p.date, p.week, p.starts_at) for p in planned] == [
        (date(2026, 9, 28), 4, aware(date(2026, 9, 28), time(8, 0))),
        (date(2026, 10, 10), 5, aware(date(2026, 10, 10), time(8, 0))),
        (date(2026, 10, 12), 6, aware(date(2026, 10, 12), time(8, 0))),
    ]


def test_a_date_taken_over_by_a_make_up_day_has_no_classes_of_its_own(offering):
    # Friday 2026-10-09 (not a holiday) follows Monday 2026-10-05's timetable; Friday's own
    # classes move nowhere: the date "taken over" is 2026-10-05, which therefore has none.
    MakeUpDay.objects.create(
        term=offering.term, date=date(2026, 10, 9), follows_date=date(2026, 10, 5)
    )
    monday = make_rule(offering, weekday=0, weeks="5")
    friday = make_rule(offering, weekday=4, weeks="5", room="B2")
    planned = plan_sessions(offering=offering)
    assert [(p.rule, p.date) for p in planned] == [(monday, date(2026, 10, 9))]
    assert friday not in [p.rule for p in planned]


# --- generation --------------------------------------------------------------------------------
def test_generation_creates_sessions_with_stable_uids(offering):
    make_rule(offering, weekday=0, weeks="1-16")
    make_rule(offering, weekday=2, weeks="1-8", parity="odd", periods=(5, 7), room="Lab 3")
    result = generate_sessions(offering=offering)
    assert (result.ok, result.created, result.updated, result.deleted) == (True, 20, 0, 0)
    sessions = Session.objects.filter(offering=offering)
    assert sessions.count() == 20
    assert len({s.uid for s in sessions}) == 20
    lab = sessions.filter(room="Lab 3").first()
    assert (lab.date, lab.class_hours, lab.sequence, lab.moved) == (date(2026, 9, 9), 3, 0, False)
    assert lab.ends_at == aware(date(2026, 9, 9), time(16, 45))


def test_running_generation_again_changes_nothing(offering, django_assert_max_num_queries):
    make_rule(offering, weekday=0, weeks="1-16")
    make_rule(offering, weekday=3, weeks="1-16", room="B7")
    generate_sessions(offering=offering)
    before = snapshot(offering)
    with django_assert_max_num_queries(12):
        result = generate_sessions(offering=offering)
    assert (result.created, result.updated, result.deleted, result.unchanged) == (0, 0, 0, 32)
    assert snapshot(offering) == before


def test_series_edit_moves_unmoved_sessions_only(offering, teacher):
    rule = make_rule(offering, weekday=0, weeks="1-3", periods=(1, 2), room="A101")
    generate_sessions(offering=offering)
    first, second, third = Session.objects.filter(offering=offering).order_by("date")
    move_session(session=second, date=date(2026, 9, 17), first_period=5, last_period=6, by=teacher)
    result = update_rule(rule=rule, room="C303", first_period=3, last_period=4)
    assert (result.updated, result.kept, result.created, result.deleted) == (2, 1, 0, 0)
    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert (first.room, first.starts_at, first.sequence) == (
        "C303",
        aware(date(2026, 9, 7), time(10, 0)),
        1,
    )
    assert (third.room, third.sequence) == ("C303", 1)
    # The moved session stays where it was moved to.
    assert (second.room, second.date, second.starts_at, second.sequence, second.moved) == (
        "A101",
        date(2026, 9, 17),
        aware(date(2026, 9, 17), time(14, 0)),
        1,
        True,
    )


def test_moved_session_is_untouched_by_regeneration(offering, teacher):
    make_rule(offering, weekday=0, weeks="1-2")
    generate_sessions(offering=offering)
    session = Session.objects.filter(offering=offering).first()
    move_session(session=session, date=date(2026, 9, 9), room="D1", by=teacher)
    before = snapshot(offering)
    result = generate_sessions(offering=offering)
    assert (result.created, result.updated, result.kept) == (0, 0, 1)
    assert snapshot(offering) == before
    session.refresh_from_db()
    assert (session.date, session.week, session.room, session.starts_at) == (
        date(2026, 9, 9),
        1,
        "D1",
        aware(date(2026, 9, 9), time(8, 0)),
    )


def test_narrowing_the_weeks_deletes_sessions_without_records(offering):
    rule = make_rule(offering, weekday=0, weeks="1-4")
    generate_sessions(offering=offering)
    kept_uids = set(Session.objects.filter(week__lte=2).values_list("uid", flat=True))
    result = update_rule(rule=rule, weeks="1-2")
    assert (result.deleted, result.unchanged) == (2, 2)
    assert set(Session.objects.filter(offering=offering).values_list("uid", flat=True)) == kept_uids
    assert session_has_records(Session.objects.first()) is False


def test_cancel_bumps_sequence_and_survives_regeneration(offering, teacher):
    make_rule(offering, weekday=0, weeks="1-2")
    generate_sessions(offering=offering)
    session = Session.objects.filter(offering=offering).first()
    cancel_session(session=session, by=teacher)
    cancel_session(session=session, by=teacher)  # idempotent
    generate_sessions(offering=offering)
    session.refresh_from_db()
    assert (session.status, session.sequence) == (SessionStatus.CANCELLED, 1)


def test_only_the_offerings_teachers_move_or_cancel(offering):
    make_rule(offering, weekday=0, weeks="1")
    generate_sessions(offering=offering)
    session = Session.objects.get(offering=offering)
    before = snapshot(offering)
    with pytest.raises(PermissionDenied):
        cancel_session(session=session, by=TeacherFactory())
    with pytest.raises(PermissionDenied):
        move_session(session=session, date=date(2026, 9, 8), by=TeacherFactory())
    assert snapshot(offering) == before


def test_moving_outside_the_term_is_refused(offering, teacher):
    make_rule(offering, weekday=0, weeks="1")
    generate_sessions(offering=offering)
    session = Session.objects.get(offering=offering)
    with pytest.raises(ValidationError) as error:
        move_session(session=session, date=date(2027, 3, 1), by=teacher)
    assert error.value.message_dict["date"] == [
        f"This date lies outside the term {offering.term.name} (2026-09-07 to 2026-12-27)."
    ]


def test_delete_rule_removes_its_unmoved_sessions(offering, teacher):
    rule = make_rule(offering, weekday=0, weeks="1-3")
    generate_sessions(offering=offering)
    moved = Session.objects.filter(offering=offering).first()
    move_session(session=moved, date=date(2026, 9, 8), by=teacher)
    result = delete_rule(rule=rule)
    assert (result.deleted, result.kept) == (2, 1)
    assert list(Session.objects.filter(offering=offering).values_list("pk", flat=True)) == [
        moved.pk
    ]


# --- conflicts ---------------------------------------------------------------------------------
def test_room_conflict_with_another_offering_is_reported_and_nothing_saved(offering):
    other = make_offering(course=make_course(), term=offering.term, teachers=[TeacherFactory()])
    make_rule(other, weekday=0, weeks="1-2", periods=(1, 2), room="A101")
    generate_sessions(offering=other)
    make_rule(offering, weekday=0, weeks="2-3", periods=(2, 3), room="A101")
    result = generate_sessions(offering=offering)
    assert not result.ok
    assert [(c.kind, c.slot.date) for c in result.conflicts] == [("room", date(2026, 9, 14))]
    assert result.conflicts[0].message.startswith(
        "Room A101 is booked twice on 2026-09-14 08:55–10:45:"
    )
    assert Session.objects.filter(offering=offering).count() == 0


def test_teacher_conflict_with_another_offering_is_reported_and_nothing_saved(offering, teacher):
    other = make_offering(course=make_course(), term=offering.term, teachers=[teacher])
    make_rule(other, weekday=4, weeks="1", periods=(5, 6), room="B1")
    generate_sessions(offering=other)
    make_rule(offering, weekday=4, weeks="1", periods=(6, 7), room="C1")
    planned = plan_sessions(offering=offering)
    conflicts = find_conflicts(planned, offering=offering)
    assert [(c.kind, c.teacher, c.slot.date) for c in conflicts] == [
        ("teacher", teacher.display_name, date(2026, 9, 11))
    ]
    assert not generate_sessions(offering=offering).ok
    assert Session.objects.filter(offering=offering).count() == 0


def test_overlapping_rules_of_one_offering_conflict(offering):
    make_rule(offering, weekday=0, weeks="1", periods=(1, 2), room="A1")
    make_rule(offering, weekday=0, weeks="1", periods=(2, 3), room="A1")
    result = generate_sessions(offering=offering)
    assert [c.kind for c in result.conflicts] == ["room"]
    assert Session.objects.count() == 0


def test_series_edit_into_a_conflict_changes_nothing(offering):
    other = make_offering(course=make_course(), term=offering.term, teachers=[TeacherFactory()])
    make_rule(other, weekday=1, weeks="1-16", room="Busy")
    generate_sessions(offering=other)
    rule = make_rule(offering, weekday=0, weeks="1-16", room="A1")
    generate_sessions(offering=offering)
    before = snapshot(offering)
    with pytest.raises(ConflictError) as error:
        update_rule(rule=rule, weekday=1, room="Busy")
    assert len(error.value.conflicts) == 16
    rule.refresh_from_db()
    assert (rule.weekday, rule.room) == (0, "A1")
    assert snapshot(offering) == before


def test_moving_onto_a_booked_room_is_refused(offering, teacher):
    other = make_offering(course=make_course(), term=offering.term, teachers=[TeacherFactory()])
    make_rule(other, weekday=1, weeks="1", periods=(3, 4), room="Busy")
    generate_sessions(offering=other)
    make_rule(offering, weekday=0, weeks="1")
    generate_sessions(offering=offering)
    session = Session.objects.get(offering=offering)
    before = snapshot(offering)
    with pytest.raises(ConflictError) as error:
        move_session(
            session=session, date=date(2026, 9, 8), first_period=4, room="Busy", by=teacher
        )
    assert [c.kind for c in error.value.conflicts] == ["room"]
    assert snapshot(offering) == before


def test_invalid_rule_period_is_refused(offering):
    rule = make_rule(offering, weekday=0, weeks="1")
    with pytest.raises(ValidationError) as error:
        update_rule(rule=rule, last_period=12)
    assert error.value.message_dict["last_period"] == [
        f"Period 12 is not in the period table of {offering.term.name}."
    ]
    rule.refresh_from_db()
    assert rule.last_period == 2
