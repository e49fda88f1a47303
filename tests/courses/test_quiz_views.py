"""The student quiz screens and the teacher's grading screen, through HTTP."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import AttemptAnswer, QuizAttempt
from courses.services import grant_access
from courses.services.quizzes import GRACE
from tests.conftest import login_client
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.courses import (
    fill_blank,
    make_quiz,
    multiple_choice,
    numeric,
    short_answer,
    single_choice,
    true_false,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(enrolled):
    return login_client(enrolled)


def start_url(quiz):
    return reverse("courses:quiz_start", args=[quiz.pk])


def attempt_url(attempt):
    return reverse("courses:quiz_attempt", args=[attempt.pk])


def save_url(attempt):
    return reverse("courses:quiz_autosave", args=[attempt.pk])


def submit_url(attempt):
    return reverse("courses:quiz_submit", args=[attempt.pk])


def result_url(attempt):
    return reverse("courses:quiz_result", args=[attempt.pk])


def autosave(client, attempt, key, response):
    return client.post(
        save_url(attempt),
        data=json.dumps({"question": key, "response": response}),
        content_type="application/json",
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- quiz page ------------------------------------------------------------------------------
def test_quiz_page_shows_settings_and_a_start_button(client, unit):
    closes = timezone.now() + timedelta(days=2)
    quiz = make_quiz(
        unit,
        questions=[true_false()],
        time_limit_minutes=20,
        attempts_allowed=3,
        closes_at=closes,
        grading_method="average",
    )
    response = client.get(quiz.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "20 minutes" in html
    assert "3 of 3 left" in html
    assert "Average of attempts" in html
    assert start_url(quiz) in html
    assert "Start the quiz" in html


def test_quiz_detail_url_leads_to_the_page(client, unit):
    quiz = make_quiz(unit, questions=[true_false()])
    response = client.get(reverse("courses:quiz_detail", args=[quiz.pk]))
    assert response.status_code == 302 and response.url == quiz.url


def test_anonymous_visitors_are_sent_to_log_in(unit, db):
    quiz = make_quiz(unit, questions=[true_false()])
    anonymous = Client()
    for method, url in (("get", quiz.url), ("post", start_url(quiz))):
        response = getattr(anonymous, method)(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert not QuizAttempt.objects.exists()


def test_not_enrolled_student_is_refused_and_nothing_is_created(unit):
    quiz = make_quiz(unit, questions=[true_false()])
    outsider = login_client(StudentFactory())
    page = outsider.get(quiz.url)
    assert page.status_code == 403
    assert "not enrolled" in page.content.decode()
    start = outsider.post(start_url(quiz))
    assert start.status_code == 403
    assert not QuizAttempt.objects.exists()


@pytest.mark.parametrize(
    ("quiz_settings", "why"),
    [
        ({"opens_at": timezone.now() + timedelta(days=1)}, "This quiz is not open yet."),
        ({"closes_at": timezone.now() - timedelta(minutes=1)}, "This quiz is closed."),
    ],
)
def test_start_outside_the_window_says_why(client, unit, quiz_settings, why):
    quiz = make_quiz(unit, questions=[true_false()], **quiz_settings)
    page = client.get(quiz.url)
    assert why in page.content.decode()
    assert start_url(quiz) not in page.content.decode()
    response = client.post(start_url(quiz), follow=True)
    assert why in messages_of(response)
    assert not QuizAttempt.objects.exists()


def test_no_attempts_left_says_why(client, enrolled, unit):
    quiz = make_quiz(unit, questions=[true_false()], attempts_allowed=1)
    attempt = _start(client, quiz)
    client.post(submit_url(attempt), {"with_answers": "1", "q1": "true"})
    page = client.get(quiz.url).content.decode()
    assert "You have used all your attempts at this quiz." in page
    assert "0 of 1 left" in page
    response = client.post(start_url(quiz), follow=True)
    assert "You have used all your attempts at this quiz." in messages_of(response)
    assert QuizAttempt.objects.count() == 1


# --- taking the quiz ------------------------------------------------------------------------
def _start(client, quiz) -> QuizAttempt:
    response = client.post(start_url(quiz))
    assert response.status_code == 302
    return QuizAttempt.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def test_double_start_gives_one_attempt_and_the_page_offers_resume(client, unit):
    quiz = make_quiz(unit, questions=[true_false()])
    first = _start(client, quiz)
    second = _start(client, quiz)
    assert first.pk == second.pk
    assert QuizAttempt.objects.count() == 1
    assert "Resume the attempt" in client.get(quiz.url).content.decode()


def test_attempt_page_keeps_the_shuffled_order_on_reload(client, unit):
    questions = [
        single_choice(text=f"Question-{i}", options=[f"opt-{i}-{j}" for j in range(5)])
        for i in range(6)
    ]
    quiz = make_quiz(unit, questions=questions, shuffle_questions=True, shuffle_options=True)
    attempt = _start(client, quiz)
    first = client.get(attempt_url(attempt)).content.decode()
    second = client.get(attempt_url(attempt)).content.decode()

    def order(html, marker):
        return re.findall(marker + r"[\d-]+", html)

    assert order(first, "Question-") == order(second, "Question-")
    assert order(first, "opt-") == order(second, "opt-")
    assert len(order(first, "opt-")) == 30


def test_autosave_then_resume_shows_saved_answers(client, unit):
    quiz = make_quiz(unit, questions=[fill_blank(), multiple_choice()])
    attempt = _start(client, quiz)
    reply = autosave(client, attempt, "q1", "a stack")
    assert reply.status_code == 200 and reply.json()["saved"] is True
    keys = [o["key"] for o in attempt.snapshot[1]["options"]][:2]
    assert autosave(client, attempt, "q2", keys).status_code == 200
    html = client.get(attempt_url(attempt)).content.decode()
    assert 'value="a stack"' in html
    assert html.count("checked") == 2


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"response": "x"}', b'{"question": "q9", "response": "x"}'],
)
def test_autosave_bad_input_is_a_clear_400(client, unit, body):
    quiz = make_quiz(unit, questions=[numeric()])
    attempt = _start(client, quiz)
    reply = client.post(save_url(attempt), data=body, content_type="application/json")
    assert reply.status_code == 400
    assert reply.json()["error"]
    assert not AttemptAnswer.objects.exists()


def test_autosave_refuses_a_non_number_for_numeric(client, unit):
    quiz = make_quiz(unit, questions=[numeric()])
    attempt = _start(client, quiz)
    reply = autosave(client, attempt, "q1", "ten")
    assert reply.status_code == 400
    assert reply.json() == {"error": "Enter a number, for example 3.14."}


def test_someone_elses_attempt_does_not_exist_for_you(client, course, unit):
    quiz = make_quiz(unit, questions=[true_false()])
    attempt = _start(client, quiz)
    other_student = StudentFactory()
    grant_access(course=course, user=other_student, source="test")
    other = login_client(other_student)
    assert other.get(attempt_url(attempt)).status_code == 404
    assert autosave(other, attempt, "q1", True).status_code == 404
    assert other.post(submit_url(attempt), {"with_answers": "1", "q1": "false"}).status_code == 404
    assert other.get(result_url(attempt)).status_code == 404
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and not attempt.answers.exists()


def test_submit_form_without_js_grades_every_kind(client, unit):
    quiz = make_quiz(
        unit,
        questions=[
            single_choice(),
            multiple_choice(),
            true_false(),
            fill_blank(),
            numeric(answer="3.14", tolerance="0.01"),
            short_answer(),
        ],
    )
    attempt = _start(client, quiz)
    opts = {q["key"]: {o["text"]: o["key"] for o in q["options"]} for q in attempt.snapshot}
    response = client.post(
        submit_url(attempt),
        {
            "with_answers": "1",
            "q1": opts["q1"]["4"],
            "q2": [opts["q2"]["2"], opts["q2"]["3"]],
            "q3": "true",
            "q4": "  A\u3000STACK ",
            "q5": "3.15",
            "q6": "Spread over the sequence.",
        },
    )
    assert response.status_code == 302 and response.url == result_url(attempt)
    attempt.refresh_from_db()
    assert (attempt.score, attempt.max_score, attempt.needs_grading) == (
        Decimal("5.00"),
        Decimal("6.00"),
        True,
    )


def test_double_submit_and_replayed_post_give_one_submission(client, unit):
    quiz = make_quiz(unit, questions=[true_false(answer=True)], attempts_allowed=3)
    attempt = _start(client, quiz)
    first = client.post(submit_url(attempt), {"with_answers": "1", "q1": "true"})
    attempt.refresh_from_db()
    submitted_at = attempt.submitted_at
    replay = client.post(submit_url(attempt), {"with_answers": "1", "q1": "false"})
    assert first.url == replay.url == result_url(attempt)
    attempt.refresh_from_db()
    assert attempt.submitted_at == submitted_at
    assert attempt.score == Decimal("1.00")
    assert QuizAttempt.objects.count() == 1
    assert AttemptAnswer.objects.get().response is True
    # Autosave from a second tab after the submit is refused and changes nothing.
    late = autosave(client, attempt, "q1", False)
    assert late.status_code == 409 and late.json()["redirect"] == result_url(attempt)
    assert AttemptAnswer.objects.get().response is True


def test_submit_with_a_bad_answer_changes_nothing(client, unit):
    quiz = make_quiz(unit, questions=[numeric()])
    attempt = _start(client, quiz)
    response = client.post(submit_url(attempt), {"with_answers": "1", "q1": "ten"}, follow=True)
    assert "Enter a number, for example 3.14." in messages_of(response)
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and not attempt.answers.exists()


def test_answer_after_deadline_plus_grace_is_refused(client, unit):
    quiz = make_quiz(unit, questions=[true_false()], time_limit_minutes=1)
    attempt = _start(client, quiz)
    autosave(client, attempt, "q1", False)
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - timedelta(minutes=5),
        deadline=timezone.now() - GRACE - timedelta(seconds=1),
    )
    reply = autosave(client, attempt, "q1", True)
    assert reply.status_code == 409
    assert reply.json()["error"] == "Time is up: the attempt was submitted at its deadline."
    attempt.refresh_from_db()
    assert attempt.auto_submitted and attempt.submitted_at == attempt.deadline
    assert AttemptAnswer.objects.get().response is False


def test_reading_an_expired_attempt_submits_it(client, unit):
    quiz = make_quiz(unit, questions=[true_false()], time_limit_minutes=1)
    attempt = _start(client, quiz)
    page = client.get(attempt_url(attempt)).content.decode()
    assert 'data-seconds-left="' in page
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - GRACE - timedelta(seconds=1)
    )
    response = client.get(attempt_url(attempt))
    assert response.status_code == 302 and response.url == result_url(attempt)
    attempt.refresh_from_db()
    assert attempt.auto_submitted is True
    assert "submitted automatically" in client.get(result_url(attempt)).content.decode()


def test_result_of_an_open_attempt_sends_back_to_it(client, unit):
    quiz = make_quiz(unit, questions=[true_false()])
    attempt = _start(client, quiz)
    response = client.get(result_url(attempt))
    assert response.status_code == 302 and response.url == attempt_url(attempt)


def test_result_shows_score_and_past_attempts(client, unit):
    quiz = make_quiz(unit, questions=[true_false(answer=True)], attempts_allowed=2)
    attempt = _start(client, quiz)
    client.post(submit_url(attempt), {"with_answers": "1", "q1": "true"})
    html = client.get(result_url(attempt)).content.decode()
    assert "Score: 1.00 / 1.00" in html
    assert "Right" in html
    page = client.get(quiz.url).content.decode()
    assert "Attempt 1" in page and "1.00 / 1.00" in page
    assert "Start a new attempt" in page


# --- teacher grading screen ---------------------------------------------------------------
@pytest.fixture
def awaiting(client, unit):
    quiz = make_quiz(unit, questions=[short_answer(points=4, model_answer="MODEL-ANSWER-X")])
    attempt = _start(client, quiz)
    client.post(submit_url(attempt), {"with_answers": "1", "q1": "My own words"})
    return quiz, AttemptAnswer.objects.get()


def test_grading_screen_lists_answers_for_the_course_teachers(teacher, awaiting):
    quiz, answer = awaiting
    html = login_client(teacher).get(reverse("courses:quiz_grading", args=[quiz.pk]))
    assert html.status_code == 200
    text = html.content.decode()
    assert "MODEL-ANSWER-X" in text and "My own words" in text
    assert reverse("courses:quiz_grade", args=[answer.pk]) in text


def test_grading_screen_query_count_does_not_grow(
    teacher, course, unit, awaiting, django_assert_max_num_queries
):
    quiz, _answer = awaiting
    for _ in range(5):
        student = StudentFactory()
        grant_access(course=course, user=student, source="test")
        c = login_client(student)
        attempt = _start(c, quiz)
        c.post(submit_url(attempt), {"with_answers": "1", "q1": "text"})
    teacher_client = login_client(teacher)
    with django_assert_max_num_queries(12):
        response = teacher_client.get(reverse("courses:quiz_grading", args=[quiz.pk]))
    assert response.content.decode().count('name="score"') == 6


def test_students_and_other_teachers_get_403(enrolled, awaiting):
    quiz, answer = awaiting
    for user in (enrolled, TeacherFactory()):
        c = login_client(user)
        assert c.get(reverse("courses:quiz_grading", args=[quiz.pk])).status_code == 403
        reply = c.post(reverse("courses:quiz_grade", args=[answer.pk]), {"score": "4"})
        assert reply.status_code == 403
    answer.refresh_from_db()
    assert answer.score is None


def test_teacher_grades_a_short_answer(teacher, awaiting):
    _quiz, answer = awaiting
    c = login_client(teacher)
    response = c.post(
        reverse("courses:quiz_grade", args=[answer.pk]),
        {"score": "3", "comment": "Nearly"},
        follow=True,
    )
    assert "Grade saved." in messages_of(response)
    assert "No answers are waiting for a grade." in response.content.decode()
    answer.refresh_from_db()
    attempt = answer.attempt
    assert (answer.score, answer.teacher_comment, answer.graded_by) == (
        Decimal("3.00"),
        "Nearly",
        teacher,
    )
    assert (attempt.score, attempt.needs_grading) == (Decimal("3.00"), False)


def test_teacher_score_out_of_range_says_why(teacher, awaiting):
    _quiz, answer = awaiting
    response = login_client(teacher).post(
        reverse("courses:quiz_grade", args=[answer.pk]), {"score": "9"}, follow=True
    )
    assert "Give a score between 0 and 4.00." in messages_of(response)
    answer.refresh_from_db()
    assert answer.score is None
