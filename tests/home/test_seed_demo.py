import io

import pytest
from django.core.management import call_command
from wagtail.models import Site

from lms.accounts.models import Role, User
from lms.home.models import HomePage

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_the_site_and_every_demo_account():
    output = _seed()
    numbers = set(User.objects.values_list("number", flat=True))
    expected = {"teacher1", "reviewer1"} | {f"student{i}" for i in range(1, 31)}
    assert numbers == expected
    assert User.objects.get(number="teacher1").roles == [Role.TEACHER]
    assert User.objects.get(number="reviewer1").roles == [Role.REVIEWER]
    assert User.objects.get(number="student17").roles == [Role.STUDENT]
    assert User.objects.get(number="student30").check_password("rongke-demo")
    assert "rongke-demo" in output
    assert "teacher1" in output and "reviewer1" in output and "student30" in output
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)


def test_seed_demo_run_twice_changes_nothing():
    _seed()
    before = list(User.objects.order_by("number").values_list("number", "password", "display_name"))
    _seed()
    after = list(User.objects.order_by("number").values_list("number", "password", "display_name"))
    assert after == before
    assert HomePage.objects.count() == 1


def test_demo_teacher_can_log_in_and_reach_the_admin(client):
    _seed()
    assert client.login(username="teacher1", password="rongke-demo")
    assert client.get("/admin/").status_code == 200


def test_seed_demo_builds_the_data_structures_course_with_every_question_type():
    from courses.models import (
        CoursePage,
        LessonCompletion,
        LessonPage,
        Question,
        QuestionKind,
        QuizAttempt,
        QuizPage,
        UnitPage,
    )
    from courses.services import can_view_course_content

    _seed()
    course = CoursePage.objects.get(code="CS201")
    assert "数据结构" in course.title and "Data Structures" in course.title
    assert course.teachers.get().number == "teacher1"
    units = UnitPage.objects.child_of(course)
    assert units.count() == 4
    for unit in units:
        lessons = LessonPage.objects.child_of(unit)
        assert lessons.count() == 1
        assert lessons.get().lesson_videos.get().video.duration == 8.0
        assert QuizPage.objects.child_of(unit).count() == 1
    kinds = set(Question.objects.filter(course=course).values_list("kind", flat=True))
    assert kinds == set(QuestionKind.values)
    assert Question.objects.filter(course=course, tags__name="gift").count() >= 5
    student = User.objects.get(number="student5")
    assert can_view_course_content(student, course)
    # Access comes from enrolment in the demo offering, nothing else.
    from classrooms.models import CalendarPublication, Offering

    offering = Offering.objects.get(course=course)
    assert offering.enrolments.count() == 30
    assert set(student.course_access.values_list("source", flat=True)) == {offering.access_source}
    assert offering.sessions.exists()
    assert CalendarPublication.objects.filter(offering=offering).count() == 1
    assert (
        LessonCompletion.objects.filter(lesson__in=LessonPage.objects.descendant_of(course)).count()
        == 14
    )
    assert QuizAttempt.objects.filter(submitted_at__isnull=False).count() == 20


def test_seed_demo_course_is_built_once():
    from courses.models import CoursePage, Question, Video

    _seed()
    counts = (CoursePage.objects.count(), Question.objects.count(), Video.objects.count())
    _seed()
    assert (CoursePage.objects.count(), Question.objects.count(), Video.objects.count()) == counts
