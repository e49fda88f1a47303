"""Public operations of the online course. Other apps call these, nothing else of courses.

The package is split by concern; everything public is re-exported here.
"""

from courses.services.access import (
    can_manage_course,
    can_view_course_content,
    course_of,
    grant_access,
    revoke_access,
)
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

__all__ = [
    "can_manage_course",
    "can_view_course_content",
    "course_of",
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
