"""The issue's acceptance, end to end through HTTP: a teacher builds a course in the admin
(video upload, lesson, GIFT import, quiz); a student watches (seeking to the end does not
complete the lesson), resumes, takes the quiz within its time limit and sees the score."""

import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from courses.models import (
    LessonCompletion,
    LessonPage,
    Question,
    QuizAttempt,
    QuizPage,
    Video,
)
from courses.services import ensure_teacher_permissions, grant_access
from courses.services.progress import issue_player_token, record_progress
from tests.conftest import login_client
from tests.factories import StudentFactory
from tests.factories.courses import DEMO_CLIP, make_course, make_unit

pytestmark = pytest.mark.django_db

GIFT = """// Week 1
::LIFO:: Which structure is last in, first out? {=stack ~queue ~heap}

::FIFO:: A queue is first in, first out. {T}

::Pops:: How many pops empty a stack of 12 elements? {#12}
"""


def _post_json(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_teacher_builds_in_the_admin_and_a_student_learns(teacher):
    course = make_course(teachers=[teacher], title="Data Structures")
    unit = make_unit(course, title="Linear structures")
    ensure_teacher_permissions()
    admin = login_client(teacher)

    # 1. The teacher uploads a video; its duration is read from the file.
    with DEMO_CLIP.open("rb") as handle:
        response = admin.post(
            reverse("wagtailsnippets_courses_video:add"),
            {
                "title": "Stacks in 8 seconds",
                "file": SimpleUploadedFile("stacks.mp4", handle.read(), "video/mp4"),
                "course": course.pk,
            },
        )
    assert response.status_code == 302
    video = Video.objects.get(title="Stacks in 8 seconds")
    assert video.duration == 8.0

    # 2. ...builds a video lesson with it and publishes it.
    response = admin.post(
        reverse("wagtailadmin_pages:add", args=["courses", "lessonpage", unit.pk]),
        nested_form_data(
            {
                "title": "Stacks",
                "slug": "stacks",
                "lesson_videos": inline_formset([{"video": video.pk}]),
                "body": streamfield([("text", rich_text("<p>Push and pop.</p>"))]),
                "completion_threshold": 90,
                "action-publish": "publish",
            }
        ),
    )
    assert response.status_code == 302
    lesson = LessonPage.objects.get(slug="stacks")
    assert lesson.live
    assert [lv.video for lv in lesson.lesson_videos.all()] == [video]

    # 3. ...imports questions from GIFT: the preview saves nothing, the confirmation all.
    import_url = reverse("wagtailsnippets_courses_question:import")
    form = {"course": course.pk, "format": "gift", "text": GIFT, "tags": "week1"}
    preview = admin.post(import_url, form)
    assert preview.status_code == 200
    assert Question.objects.count() == 0
    assert admin.post(import_url, {**form, "action": "confirm"}).status_code == 302
    questions = list(Question.objects.filter(course=course).order_by("id"))
    assert [q.kind for q in questions] == ["single", "true_false", "numeric"]

    # 4. ...and a quiz with a ten-minute limit that shows answers after submitting.
    response = admin.post(
        reverse("wagtailadmin_pages:add", args=["courses", "quizpage", unit.pk]),
        nested_form_data(
            {
                "title": "Stack quiz",
                "slug": "stack-quiz",
                "intro": rich_text(""),
                "time_limit_minutes": 10,
                "attempts_allowed": 1,
                "grading_method": "highest",
                "show_answers": "after_submit",
                "selection": "fixed",
                "quiz_questions": inline_formset([{"question": q.pk} for q in questions]),
                "action-publish": "publish",
            }
        ),
    )
    assert response.status_code == 302, response.content[:2000]
    quiz = QuizPage.objects.get(slug="stack-quiz")
    assert quiz.live

    # 5. An enrolled student opens the lesson: the video comes from a checked URL.
    student = StudentFactory()
    grant_access(course=course, user=student, source="offering:1")
    learner = login_client(student)
    html = learner.get(lesson.url).content.decode()
    video_url = reverse("courses:video", args=[lesson.pk, video.pk])
    assert video_url in html
    assert "/media/" not in html
    token = re.search(r'data-token="([^"]+)"', html).group(1)
    report_url = reverse("courses:progress", args=[lesson.pk, video.pk])

    # Seeking to the end at once claims 8 s of watching in no time: refused, not completed.
    refused = _post_json(
        learner, report_url, {"intervals": [[0, 8]], "position": 8, "token": token}
    ).json()
    assert refused["accepted"] is False
    assert refused["completed"] is False
    assert not LessonCompletion.objects.filter(user=student, lesson=lesson).exists()

    # Half of it, really watched over three seconds at normal speed, is accepted...
    three_seconds_ago = issue_player_token(
        user=student, lesson=lesson, video=video, now=timezone.now() - timedelta(seconds=3)
    )
    half = _post_json(
        learner,
        report_url,
        {"intervals": [[0, 4]], "position": 4, "token": three_seconds_ago},
    ).json()
    assert (half["accepted"], half["covered"], half["completed"]) == (True, 0.5, False)
    # ...and the lesson page resumes where the student stopped.
    assert 'data-position="4.000"' in learner.get(lesson.url).content.decode()

    # Watching the rest four seconds later completes the lesson.
    rest = record_progress(
        user=student,
        lesson=lesson,
        video=video,
        intervals=[[4, 8]],
        position=8,
        now=timezone.now() + timedelta(seconds=4),
    )
    assert rest.accepted and rest.lesson_completed
    assert LessonCompletion.objects.filter(user=student, lesson=lesson).count() == 1

    # 6. The student takes the quiz within its time limit, twice clicking submit.
    response = learner.post(reverse("courses:quiz_start", args=[quiz.pk]))
    attempt = QuizAttempt.objects.get(quiz=quiz, student=student)
    assert response["Location"] == reverse("courses:quiz_attempt", args=[attempt.pk])
    assert attempt.deadline == attempt.started_at + timedelta(minutes=10)
    keys = {q["kind"]: q for q in attempt.snapshot}
    stack = next(o["key"] for o in keys["single"]["options"] if o["text"] == "stack")
    autosave = _post_json(
        learner,
        reverse("courses:quiz_autosave", args=[attempt.pk]),
        {"question": keys["single"]["key"], "response": stack},
    )
    assert autosave.json()["saved"] is True
    submit = {
        "with_answers": "1",
        keys["single"]["key"]: stack,
        keys["true_false"]["key"]: "true",
        keys["numeric"]["key"]: "11",
    }
    submit_url = reverse("courses:quiz_submit", args=[attempt.pk])
    first = learner.post(submit_url, submit)
    second = learner.post(submit_url, submit)
    assert first.status_code == second.status_code == 302
    assert QuizAttempt.objects.filter(quiz=quiz, student=student).count() == 1
    attempt.refresh_from_db()
    assert (attempt.score, attempt.max_score) == (2, 3)

    # The result shows the score and, as the quiz allows it after submitting, the answers.
    result = learner.get(reverse("courses:quiz_result", args=[attempt.pk])).content.decode()
    assert "Score: 2.00 / 3.00" in result
    assert "12" in result  # the correct numeric answer, now revealed
