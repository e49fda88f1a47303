"""What a course's teachers see of their students: completions per lesson, results per quiz."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from courses.models import (
    CourseAccess,
    CoursePage,
    GradingMethod,
    LessonPage,
    QuizAttempt,
    QuizPage,
    UnitPage,
)

BUCKETS = 10  # 0–9 %, 10–19 %, ..., 90–100 %


@dataclass
class LessonStats:
    lesson_id: int
    title: str
    unit_title: str
    completed: int
    students: int

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.students) if self.students else 0


@dataclass
class QuizStats:
    quiz_id: int
    title: str
    unit_title: str
    students: int
    submitted: int = 0
    average_percent: Decimal | None = None
    buckets: list[int] = field(default_factory=lambda: [0] * BUCKETS)

    @property
    def bars(self) -> list[dict]:
        """One entry per bucket: its range, count and bar height relative to the fullest."""
        top = max(self.buckets) or 1
        return [
            {
                "low": i * 100 // BUCKETS,
                "high": 100 if i == BUCKETS - 1 else (i + 1) * 100 // BUCKETS - 1,
                "count": count,
                "height": round(100 * count / top),
            }
            for i, count in enumerate(self.buckets)
        ]


@dataclass
class CourseStats:
    students: int
    lessons: list[LessonStats]
    quizzes: list[QuizStats]


def _bucket(percent: Decimal) -> int:
    return min(BUCKETS - 1, max(0, int(percent * BUCKETS // 100)))


def _grade_percent(percents: list[Decimal], method: str) -> Decimal:
    if method == GradingMethod.LAST:
        return percents[-1]
    if method == GradingMethod.AVERAGE:
        return sum(percents, Decimal(0)) / len(percents)
    return max(percents)


def compute_course_stats(*, course: CoursePage) -> CourseStats:
    """Completion and quiz results of the students who have access to ``course``.

    Students are the distinct users holding a CourseAccess grant. Per lesson: how many of
    them completed it. Per quiz: how many submitted at least one attempt, the average of
    their grades in per cent (by the quiz's grading method, attempts awaiting a teacher
    counting with the points graded so far) and a 10-bucket distribution.
    Read-only; a fixed number of queries whatever the size of the course (five).
    Callers check that the user may see it (``can_manage_course`` or a reviewer).
    """
    student_ids = CourseAccess.objects.filter(course=course).values("user_id")
    students = CourseAccess.objects.filter(course=course).values("user_id").distinct().count()

    units = {
        unit.path: unit.title for unit in UnitPage.objects.child_of(course).only("path", "title")
    }

    def unit_title(path: str) -> str:
        return units.get(path[: len(path) - UnitPage.steplen], "")

    lessons = [
        LessonStats(
            lesson_id=lesson.pk,
            title=lesson.title,
            unit_title=unit_title(lesson.path),
            completed=lesson.completed,
            students=students,
        )
        for lesson in LessonPage.objects.descendant_of(course)
        .live()
        .annotate(
            completed=Count(
                "completions__user",
                filter=Q(completions__user__in=student_ids),
                distinct=True,
            )
        )
        .only("pk", "title", "path")
        .order_by("path")
    ]

    quizzes = {
        quiz.pk: (quiz, QuizStats(quiz.pk, quiz.title, unit_title(quiz.path), students))
        for quiz in QuizPage.objects.descendant_of(course)
        .live()
        .only("pk", "title", "path", "grading_method")
        .order_by("path")
    }
    per_student: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    attempts = (
        QuizAttempt.objects.filter(quiz_id__in=list(quizzes), student_id__in=student_ids)
        .submitted()
        .order_by("quiz_id", "student_id", "number")
        .values_list("quiz_id", "student_id", "score", "max_score")
    )
    for quiz_id, student_id, score, max_score in attempts:
        percent = Decimal(100) * (score or Decimal(0)) / max_score if max_score else Decimal(0)
        per_student[(quiz_id, student_id)].append(percent)
    totals: dict[int, list[Decimal]] = defaultdict(list)
    for (quiz_id, _student_id), percents in per_student.items():
        quiz, stats = quizzes[quiz_id]
        grade = _grade_percent(percents, quiz.grading_method)
        stats.submitted += 1
        stats.buckets[_bucket(grade)] += 1
        totals[quiz_id].append(grade)
    for quiz_id, grades in totals.items():
        average = sum(grades, Decimal(0)) / len(grades)
        quizzes[quiz_id][1].average_percent = average.quantize(Decimal("0.1"))
    return CourseStats(
        students=students,
        lessons=lessons,
        quizzes=[stats for _quiz, stats in quizzes.values()],
    )
