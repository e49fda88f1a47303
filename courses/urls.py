from django.urls import path

from courses.views import progress as progress_views
from courses.views import quizzes as quiz_views
from courses.views import stats as stats_views
from courses.views import videos as video_views

app_name = "courses"

urlpatterns: list = []

# --- videos and progress -------------------------------------------------------------------

urlpatterns += [
    path("video/<int:lesson_id>/<int:video_id>/", video_views.serve_video, name="video"),
    path("video/file/<path:name>", video_views.preview_video, name="video_preview"),
    path(
        "progress/<int:lesson_id>/<int:video_id>/", progress_views.report_progress, name="progress"
    ),
    path("lesson/<int:lesson_id>/done/", progress_views.mark_done, name="lesson_done"),
]

# --- quizzes -------------------------------------------------------------------------------

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

urlpatterns += [
    path("teach/<int:course_id>/stats/", stats_views.course_stats, name="course_stats"),
]
