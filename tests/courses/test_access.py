import pytest

from courses.models import CourseAccess
from courses.services import access
from tests.conftest import login_client
from tests.factories import StudentFactory
from tests.factories.courses import make_course, make_lesson, make_quiz, make_unit, single_choice

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(teacher):
    course = make_course(teachers=[teacher], title="Data Structures")
    unit = make_unit(course, title="Linear structures")
    make_lesson(unit, title="Stacks")
    make_quiz(unit, title="Stack quiz", questions=[single_choice()])
    return course


def _inner_urls(course):
    return [page.url for page in course.get_descendants().live()]


def test_the_course_overview_is_public(client, course):
    response = client.get(course.url)
    assert response.status_code == 200
    assert b"Data Structures" in response.content


def test_anonymous_visitors_are_sent_to_log_in_for_units_lessons_and_quizzes(client, course):
    urls = _inner_urls(course)
    assert len(urls) == 3
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=")


def test_a_student_not_enrolled_is_told_why(course):
    client = login_client(StudentFactory())
    for url in _inner_urls(course):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"This part of the course is for enrolled students" in response.content


@pytest.mark.parametrize("who", ["enrolled", "teacher", "reviewer"])
def test_enrolled_students_teachers_and_reviewers_see_the_content(who, course, teacher, request):
    if who == "enrolled":
        user = StudentFactory()
        access.grant_access(course=course, user=user, source="offering:1")
    elif who == "teacher":
        user = teacher
    else:
        user = request.getfixturevalue("reviewer")
    client = login_client(user)
    for url in _inner_urls(course):
        assert client.get(url).status_code == 200, url


def test_a_teacher_of_another_course_is_not_let_in(course):
    from tests.factories import TeacherFactory

    client = login_client(TeacherFactory())
    assert all(client.get(url).status_code == 403 for url in _inner_urls(course))


def test_grants_from_two_sources_are_independent(course):
    student = StudentFactory()
    access.grant_access(course=course, user=student, source="offering:1")
    access.grant_access(course=course, user=student, source="offering:1")
    access.grant_access(course=course, user=student, source="offering:2")
    assert CourseAccess.objects.filter(user=student).count() == 2

    access.revoke_access(course=course, user=student, source="offering:1")
    assert access.can_view_course_content(student, course)
    access.revoke_access(course=course, user=student, source="offering:2")
    assert not access.can_view_course_content(student, course)
