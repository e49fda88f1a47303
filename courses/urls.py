from django.urls import path

app_name = "courses"

# Each part of the online course adds its routes in its own block.
urlpatterns: list = []

# --- videos and progress -------------------------------------------------------------------

# --- quizzes -------------------------------------------------------------------------------
from courses.views import quizzes as quiz_views  # noqa: E402

urlpatterns += [
    path("quiz/<int:quiz_id>/", quiz_views.quiz_detail, name="quiz_detail"),
    path("quiz/<int:quiz_id>/start/", quiz_views.quiz_start, name="quiz_start"),
    path("quiz/<int:quiz_id>/grading/", quiz_views.quiz_grading, name="quiz_grading"),
    path("quiz/attempt/<int:attempt_id>/", quiz_views.quiz_attempt, name="quiz_attempt"),
    path("quiz/attempt/<int:attempt_id>/answer/", quiz_views.quiz_autosave, name="quiz_autosave"),
    path("quiz/attempt/<int:attempt_id>/submit/", quiz_views.quiz_submit, name="quiz_submit"),
    path("quiz/attempt/<int:attempt_id>/result/", quiz_views.quiz_result, name="quiz_result"),
    path("quiz/answer/<int:answer_id>/grade/", quiz_views.quiz_grade_answer, name="quiz_grade"),
]

# --- question bank import and teacher statistics -------------------------------------------
