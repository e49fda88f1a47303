"""The leak crawl: no student-facing response of an open quiz reveals the answer key.

Every question carries distinctive key material (accepted answers, numeric answer, model
answer, feedback) that never appears in the question text. The crawl takes every response
a student can get while the policy hides the answers and looks for any of it, and for any
marker that would tell which option is correct. Then the policy is flipped and the result
page must show the same material: proof that the crawl would have found it.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import QuestionOption, QuizAttempt, ShowAnswers
from courses.services import grant_access
from tests.conftest import login_client
from tests.factories.courses import (
    fill_blank,
    make_course,
    make_quiz,
    make_unit,
    multiple_choice,
    numeric,
    short_answer,
    single_choice,
    true_false,
)

pytestmark = pytest.mark.django_db

SECRETS = [
    "zebra-answer-91",  # fill in the blank, accepted answer
    "okapi-answer-47",  # fill in the blank, second accepted answer
    "7391.25",  # numeric answer
    "0.125",  # numeric tolerance
    "MODEL-ANSWER-5e2c",  # short answer model answer
    "FEEDBACK-QUESTION-88",  # question feedback
    "FEEDBACK-TF-12",
    "OPTION-FEEDBACK-3d9",  # feedback on the correct option
]
# Anything that would say which option is right, or grade a question, before the policy allows.
MARKERS = [
    "is_correct",
    "correct_options",
    "correct_true",
    "accepted_answers",
    "numeric_answer",
    "model_answer",
    "option_feedback",
    "option_ids",
    "question_id",
    '"answer"',
    "(correct)",
    'class="correct',
    ' correct"',
    "verdict",
    "Right",
    "Wrong",
    "Partly right",
]


@pytest.fixture
def setup(teacher, student):
    course = make_course(teachers=[teacher])
    unit = make_unit(course)
    grant_access(course=course, user=student, source="test")
    single = single_choice(
        text="Pick the odd one", options=("apple-opt", "brick-opt", "cherry-opt"), correct=(1,)
    )
    QuestionOption.objects.filter(question=single, text="brick-opt").update(
        feedback="OPTION-FEEDBACK-3d9"
    )
    questions = [
        single,
        multiple_choice(
            text="Pick the metals", options=("iron-opt", "wood-opt", "gold-opt"), correct=(0, 2)
        ),
        true_false(text="Water is dry.", answer=False, feedback="FEEDBACK-TF-12"),
        fill_blank(
            text="Name the striped animal.",
            answers=("zebra-answer-91", "okapi-answer-47"),
            feedback="FEEDBACK-QUESTION-88",
        ),
        numeric(text="How much?", answer="7391.25", tolerance="0.125"),
        short_answer(text="Explain.", model_answer="MODEL-ANSWER-5e2c"),
    ]
    quiz = make_quiz(
        unit,
        questions=questions,
        time_limit_minutes=30,
        attempts_allowed=2,
        shuffle_options=True,
        show_answers=ShowAnswers.AFTER_CLOSE,
        closes_at=timezone.now() + timedelta(days=3),
    )
    return quiz


def assert_no_key(response, where: str):
    blob = response.content.decode(errors="replace") + json.dumps(dict(response.headers.items()))
    for secret in SECRETS:
        assert secret not in blob, f"{where} leaks {secret!r}"
    for marker in MARKERS:
        assert marker not in blob, f"{where} carries {marker!r}"


def option_html(html: str) -> list[str]:
    """Each rendered option with its own text blanked, to compare their markup."""
    found = re.findall(r'<label class="option">.*?</label>', html, flags=re.S)
    return [re.sub(r"<span>.*?</span>", "<span>X</span>", f) for f in found]


def test_no_student_facing_response_reveals_the_key(setup, student):
    quiz = setup
    client = login_client(student)
    crawled = []

    def crawl(method, url, where, **kwargs):
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code < 500, where
        assert_no_key(response, where)
        crawled.append(where)
        return response

    crawl("get", quiz.url, "quiz page")
    crawl("get", reverse("courses:quiz_detail", args=[quiz.pk]), "quiz detail redirect")
    start = crawl("post", reverse("courses:quiz_start", args=[quiz.pk]), "start")
    attempt = QuizAttempt.objects.get()
    page = crawl("get", start.url, "attempt page")
    html = page.content.decode()
    # The option texts are shown, and every option's markup is the same apart from its text.
    for text in ("apple-opt", "brick-opt", "cherry-opt", "iron-opt", "wood-opt", "gold-opt"):
        assert text in html
    markup = option_html(html)
    assert len(markup) == 3 + 3 + 2
    assert {re.sub(r'(name|value|type)="[^"]*"', "", m) for m in markup} == {
        re.sub(r'(name|value|type)="[^"]*"', "", markup[0])
    }
    crawl("get", start.url, "attempt page reload")
    crawl("post", start.url, "attempt page wrong method")

    save = reverse("courses:quiz_autosave", args=[attempt.pk])
    responses = {
        "q1": attempt.snapshot[0]["options"][0]["key"],
        "q2": [attempt.snapshot[1]["options"][0]["key"]],
        "q3": True,
        "q4": "zebra",
        "q5": "7391.2",  # within the tolerance: right
        "q6": "Because.",
    }
    for key, value in responses.items():
        reply = crawl(
            "post",
            save,
            f"autosave {key}",
            data=json.dumps({"question": key, "response": value}),
            content_type="application/json",
        )
        assert reply.status_code == 200
    crawl("post", save, "autosave error", data=b"{}", content_type="application/json")
    crawl(
        "post",
        save,
        "autosave bad numeric",
        data=json.dumps({"question": "q5", "response": "lots"}),
        content_type="application/json",
    )
    crawl("get", start.url, "attempt page with saved answers")
    crawl("get", reverse("courses:quiz_result", args=[attempt.pk]), "result of open attempt")

    submit_url = reverse("courses:quiz_submit", args=[attempt.pk])
    form = {"with_answers": "1", **{k: v for k, v in responses.items() if k not in {"q2", "q3"}}}
    form["q2"] = responses["q2"]
    form["q3"] = "true"
    submitted = crawl("post", submit_url, "submit", data=form)
    crawl("post", submit_url, "replayed submit", data=form)
    result = crawl("get", submitted.url, "result page (answers hidden)")
    assert "Correct answers will be shown after the quiz closes." in result.content.decode()
    crawl("get", quiz.url, "quiz page after submit")
    crawl("get", start.url, "attempt page after submit")
    crawl(
        "post",
        save,
        "autosave after submit",
        data=json.dumps({"question": "q4", "response": "x"}),
        content_type="application/json",
    )
    # A second attempt, open: its screens too.
    second = crawl("post", reverse("courses:quiz_start", args=[quiz.pk]), "second start")
    crawl("get", second.url, "second attempt page")
    crawl("get", quiz.url, "quiz page with an open attempt")

    # Teacher-only screens say no without showing anything.
    crawl("get", reverse("courses:quiz_grading", args=[quiz.pk]), "grading screen")
    answer = attempt.answers.get(question_key="q6")
    crawl("post", reverse("courses:quiz_grade", args=[answer.pk]), "grade", data={"score": "1"})
    # No page API is installed, and the admin is not for students.
    for url in ("/api/v2/pages/", f"/api/v2/pages/{quiz.pk}/", "/api/pages/", "/api/"):
        response = crawl("get", url, url)
        assert response.status_code == 404, url
    for url in ("/admin/", "/admin/snippets/courses/question/", f"/admin/pages/{quiz.pk}/edit/"):
        response = crawl("get", url, url)
        assert response.status_code in (302, 403, 404), url
    assert len(crawled) >= 25

    # The policy flips: now the same result page shows the key, so the crawl could see it.
    quiz.show_answers = ShowAnswers.AFTER_SUBMIT
    quiz.save_revision().publish()
    shown = client.get(submitted.url).content.decode()
    for secret in ("zebra-answer-91", "okapi-answer-47", "7391.25", "MODEL-ANSWER-5e2c"):
        assert secret in shown
    for secret in ("FEEDBACK-QUESTION-88", "FEEDBACK-TF-12", "OPTION-FEEDBACK-3d9"):
        assert secret in shown
    assert "(correct)" in shown
    assert "Wrong" in shown and "Right" in shown


def test_policy_never_keeps_the_key_after_the_quiz_closes(setup, student):
    quiz = setup
    quiz.show_answers = ShowAnswers.NEVER
    quiz.save_revision().publish()
    client = login_client(student)
    start = client.post(reverse("courses:quiz_start", args=[quiz.pk]))
    attempt = QuizAttempt.objects.get()
    submitted = client.post(
        reverse("courses:quiz_submit", args=[attempt.pk]), {"with_answers": "1", "q4": "zebra"}
    )
    assert start.status_code == submitted.status_code == 302
    result = client.get(submitted.url)
    assert_no_key(result, "result, policy never")
    assert "This quiz does not show the correct answers." in result.content.decode()


def test_anonymous_sees_nothing_of_the_quiz(setup):
    quiz = setup
    client = Client()
    for url in (quiz.url, "/api/v2/pages/"):
        assert_no_key(client.get(url), url)
