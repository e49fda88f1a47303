import pytest
from django.urls import reverse

from courses.models import LessonPage, UnitPage
from courses.services import ensure_teacher_permissions
from tests.conftest import login_client
from tests.factories import TeacherFactory
from tests.factories.courses import make_course, make_lesson, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(teacher):
    course = make_course(teachers=[teacher], title="Algorithms")
    unit = make_unit(course, title="Greedy")
    lesson = make_lesson(unit, title="Huffman codes")
    ensure_teacher_permissions()
    return course, unit, lesson


def test_the_courses_teacher_edits_and_adds_pages(setup, teacher):
    _course, unit, lesson = setup
    client = login_client(teacher)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk])).status_code == 200
    add = reverse("wagtailadmin_pages:add", args=["courses", "lessonpage", unit.pk])
    assert client.get(add).status_code == 200


def test_another_teacher_cannot_change_the_course(setup):
    course, unit, lesson = setup
    client = login_client(TeacherFactory())
    refused = [
        reverse("wagtailadmin_pages:edit", args=[lesson.pk]),
        reverse("wagtailadmin_pages:edit", args=[course.pk]),
        reverse("wagtailadmin_pages:add", args=["courses", "lessonpage", unit.pk]),
        reverse("wagtailadmin_pages:delete", args=[lesson.pk]),
        reverse("wagtailadmin_pages:copy", args=[unit.pk]),
    ]
    for url in refused:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("wagtailadmin_home"), url
    # A POST that would delete the lesson is refused too, and the lesson stays.
    client.post(reverse("wagtailadmin_pages:delete", args=[lesson.pk]))
    assert LessonPage.objects.filter(pk=lesson.pk).exists()
    client.post(reverse("wagtailadmin_pages:unpublish", args=[lesson.pk]))
    assert LessonPage.objects.get(pk=lesson.pk).live
    title = UnitPage.objects.get(pk=unit.pk).title
    assert title == "Greedy"


def test_any_teacher_may_start_a_new_course_in_the_catalogue(setup):
    course, _unit, _lesson = setup
    catalogue = course.get_parent()
    client = login_client(TeacherFactory())
    add = reverse("wagtailadmin_pages:add", args=["courses", "coursepage", catalogue.pk])
    assert client.get(add).status_code == 200
