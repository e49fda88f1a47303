"""Builders for course pages and their content.

Pages are built the Wagtail way: ``parent.add_child(instance=...)``, then a published
revision, so that tests see what a teacher's published course would give.
"""

from __future__ import annotations

from pathlib import Path

import factory
from django.conf import settings
from django.core.files import File
from wagtail.models import Page

from courses.models import (
    CourseIndexPage,
    CoursePage,
    LessonPage,
    LessonVideo,
    Question,
    QuestionKind,
    QuestionOption,
    QuizPage,
    QuizQuestion,
    UnitPage,
    Video,
)
from lms.home.models import HomePage

DEMO_CLIP = Path(settings.BASE_DIR) / "courses" / "demo" / "clip.mp4"
DEMO_CLIP_SECONDS = 8.0


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_catalogue() -> CourseIndexPage:
    existing = CourseIndexPage.objects.first()
    if existing:
        return existing
    return _publish(HomePage.objects.get(), CourseIndexPage(title="Courses", slug="courses"))


_course_counter = iter(range(1, 1_000_000))


def make_course(*, teachers=(), title: str | None = None, **fields) -> CoursePage:
    n = next(_course_counter)
    course = CoursePage(
        title=title or f"Course {n}",
        slug=f"course-{n}",
        code=fields.pop("code", f"CS{n:03d}"),
        **fields,
    )
    course = _publish(make_catalogue(), course)
    if teachers:
        course.teachers.set(teachers)
        course.save_revision().publish()
    return course


def make_unit(course: CoursePage, *, title: str = "Unit", **fields) -> UnitPage:
    n = next(_course_counter)
    return _publish(course, UnitPage(title=title, slug=f"unit-{n}", **fields))


def make_video(
    *, title: str = "Clip", course: CoursePage | None = None, duration: float = DEMO_CLIP_SECONDS
) -> Video:
    """A Video with the real demo clip as its file (duration as read from that file)."""
    with DEMO_CLIP.open("rb") as handle:
        video = Video(title=title, course=course, duration=duration)
        video.file.save("clip.mp4", File(handle), save=False)
    video.save()
    return video


def make_lesson(unit: UnitPage, *, videos=(), title: str = "Lesson", **fields) -> LessonPage:
    n = next(_course_counter)
    lesson = LessonPage(title=title, slug=f"lesson-{n}", **fields)
    for video in videos:
        lesson.lesson_videos.add(LessonVideo(video=video))
    return _publish(unit, lesson)


def make_quiz(unit: UnitPage, *, questions=(), title: str = "Quiz", **fields) -> QuizPage:
    n = next(_course_counter)
    quiz = QuizPage(title=title, slug=f"quiz-{n}", **fields)
    for question in questions:
        quiz.quiz_questions.add(QuizQuestion(question=question))
    return _publish(unit, quiz)


class QuestionFactory(factory.django.DjangoModelFactory):
    """A single-choice question by default; see the helpers below for each kind."""

    class Meta:
        model = Question

    kind = QuestionKind.SINGLE
    text = factory.Sequence(lambda n: f"Question {n}?")
    points = 1


def single_choice(*, text="2 + 2 = ?", options=("3", "4", "5"), correct=(1,), **kw) -> Question:
    question = QuestionFactory(kind=QuestionKind.SINGLE, text=text, **kw)
    for i, option in enumerate(options):
        QuestionOption.objects.create(
            question=question, text=option, is_correct=i in correct, sort_order=i
        )
    return question


def multiple_choice(
    *, text="Which are prime?", options=("2", "3", "4", "9"), correct=(0, 1), partial=False, **kw
) -> Question:
    question = QuestionFactory(kind=QuestionKind.MULTIPLE, text=text, partial_credit=partial, **kw)
    for i, option in enumerate(options):
        QuestionOption.objects.create(
            question=question, text=option, is_correct=i in correct, sort_order=i
        )
    return question


def true_false(*, text="A stack is LIFO.", answer=True, **kw) -> Question:
    return QuestionFactory(kind=QuestionKind.TRUE_FALSE, text=text, correct_true=answer, **kw)


def fill_blank(
    *, text="The LIFO structure is a ___.", answers=("stack", "a stack"), **kw
) -> Question:
    return QuestionFactory(
        kind=QuestionKind.FILL_BLANK, text=text, accepted_answers="\n".join(answers), **kw
    )


def numeric(*, text="log2(1024) = ?", answer="10", tolerance="0", **kw) -> Question:
    return QuestionFactory(
        kind=QuestionKind.NUMERIC, text=text, numeric_answer=answer, tolerance=tolerance, **kw
    )


def short_answer(
    *, text="Explain amortised analysis.", model_answer="Average over a sequence.", **kw
) -> Question:
    return QuestionFactory(
        kind=QuestionKind.SHORT_ANSWER, text=text, model_answer=model_answer, **kw
    )
