"""The demo course "Data Structures / 数据结构": 4 units, video lessons, every quiz type.

Built through the courses services, as a teacher's work in the admin would be. Idempotent:
when the course exists, nothing is done.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag
from wagtail.images.models import Image
from wagtail.models import Page
from wagtail.rich_text import RichText

from courses import services as courses
from courses.models import (
    CourseIndexPage,
    CoursePage,
    GradingMethod,
    LessonPage,
    LessonVideo,
    Question,
    QuestionKind,
    QuestionOption,
    QuestionSelection,
    QuizPage,
    QuizQuestion,
    ShowAnswers,
    UnitPage,
    Video,
)
from lms.home.models import HomePage

DEMO_DIR = Path(settings.BASE_DIR) / "courses" / "demo"
COURSE_CODE = "CS201"

UNITS = [
    (
        "线性表、栈与队列 Lists, stacks and queues",
        "Arrays and linked lists; LIFO and FIFO; amortised cost.",
        "栈 Stacks",
    ),
    ("树与二叉树 Trees", "Binary trees, traversals, binary search trees.", "二叉树遍历 Traversals"),
    ("图 Graphs", "Representations, breadth-first and depth-first search.", "图的搜索 BFS and DFS"),
    (
        "排序与查找 Sorting and searching",
        "Quicksort, mergesort, heaps, binary search.",
        "快速排序 Quicksort",
    ),
]

LESSON_CODE = {
    0: """stack = []
stack.append(1)  # push
stack.append(2)
assert stack.pop() == 2  # LIFO""",
    1: """def inorder(node):
    if node:
        yield from inorder(node.left)
        yield node.key
        yield from inorder(node.right)""",
    2: """from collections import deque

def bfs(graph, start):
    seen, queue = {start}, deque([start])
    while queue:
        v = queue.popleft()
        for w in graph[v]:
            if w not in seen:
                seen.add(w)
                queue.append(w)
    return seen""",
    3: """def quicksort(a):
    if len(a) <= 1:
        return a
    pivot, *rest = a
    smaller = [x for x in rest if x < pivot]
    larger = [x for x in rest if x >= pivot]
    return quicksort(smaller) + [pivot] + quicksort(larger)""",
}


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _catalogue() -> CourseIndexPage:
    catalogue = CourseIndexPage.objects.first()
    if catalogue is None:
        catalogue = _publish(
            HomePage.objects.get(),
            CourseIndexPage(
                title="课程 Courses",
                slug="courses",
                intro="<p>Blended courses of the demo school. 示范学校的混合式课程。</p>",
            ),
        )
    return catalogue


def _poster() -> Image:
    with (DEMO_DIR / "poster.jpg").open("rb") as handle:
        image = Image(title="Data Structures poster")
        image.file.save("data-structures-poster.jpg", ImageFile(handle), save=False)
    image.save()
    return image


def _video(title: str, course: CoursePage, poster: Image, teacher) -> Video:
    with (DEMO_DIR / "clip.mp4").open("rb") as handle:
        return courses.create_video(
            title=title,
            file=handle,
            filename="data-structures.mp4",
            course=course,
            poster=poster,
            uploaded_by=teacher,
        )


def _bank_question(course, kind, text, *, tag, options=(), correct=(), **fields) -> Question:
    question = Question(course=course, kind=kind, text=text, **fields)
    for i, option in enumerate(options):
        question.options.add(QuestionOption(text=option, is_correct=i in correct, sort_order=i))
    question.save()
    question.tags.add(tag)
    return question


def _unit_one_questions(course) -> list[Question]:
    tag = "linear"
    return [
        _bank_question(
            course,
            QuestionKind.SINGLE,
            "Which structure is LIFO? 哪种结构是后进先出？",
            tag=tag,
            options=["Queue 队列", "Stack 栈", "Heap 堆"],
            correct=[1],
            feedback="A stack pops the last item pushed.",
        ),
        _bank_question(
            course,
            QuestionKind.MULTIPLE,
            "Which operations are O(1) on a stack? 栈的哪些操作是 O(1)？",
            tag=tag,
            options=["push", "pop", "search", "peek"],
            correct=[0, 1, 3],
            partial_credit=True,
        ),
        _bank_question(
            course,
            QuestionKind.TRUE_FALSE,
            "A queue removes the oldest element first. 队列先移除最早进入的元素。",
            tag=tag,
            correct_true=True,
        ),
        _bank_question(
            course,
            QuestionKind.FILL_BLANK,
            "A queue is a ____ structure (FIFO/LIFO). 队列是____结构。",
            tag=tag,
            accepted_answers="FIFO\nfirst in first out\n先进先出",
        ),
        _bank_question(
            course,
            QuestionKind.NUMERIC,
            "How many pops empty a stack of 12 elements? 清空 12 个元素的栈需要几次出栈？",
            tag=tag,
            numeric_answer=12,
            tolerance=0,
        ),
        _bank_question(
            course,
            QuestionKind.SHORT_ANSWER,
            "Why is appending to a dynamic array O(1) amortised? 为什么动态数组追加是均摊 O(1)？",
            tag=tag,
            points=2,
            model_answer="Capacity doubles, so copies total at most 2n over n appends.",
        ),
    ]


def _quiz(unit, title, slug, questions=(), **fields) -> QuizPage:
    quiz = QuizPage(title=title, slug=slug, **fields)
    for question in questions:
        quiz.quiz_questions.add(QuizQuestion(question=question))
    return _publish(unit, quiz)


def _lesson(unit, index, video) -> LessonPage:
    title = UNITS[index][2]
    lesson = LessonPage(
        title=title,
        slug=f"lesson-{index + 1}",
        body=[
            (
                "text",
                RichText(
                    f"<p>Watch the video before class, then read the notes. {UNITS[index][1]}</p>"
                    "<p>课前先观看视频，再阅读讲义。</p>"
                ),
            ),
            ("code", {"language": "python", "code": LESSON_CODE[index]}),
            (
                "callout",
                {
                    "kind": "tip",
                    "text": RichText("<p>Bring one question to class. 带一个问题来上课。</p>"),
                },
            ),
        ],
    )
    lesson.lesson_videos.add(LessonVideo(video=video))
    return _publish(unit, lesson)


def seed_activity(*, course: CoursePage, students) -> None:
    """Some history: students who watched the first lesson and took the first quiz.

    Needs the students enrolled (their access comes from the offering). Runs once: it
    does nothing when the first quiz already has attempts.
    """
    lesson = LessonPage.objects.descendant_of(course).order_by("path").first()
    quiz = QuizPage.objects.descendant_of(course).order_by("path").first()
    if quiz.attempts.exists():
        return
    video = lesson.lesson_videos.first().video
    rng = random.Random(201)  # noqa: S311 - demo data, reproducible
    start = timezone.now() - timedelta(days=3)
    for n, student in enumerate(students[:20]):
        # Honest viewing: ten-second heartbeats over the real duration.
        clock = opened = start + timedelta(minutes=n)
        watched = video.duration if n < 14 else video.duration / 2
        t = 0.0
        while t < watched:
            step = min(5.0, watched - t)
            clock += timedelta(seconds=step)
            courses.record_progress(
                user=student,
                lesson=lesson,
                video=video,
                intervals=[[t, t + step]],
                position=t + step,
                opened_at=opened,
                now=clock,
            )
            t += step
        attempt = courses.start_attempt(quiz=quiz, student=student, now=clock)
        answers = {}
        for question in attempt.snapshot:
            right = rng.random() < 0.55 + n / 50
            key = question["answer"]
            options = [o["key"] for o in question["options"]]
            if question["kind"] == QuestionKind.SINGLE:
                wrong = [o for o in options if o not in key["correct_options"]]
                answers[question["key"]] = key["correct_options"][0] if right else wrong[0]
            elif question["kind"] == QuestionKind.MULTIPLE:
                answers[question["key"]] = key["correct_options"] if right else options[:2]
            elif question["kind"] == QuestionKind.TRUE_FALSE:
                answers[question["key"]] = key["correct_true"] if right else not key["correct_true"]
            elif question["kind"] == QuestionKind.FILL_BLANK:
                answers[question["key"]] = key["accepted_answers"][0] if right else "LIFO"
            elif question["kind"] == QuestionKind.NUMERIC:
                answers[question["key"]] = key["numeric_answer"] if right else "11"
            else:
                answers[question["key"]] = "Because capacity doubles, copying is spread out."
        courses.submit_attempt(
            attempt=attempt, student=student, answers=answers, now=clock + timedelta(minutes=6)
        )


@transaction.atomic
def seed_course(*, teacher, students) -> CoursePage:
    existing = CoursePage.objects.filter(code=COURSE_CODE).first()
    if existing is not None:
        return existing
    poster = _poster()
    course = CoursePage(
        title="数据结构 Data Structures",
        slug="data-structures",
        code=COURSE_CODE,
        summary=(
            "Lists, trees, graphs and sorting: study the videos online, then practise in class.\n"
            "线性表、树、图与排序：线上看视频，线下练习与讨论。"
        ),
        objectives="<ul><li>Choose a data structure for a problem.</li>"
        "<li>Analyse time and space cost.</li><li>能够分析算法的时间与空间复杂度。</li></ul>",
        credits=3,
        class_hours=48,
        cover_image=poster,
    )
    _publish(_catalogue(), course)
    course.teachers.set([teacher])
    course.save_revision().publish()

    unit_pages = []
    for index, (title, objectives, _lesson_title) in enumerate(UNITS):
        unit = _publish(
            course,
            UnitPage(
                title=title,
                slug=f"unit-{index + 1}",
                objectives=f"<p>{objectives}</p>",
                study_minutes=90,
            ),
        )
        unit_pages.append(unit)
        video = _video(f"{UNITS[index][2]} (demo clip)", course, poster, teacher)
        _lesson(unit, index, video)

    # Unit 1: every question type, answers shown after submitting.
    unit_one = _unit_one_questions(course)
    _quiz(
        unit_pages[0],
        "随堂测验 1 Quiz: linear structures",
        "quiz-1",
        unit_one,
        attempts_allowed=2,
        grading_method=GradingMethod.HIGHEST,
        shuffle_options=True,
        show_answers=ShowAnswers.AFTER_SUBMIT,
    )
    # Unit 2: imported from a GIFT file, as a teacher would in the admin.
    gift = (DEMO_DIR / "data-structures-quiz.gift").read_text(encoding="utf-8")
    imported = courses.import_questions(
        course=course, text=gift, format="gift", tags=["gift"], user=teacher
    )
    if not imported.ok:
        raise RuntimeError(f"the demo GIFT file does not import: {imported.errors}")
    _quiz(
        unit_pages[1],
        "测验 2 Quiz: trees (imported from GIFT)",
        "quiz-2",
        imported.saved,
        time_limit_minutes=15,
        shuffle_questions=True,
        show_answers=ShowAnswers.AFTER_CLOSE,
        closes_at=timezone.now() + timedelta(days=30),
    )
    # Unit 3: three random questions from the GIFT tag; Unit 4: a timed quiz, two attempts.
    _quiz(
        unit_pages[2],
        "测验 3 Quiz: random practice",
        "quiz-3",
        selection=QuestionSelection.RANDOM,
        random_tag=Tag.objects.get(name="gift"),
        random_count=3,
        attempts_allowed=3,
        grading_method=GradingMethod.AVERAGE,
    )
    _quiz(
        unit_pages[3],
        "测验 4 Review quiz (10 minutes)",
        "quiz-4",
        unit_one[:3],
        time_limit_minutes=10,
        attempts_allowed=2,
        grading_method=GradingMethod.LAST,
        show_answers=ShowAnswers.NEVER,
    )

    return course
