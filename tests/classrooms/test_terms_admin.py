"""Terms in the Wagtail admin: reviewers edit them, teachers only look, dates are checked."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from classrooms.models import Holiday, Term
from classrooms.services.terms import check_term_dates, ensure_term_permissions
from tests.conftest import login_client
from tests.factories.classrooms import make_term

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_classrooms_term:add"


def term_data(*, holidays=(), makeups=()):
    return nested_form_data(
        {
            "name": "Autumn 2026",
            "starts_on": "2026-09-07",
            "weeks": "16",
            "periods": inline_formset([{"number": "1", "starts_at": "08:00", "ends_at": "08:45"}]),
            "holidays": inline_formset(
                [{"name": "Holiday", "starts_on": a, "ends_on": b} for a, b in holidays]
            ),
            "makeup_days": inline_formset([{"date": a, "follows_date": b} for a, b in makeups]),
        }
    )


def test_reviewer_adds_a_term_with_holidays_and_make_up_days(reviewer):
    ensure_term_permissions()
    client = login_client(reviewer)
    response = client.post(
        reverse(ADD),
        term_data(holidays=[("2026-10-01", "2026-10-07")], makeups=[("2026-10-10", "2026-10-05")]),
    )
    assert response.status_code == 302
    term = Term.objects.get(name="Autumn 2026")
    assert list(term.holidays.values_list("starts_on", "ends_on")) == [
        (date(2026, 10, 1), date(2026, 10, 7))
    ]
    assert list(term.makeup_days.values_list("date", "follows_date")) == [
        (date(2026, 10, 10), date(2026, 10, 5))
    ]


def test_holiday_outside_the_term_is_refused_and_nothing_saved(reviewer):
    ensure_term_permissions()
    client = login_client(reviewer)
    response = client.post(
        reverse(ADD),
        term_data(holidays=[("2027-02-01", "2027-02-03")], makeups=[("2026-10-10", "2026-10-10")]),
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "This date lies outside the term (2026-09-07 to 2026-12-27)." in content
    assert "A make-up day follows another date." in content
    assert Term.objects.count() == 0
    assert Holiday.objects.count() == 0


def test_teachers_view_terms_but_cannot_add(teacher):
    ensure_term_permissions()
    make_term(name="Spring")
    client = login_client(teacher)
    assert client.get(reverse("wagtailsnippets_classrooms_term:list")).status_code == 200
    assert client.post(reverse(ADD), term_data()).status_code == 302  # refused, sent home
    assert list(Term.objects.values_list("name", flat=True)) == ["Spring"]


def test_student_cannot_open_terms(student):
    response = login_client(student).get(reverse("wagtailsnippets_classrooms_term:list"))
    assert response.status_code == 403


def test_check_term_dates_lists_each_problem():
    errors = check_term_dates(
        starts_on=date(2026, 9, 7),
        weeks=16,
        holidays=[(date(2026, 12, 25), date(2027, 1, 1))],
        makeup_days=[(date(2026, 9, 1), date(2026, 10, 5))],
    )
    assert [(e.relation, e.index, e.field) for e in errors] == [
        ("holidays", 0, "ends_on"),
        ("makeup_days", 0, "date"),
    ]
