"""The course outline: progress bars per lesson and unit, "continue", constant queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.functional import empty

from courses.services import grant_access
from courses.services.progress import course_outline, lesson_progress_for, record_progress
from courses.storage import protected_storage
from tests.conftest import login_client
from tests.factories import StudentFactory
from tests.factories.courses import (
    make_catalogue,
    make_course,
    make_lesson,
    make_quiz,
    make_unit,
    make_video,
)

pytestmark = pytest.mark.django_db
T0 = timezone.now()


@pytest.fixture(autouse=True)
def _protected_root(settings, tmp_path):
    settings.PROTECTED_MEDIA_ROOT = tmp_path / "protected"
    protected_storage._wrapped = empty
    yield
    protected_storage._wrapped = empty


def build_course(teacher, *, units: int, lessons: int, video=None):
    course = make_course(teachers=[teacher], title="Data Structures")
    video = video or make_video(course=course)
    pages = []
    for u in range(units):
        unit = make_unit(course, title=f"Unit {u + 1}")
        for n in range(lessons):
            pages.append(make_lesson(unit, videos=[video], title=f"Lesson {u + 1}.{n + 1}"))
        make_quiz(unit, title=f"Quiz {u + 1}")
    return course, video, pages


def watch(student, lesson, video, seconds, *, at):
    return record_progress(
        user=student,
        lesson=lesson,
        video=video,
        intervals=[[0, seconds]],
        position=seconds,
        opened_at=T0,
        now=T0 + timedelta(seconds=at),
    )


@pytest.fixture
def student():
    return StudentFactory()


def test_outline_shows_units_lessons_quizzes_and_progress(teacher, student):
    course, video, lessons = build_course(teacher, units=2, lessons=2)
    grant_access(course=course, user=student, source="test")
    watch(student, lessons[0], video, 8, at=10)  # completes 1.1
    outline = course_outline(user=student, course=course)
    assert [unit.page.title for unit in outline.units] == ["Unit 1", "Unit 2"]
    assert [(item.kind, item.page.title) for item in outline.units[0].items] == [
        ("lesson", "Lesson 1.1"),
        ("lesson", "Lesson 1.2"),
        ("quiz", "Quiz 1"),
    ]
    # The video is shared by every lesson, so 8 s watched counts as covered in each of them,
    # but only the lesson reported on is completed.
    first, second = outline.units[0].lessons
    assert (first.progress.completed, first.progress.fraction) == (True, 1.0)
    assert (second.progress.completed, second.progress.fraction) == (False, 1.0)
    assert outline.completed_count == 1
    assert outline.lesson_count == 4


def test_unit_progress_is_the_mean_of_its_lessons(teacher, student):
    course = make_course(teachers=[teacher])
    unit = make_unit(course)
    video = make_video(course=course)
    watched = make_lesson(unit, videos=[video])
    make_lesson(unit, videos=[make_video(course=course)])
    grant_access(course=course, user=student, source="test")
    watch(student, watched, video, 4, at=10)  # 50 % of one lesson
    outline = course_outline(user=student, course=course)
    assert outline.units[0].fraction == 0.25
    assert lesson_progress_for(user=student, lesson_ids=[watched.pk])[watched.pk].fraction == 0.5


def test_continue_goes_to_the_last_watched_lesson_not_completed(teacher, student):
    course = make_course(teachers=[teacher])
    unit = make_unit(course)
    videos = [make_video(course=course) for _ in range(3)]
    lessons = [make_lesson(unit, videos=[v], title=f"L{i}") for i, v in enumerate(videos)]
    grant_access(course=course, user=student, source="test")
    assert course_outline(user=student, course=course).continue_to.pk == lessons[0].pk
    watch(student, lessons[2], videos[2], 3, at=10)
    assert course_outline(user=student, course=course).continue_to.pk == lessons[2].pk
    watch(student, lessons[2], videos[2], 8, at=20)  # completes L2
    assert course_outline(user=student, course=course).continue_to.pk == lessons[0].pk


def test_outline_query_count_does_not_grow_with_lessons(teacher, student):
    small, _video, _ = build_course(teacher, units=2, lessons=2)
    big, video, big_lessons = build_course(teacher, units=4, lessons=6)
    for course in (small, big):
        grant_access(course=course, user=student, source="test")
    watch(student, big_lessons[3], video, 5, at=10)

    with CaptureQueriesContext(connection) as small_queries:
        course_outline(user=student, course=small)
    with CaptureQueriesContext(connection) as big_queries:
        outline = course_outline(user=student, course=big)
    assert outline.lesson_count == 24
    assert len(big_queries) == len(small_queries) <= 4


def test_course_page_query_count_does_not_grow_with_lessons(
    teacher, student, django_assert_max_num_queries
):
    small, _video, _ = build_course(teacher, units=1, lessons=1)
    big, _video, _ = build_course(teacher, units=5, lessons=5)
    client = login_client(student)
    for course in (small, big):
        grant_access(course=course, user=student, source="test")
    client.get(small.url)  # warm the site-root and content-type caches

    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(small.url).status_code == 200
    with django_assert_max_num_queries(len(small_queries)):
        response = client.get(big.url)
    html = response.content.decode()
    assert html.count('class="item item-lesson') == 25
    assert html.count("<progress") >= 25 + 5


def test_the_overview_is_public_but_the_outline_is_for_enrolled_people(client, teacher):
    course, _video, _ = build_course(teacher, units=1, lessons=1)
    html = client.get(course.url).content.decode()
    assert "Data Structures" in html
    assert "Lesson 1.1" not in html
    assert "Log in to see the units, lessons and quizzes." in html
    html = login_client(StudentFactory()).get(course.url).content.decode()
    assert "Lesson 1.1" not in html
    assert "open once your teacher enrols you" in html


def test_the_course_page_shows_bars_and_a_continue_link_to_the_student(teacher, student):
    course = make_course(teachers=[teacher], title="Data Structures")
    unit = make_unit(course, title="Unit 1")
    video = make_video(course=course)
    make_lesson(unit, videos=[make_video(course=course)], title="Lesson 1.1")
    second = make_lesson(unit, videos=[video], title="Lesson 1.2")
    grant_access(course=course, user=student, source="test")
    watch(student, second, video, 4, at=10)
    html = login_client(student).get(course.url).content.decode()
    assert f'href="{second.url}">Continue: Lesson 1.2' in html
    assert "0 of 2 lessons completed" in html
    assert '<progress max="100" value="25" aria-label="Course progress">' in html
    assert '<progress max="100" value="50" aria-label="Lesson progress">' in html


def test_teachers_see_the_outline(teacher):
    course, _video, _ = build_course(teacher, units=1, lessons=1)
    html = login_client(teacher).get(course.url).content.decode()
    assert "Lesson 1.1" in html
    assert "Quiz 1" in html


def test_unit_page_lists_its_items_with_progress(teacher, student):
    course, video, lessons = build_course(teacher, units=2, lessons=1)
    grant_access(course=course, user=student, source="test")
    watch(student, lessons[0], video, 8, at=10)
    unit = lessons[0].get_parent()
    html = login_client(student).get(unit.url).content.decode()
    assert "Lesson 1.1" in html
    assert "Quiz 1" in html
    assert "Lesson 2.1" not in html
    assert "1 of 1 lessons completed" in html


def test_the_catalogue_lists_published_courses(client, teacher):
    make_course(title="Algorithms", code="CS201", summary="Sorting and searching.")
    html = client.get(make_catalogue().url).content.decode()
    assert "Algorithms" in html
    assert "CS201" in html


def test_the_lesson_body_renders_code_and_callout_blocks(teacher, student):
    course = make_course(teachers=[teacher])
    grant_access(course=course, user=student, source="test")
    lesson = make_lesson(
        make_unit(course),
        body=[
            ("code", {"language": "python", "code": "stack.append(x) < 3"}),
            ("callout", {"kind": "warning", "text": "<p>Mind the <b>edge</b></p>"}),
        ],
    )
    html = login_client(student).get(lesson.url).content.decode()
    assert '<code class="language-python">stack.append(x) &lt; 3</code>' in html
    assert 'class="callout callout-warning"' in html
    assert "Mind the <b>edge</b>" in html
