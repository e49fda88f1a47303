from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import CoursePage, GradingMethod, LessonCompletion, QuizAttempt
from courses.services.access import grant_access
from courses.services.stats import compute_course_stats
from tests.conftest import login_client
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.courses import make_course, make_lesson, make_quiz, make_unit

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def attempt(quiz, student, number, score, max_score=10, submitted=True):
    return QuizAttempt.objects.create(
        quiz=quiz,
        student=student,
        number=number,
        started_at=NOW - timedelta(hours=1),
        submitted_at=NOW if submitted else None,
        score=None if score is None else Decimal(score),
        max_score=Decimal(max_score),
        needs_grading=score is None,
    )


def complete(student, lesson):
    LessonCompletion.objects.create(user=student, lesson=lesson, completed_at=NOW)


@pytest.fixture
def fixture(teacher):
    course = make_course(teachers=[teacher], title="Data Structures")
    course = CoursePage.objects.get(pk=course.pk)
    unit1 = make_unit(course, title="Linear")
    unit2 = make_unit(course, title="Trees")
    stacks = make_lesson(unit1, title="Stacks")
    queues = make_lesson(unit1, title="Queues")
    heaps = make_lesson(unit2, title="Heaps")
    quiz1 = make_quiz(unit1, title="Quiz 1", grading_method=GradingMethod.HIGHEST)
    quiz2 = make_quiz(unit2, title="Quiz 2", grading_method=GradingMethod.LAST)
    s1, s2, s3, outsider = StudentFactory.create_batch(4)
    for s in (s1, s2, s3):
        grant_access(course=course, user=s, source="offering:1")
    grant_access(course=course, user=s1, source="offering:2")  # counted once
    complete(s1, stacks)
    complete(s2, stacks)
    complete(s1, queues)
    complete(outsider, stacks)  # no access: not counted
    attempt(quiz1, s1, 1, 4)
    attempt(quiz1, s1, 2, 8)  # highest: 80 %
    attempt(quiz1, s2, 1, 6)  # 60 %
    attempt(quiz1, outsider, 1, 10)  # no access: not counted
    attempt(quiz2, s1, 1, 10)
    attempt(quiz2, s1, 2, 5)  # last: 50 %
    attempt(quiz2, s2, 1, 9, submitted=False)  # still open: not counted
    attempt(quiz2, s3, 1, None)  # awaiting the teacher: 0 so far
    return course, heaps


def test_numbers_per_lesson_and_quiz_are_exact(fixture, django_assert_max_num_queries):
    course, _heaps = fixture
    with django_assert_max_num_queries(5):
        stats = compute_course_stats(course=course)
    assert stats.students == 3
    assert [(s.unit_title, s.title, s.completed, s.students, s.percent) for s in stats.lessons] == [
        ("Linear", "Stacks", 2, 3, 67),
        ("Linear", "Queues", 1, 3, 33),
        ("Trees", "Heaps", 0, 3, 0),
    ]
    q1, q2 = stats.quizzes
    assert (q1.title, q1.submitted, q1.students, q1.average_percent) == (
        "Quiz 1",
        2,
        3,
        Decimal("70.0"),
    )
    assert q1.buckets == [0, 0, 0, 0, 0, 0, 1, 0, 1, 0]
    assert (q2.title, q2.submitted, q2.average_percent) == ("Quiz 2", 2, Decimal("25.0"))
    assert q2.buckets == [1, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    assert [b["count"] for b in q2.bars] == q2.buckets
    assert (q2.bars[9]["low"], q2.bars[9]["high"], q2.bars[0]["height"]) == (90, 100, 100)


def test_a_full_score_falls_in_the_top_bucket(teacher):
    course = CoursePage.objects.get(pk=make_course(teachers=[teacher]).pk)
    quiz = make_quiz(make_unit(course), grading_method=GradingMethod.AVERAGE)
    s = StudentFactory()
    grant_access(course=course, user=s, source="x")
    attempt(quiz, s, 1, 10)
    attempt(quiz, s, 2, 9)  # average 95 %
    (q,) = compute_course_stats(course=course).quizzes
    assert (q.average_percent, q.buckets[9]) == (Decimal("95.0"), 1)


def test_query_count_does_not_grow_with_the_course(fixture, django_assert_max_num_queries):
    course, _heaps = fixture
    unit = make_unit(course, title="More")
    students = StudentFactory.create_batch(5)
    for s in students:
        grant_access(course=course, user=s, source="offering:1")
    for i in range(6):
        lesson = make_lesson(unit, title=f"L{i}")
        quiz = make_quiz(unit, title=f"Q{i}")
        for s in students:
            complete(s, lesson)
            attempt(quiz, s, 1, i)
    with django_assert_max_num_queries(5):
        stats = compute_course_stats(course=course)
    assert len(stats.lessons) == 9
    assert len(stats.quizzes) == 8


def test_teachers_and_reviewers_see_the_page(fixture, teacher, reviewer):
    course, _heaps = fixture
    url = reverse("courses:course_stats", args=[course.pk])
    response = login_client(teacher).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 students have access to this course." in html
    assert "2 of 3" in html
    assert "Average: 70.0 %" in html
    assert login_client(reviewer).get(url).status_code == 200


def test_students_and_other_teachers_are_refused(fixture, client):
    course, _heaps = fixture
    url = reverse("courses:course_stats", args=[course.pk])
    enrolled = course.access.first().user
    for user in (enrolled, TeacherFactory()):
        response = login_client(user).get(url)
        assert response.status_code == 403
        assert "Only the course's teachers and reviewers" in response.content.decode()
    assert client.get(url).status_code == 302


def test_the_admin_shows_a_statistics_button_on_the_course(fixture, teacher):
    from courses.services.setup import ensure_teacher_permissions

    course, _heaps = fixture
    ensure_teacher_permissions()
    client = login_client(teacher)
    url = reverse("courses:course_stats", args=[course.pk])
    explore = client.get(reverse("wagtailadmin_explore", args=[course.get_parent().pk]))
    assert explore.status_code == 200
    assert url in explore.content.decode()
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[course.pk]))
    assert edit.status_code == 200
    assert url in edit.content.decode()
