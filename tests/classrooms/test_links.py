"""Everything can be found by following links: dashboards, offering page, my week."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from classrooms.services.scheduling import generate_sessions
from tests.conftest import login_client
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.classrooms import make_offering, make_rule, make_term
from tests.factories.courses import make_course

pytestmark = pytest.mark.django_db


def href(name, *args) -> str:
    return f'href="{reverse(f"classrooms:{name}", args=args)}"'


def test_teacher_dashboard_lists_my_classes(teacher, django_assert_max_num_queries):
    term = make_term()
    course = make_course(title="Algorithms", teachers=[teacher])
    mine = [
        make_offering(course=course, term=term, teachers=[teacher], section=f"0{n}")
        for n in range(1, 4)
    ]
    other = make_offering(course=course, term=term, teachers=[TeacherFactory()], section="09")
    client = login_client(teacher)
    client.get(reverse("home:teacher"))  # warm caches (site root, translations)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("home:teacher"))
    assert list(response.context["offerings"]) == mine
    page = response.content.decode()
    for offering in mine:
        assert href("offering_detail", offering.pk) in page
        assert href("calendar", offering.pk) in page
    assert href("offering_detail", other.pk) not in page
    assert href("offering_list") in page
    assert href("offering_create") in page


def test_student_dashboard_links_each_class_calendar(student, django_assert_max_num_queries):
    term = make_term()
    offerings = [
        make_offering(course=make_course(), term=term, students=[student]) for _ in range(3)
    ]
    dropped = make_offering(course=make_course(), term=term)
    client = login_client(student)
    client.get(reverse("home:student"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("home:student"))
    page = response.content.decode()
    assert [href("calendar", o.pk) in page for o in offerings] == [True, True, True]
    assert href("calendar", dropped.pk) not in page
    assert 'id="classes"' in page
    assert (
        'id="classes"'
        not in login_client(StudentFactory()).get(reverse("home:student")).content.decode()
    )


def test_offering_page_links_the_calendar_views(teacher):
    offering = make_offering(
        course=make_course(teachers=[teacher]), term=make_term(), teachers=[teacher]
    )
    page = login_client(teacher).get(reverse("classrooms:offering_detail", args=[offering.pk]))
    html = page.content.decode()
    for name in ("calendar", "calendar_xlsx", "calendar_edit"):
        assert href(name, offering.pk) in html


def test_my_week_links_each_session_to_its_class_calendar(teacher, student):
    offering = make_offering(
        course=make_course(teachers=[teacher]),
        term=make_term(),
        teachers=[teacher],
        students=[student],
    )
    make_rule(offering, weekday=0, weeks="1")
    generate_sessions(offering=offering)
    week = reverse("classrooms:my_week") + "?start=2026-09-07"
    page = login_client(student).get(week).content.decode()
    assert page.count(href("calendar", offering.pk)) == 1
    teaching = login_client(teacher).get(week)
    assert [d["date"] for d in teaching.context["days"] if d["teach"].sessions] == [
        date(2026, 9, 7)
    ]
