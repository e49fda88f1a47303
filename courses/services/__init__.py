"""Public operations of the online course. Other apps call these, nothing else of courses.

The package is split by concern; everything public is re-exported here.
"""

from courses.services.access import (
    can_manage_course,
    can_view_course_content,
    course_of,
    courses_for_learner,
    courses_for_teacher,
    grant_access,
    revoke_access,
)
from courses.services.progress import (
    ProgressResult,
    course_outline,
    lesson_progress_for,
    mark_lesson_done,
    record_progress,
)
from courses.services.question_import import ImportResult, import_questions, parse_questions
from courses.services.quizzes import (
    QuizError,
    answers_visible,
    close_expired_attempts,
    grade_short_answer,
    public_questions,
    quiz_grade,
    review,
    save_answer,
    start_attempt,
    submit_attempt,
)
from courses.services.setup import ensure_teacher_permissions
from courses.services.stats import CourseStats, compute_course_stats
from courses.services.structure import CourseItem, CourseUnit, course_item_kinds, course_units
from courses.services.videos import create_video, read_duration

__all__ = [
    "can_manage_course",
    "can_view_course_content",
    "course_of",
    "courses_for_learner",
    "courses_for_teacher",
    "grant_access",
    "revoke_access",
]

__all__ += [  # quizzes
    "QuizError",
    "answers_visible",
    "close_expired_attempts",
    "grade_short_answer",
    "public_questions",
    "quiz_grade",
    "review",
    "save_answer",
    "start_attempt",
    "submit_attempt",
]

__all__ += [  # videos and progress
    "ProgressResult",
    "course_outline",
    "create_video",
    "lesson_progress_for",
    "mark_lesson_done",
    "read_duration",
    "record_progress",
]

__all__ += [  # question bank, import, role permissions, teacher statistics
    "CourseStats",
    "ImportResult",
    "compute_course_stats",
    "ensure_teacher_permissions",
    "import_questions",
    "parse_questions",
]

__all__ += [  # course structure for other apps
    "CourseItem",
    "CourseUnit",
    "course_item_kinds",
    "course_units",
]
