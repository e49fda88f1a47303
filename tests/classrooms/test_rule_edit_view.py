"""Editing a whole series from the offering page: the rule changes, unmoved sessions follow."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from classrooms.models import Session, TimetableRule
from classrooms.services.scheduling import generate_sessions, move_session
from tests.conftest import login_client
from tests.factories import TeacherFactory
from tests.factories.classrooms import make_offering, make_rule, make_term
from tests.factories.courses import make_course

pytestmark = pytest.mark.django_db

# make_term's default: week 1 starts on Monday 2026-09-07.
FORM = {
    "weekday": 2,
    "first_period": 3,
    "last_period": 4,
    "weeks": "1-3",
    "parity": "all",
    "room": "B202",
    "organisation": "large",
}


def aware(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock), timezone.get_current_timezone())


@pytest.fixture
def offering(teacher):
    offering = make_offering(
        course=make_course(teachers=[teacher]), term=make_term(), teachers=[teacher]
    )
    make_rule(offering, weekday=0, periods=(1, 2), weeks="1-3", room="A101")
    assert generate_sessions(offering=offering).created == 3
    return offering


def edit_url(offering, rule):
    return reverse("classrooms:rule_edit", args=[offering.pk, rule.pk])


def sessions(offering):
    return list(
        Session.objects.filter(offering=offering)
        .order_by("pk")
        .values_list("uid", "date", "starts_at", "room", "sequence", "moved")
    )


def test_detail_links_each_rule_to_its_edit_screen(offering, teacher):
    rule = offering.rules.get()
    response = login_client(teacher).get(reverse("classrooms:offering_detail", args=[offering.pk]))
    assert f'href="{edit_url(offering, rule)}"' in response.content.decode()


def test_form_is_prefilled(offering, teacher):
    rule = offering.rules.get()
    response = login_client(teacher).get(edit_url(offering, rule))
    assert response.status_code == 200
    form = response.context["form"]
    assert {name: form[name].value() for name in FORM} == {
        "weekday": 0,
        "first_period": 1,
        "last_period": 2,
        "weeks": "1-3",
        "parity": "all",
        "room": "A101",
        "organisation": "large",
    }


def test_the_series_moves_and_a_moved_session_stays(offering, teacher):
    rule = offering.rules.get()
    first, second, third = Session.objects.filter(offering=offering).order_by("date")
    move_session(session=second, date=date(2026, 9, 17), first_period=5, by=teacher)
    response = login_client(teacher).post(edit_url(offering, rule), FORM)
    assert response.status_code == 302
    assert response.url == reverse("classrooms:offering_detail", args=[offering.pk])
    rule.refresh_from_db()
    assert (rule.weekday, rule.first_period, rule.room) == (2, 3, "B202")
    # Same sessions (same UIDs), on Wednesdays at periods 3-4 in B202, one version later;
    # the moved one stays on Thursday and no second week-2 session appears.
    assert sessions(offering) == [
        (first.uid, date(2026, 9, 9), aware(date(2026, 9, 9), time(10, 0)), "B202", 1, False),
        (second.uid, date(2026, 9, 17), aware(date(2026, 9, 17), time(14, 0)), "A101", 1, True),
        (third.uid, date(2026, 9, 23), aware(date(2026, 9, 23), time(10, 0)), "B202", 1, False),
    ]
    # Running the scheduler again changes nothing.
    before = sessions(offering)
    result = generate_sessions(offering=offering)
    assert (result.created, result.updated, result.deleted, result.kept) == (0, 0, 0, 1)
    assert sessions(offering) == before


def test_a_conflicting_edit_changes_nothing(offering, teacher):
    rule = offering.rules.get()
    other = make_offering(course=offering.course, term=offering.term, section="02")
    make_rule(other, weekday=2, periods=(3, 4), weeks="1-16", room="B202")
    assert generate_sessions(offering=other).ok
    before = sessions(offering)
    response = login_client(teacher).post(edit_url(offering, rule), FORM)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors[0] == "Nothing was changed: the new timetable has conflicts."
    assert len(errors) == 4  # the heading and one conflict per week 1-3
    assert "Nothing was changed: the new timetable has conflicts." in response.content.decode()
    rule.refresh_from_db()
    assert (rule.weekday, rule.first_period, rule.room) == (0, 1, "A101")
    assert sessions(offering) == before


def test_invalid_weeks_are_refused_on_the_form(offering, teacher):
    rule = offering.rules.get()
    before = sessions(offering)
    response = login_client(teacher).post(edit_url(offering, rule), {**FORM, "weeks": "1-40"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "weeks": ["Week 40 is after the end of the term (16 weeks)."]
    }
    rule.refresh_from_db()
    assert rule.weekday == 0
    assert sessions(offering) == before


def test_another_teacher_gets_403_and_changes_nothing(offering):
    rule = offering.rules.get()
    before = sessions(offering)
    client = login_client(TeacherFactory())
    assert client.get(edit_url(offering, rule)).status_code == 403
    assert client.post(edit_url(offering, rule), FORM).status_code == 403
    assert TimetableRule.objects.get().weekday == 0
    assert sessions(offering) == before


def test_a_rule_of_another_offering_is_404(offering, teacher):
    other = make_offering(
        course=offering.course, term=offering.term, teachers=[teacher], section="03"
    )
    rule = make_rule(other, weekday=4)
    response = login_client(teacher).get(edit_url(offering, rule))
    assert response.status_code == 404
