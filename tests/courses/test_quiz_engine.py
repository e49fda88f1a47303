"""The quiz engine (courses.services.quizzes) against the real database."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone
from taggit.models import Tag

from courses.models import AttemptAnswer, GradingMethod, QuizAttempt, ShowAnswers
from courses.services import grant_access
from courses.services.quizzes import (
    GRACE,
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


def one_question_quiz(unit, question, **settings):
    return make_quiz(unit, questions=[question], **settings)


def graded(unit, student, question, response, **settings):
    """Start a one-question quiz, answer, submit; return (attempt, answer)."""
    quiz = one_question_quiz(unit, question, **settings)
    attempt = start_attempt(quiz=quiz, student=student)
    attempt = submit_attempt(attempt=attempt, student=student, answers={"q1": response})
    return attempt, attempt.answers.get()


def option_key(attempt, text):
    question = attempt.snapshot[0]
    return next(o["key"] for o in question["options"] if o["text"] == text)


# --- grading of each kind ------------------------------------------------------------------
def test_single_choice_right_and_wrong(unit, enrolled):
    quiz = one_question_quiz(unit, single_choice(points=2))
    attempt = start_attempt(quiz=quiz, student=enrolled)
    done = submit_attempt(
        attempt=attempt, student=enrolled, answers={"q1": option_key(attempt, "4")}
    )
    assert (done.score, done.max_score) == (Decimal("2.00"), Decimal("2.00"))
    assert done.answers.get().is_correct is True

    quiz2 = one_question_quiz(unit, single_choice(points=2))
    attempt2 = start_attempt(quiz=quiz2, student=enrolled)
    wrong = option_key(attempt2, "5")
    done2 = submit_attempt(attempt=attempt2, student=enrolled, answers={"q1": wrong})
    assert done2.score == Decimal("0.00")
    assert done2.answers.get().is_correct is False


@pytest.mark.parametrize(
    ("chosen", "partial", "score", "right"),
    [
        (("2", "3"), False, "3.00", True),
        (("2",), False, "0.00", False),
        (("2", "3", "4"), False, "0.00", False),
        (("2", "3"), True, "3.00", True),
        (("2",), True, "1.50", False),  # (1 - 0) / 2 * 3
        (("2", "4"), True, "0.00", False),  # (1 - 1) / 2 * 3
        (("2", "3", "4"), True, "1.50", False),  # (2 - 1) / 2 * 3
        (("4", "9"), True, "0.00", False),  # negative is floored at 0
        ((), True, "0.00", False),
    ],
)
def test_multiple_choice_all_or_nothing_and_partial(unit, enrolled, chosen, partial, score, right):
    question = multiple_choice(partial=partial, points=3)
    quiz = one_question_quiz(unit, question)
    attempt = start_attempt(quiz=quiz, student=enrolled)
    keys = [option_key(attempt, text) for text in chosen]
    done = submit_attempt(attempt=attempt, student=enrolled, answers={"q1": keys})
    answer = done.answers.get()
    assert (answer.score, answer.is_correct) == (Decimal(score), right)
    assert done.score == Decimal(score)


def test_partial_credit_rounds_to_cents(unit, enrolled):
    question = multiple_choice(
        options=("a", "b", "c", "d"), correct=(0, 1, 2), partial=True, points=1
    )
    quiz = one_question_quiz(unit, question)
    attempt = start_attempt(quiz=quiz, student=enrolled)
    done = submit_attempt(
        attempt=attempt, student=enrolled, answers={"q1": [option_key(attempt, "a")]}
    )
    assert done.score == Decimal("0.33")


@pytest.mark.parametrize(
    ("answer", "response", "right"),
    [(True, True, True), (True, False, False), (False, False, True), (True, None, False)],
)
def test_true_false(unit, enrolled, answer, response, right):
    attempt, row = graded(unit, enrolled, true_false(answer=answer), response)
    assert row.is_correct is right
    assert attempt.score == (Decimal("1.00") if right else Decimal("0.00"))


@pytest.mark.parametrize(
    ("response", "right"),
    [
        ("stack", True),
        ("  STACK ", True),
        ("A   Stack", True),
        ("a\u3000stack", True),  # ideographic (full-width) space
        ("ＳＴＡＣＫ", True),  # full-width letters
        ("a\tstack\n", True),
        ("stacks", False),
        ("", False),
        ("queue", False),
    ],
)
def test_fill_blank_normalises_case_width_and_spaces(unit, enrolled, response, right):
    _attempt, row = graded(unit, enrolled, fill_blank(answers=("stack", "a stack")), response)
    assert row.is_correct is right


@pytest.mark.parametrize(
    ("response", "right"),
    [
        ("3.14", True),
        ("3.13", True),  # exactly at the lower edge
        ("3.15", True),  # exactly at the upper edge
        ("3.1500001", False),
        ("3.1299999", False),
        ("３．１４", True),  # full-width digits and point
        ("", False),
    ],
)
def test_numeric_with_tolerance_edges(unit, enrolled, response, right):
    question = numeric(answer="3.14", tolerance="0.01", points=4)
    _attempt, row = graded(unit, enrolled, question, response)
    assert row.is_correct is right
    assert row.score == (Decimal("4.00") if right else Decimal("0.00"))


def test_numeric_exact_without_tolerance(unit, enrolled):
    _attempt, row = graded(unit, enrolled, numeric(answer="10", tolerance="0"), "10.000")
    assert row.is_correct is True


def test_numeric_rejects_text_when_saving(unit, enrolled):
    quiz = one_question_quiz(unit, numeric())
    attempt = start_attempt(quiz=quiz, student=enrolled)
    for junk in ("ten", "NaN", "Infinity"):
        with pytest.raises(QuizError):
            save_answer(attempt=attempt, student=enrolled, question_key="q1", response=junk)
    assert not AttemptAnswer.objects.exists()


# --- short answers and the teacher --------------------------------------------------------
def test_short_answer_waits_for_the_teacher_then_counts(unit, enrolled, teacher):
    quiz = make_quiz(unit, questions=[short_answer(points=5), true_false(points=1)])
    attempt = start_attempt(quiz=quiz, student=enrolled)
    done = submit_attempt(
        attempt=attempt, student=enrolled, answers={"q1": "Spread the cost.", "q2": True}
    )
    assert done.needs_grading is True
    assert done.score == Decimal("1.00")
    assert done.max_score == Decimal("6.00")
    answer = done.answers.get(question_key="q1")
    assert (answer.score, answer.is_correct) == (None, None)

    grade_short_answer(answer=answer, teacher=teacher, score="3.5", comment="Good start")
    done.refresh_from_db()
    answer.refresh_from_db()
    assert done.needs_grading is False
    assert done.score == Decimal("4.50")
    assert answer.score == Decimal("3.50")
    assert answer.graded_by == teacher
    assert answer.graded_at is not None
    assert answer.teacher_comment == "Good start"


def test_every_manual_grade_is_kept_with_who_when_old_and_new(unit, enrolled, teacher):
    from courses.models import AnswerGradeChange

    attempt, row = graded(unit, enrolled, short_answer(points=5), "text")
    grade_short_answer(answer=row, teacher=teacher, score="2", comment="first look")
    grade_short_answer(answer=row, teacher=teacher, score="4.5", comment="on appeal")
    history = list(
        AnswerGradeChange.objects.filter(answer=row).values_list(
            "changed_by", "old_score", "new_score", "comment"
        )
    )
    assert history == [
        (teacher.pk, None, Decimal("2.00"), "first look"),
        (teacher.pk, Decimal("2.00"), Decimal("4.50"), "on appeal"),
    ]
    assert all(c.changed_at for c in AnswerGradeChange.objects.filter(answer=row))
    attempt.refresh_from_db()
    assert attempt.score == Decimal("4.50")


def test_a_refused_grade_leaves_no_history(unit, enrolled, teacher):
    from courses.models import AnswerGradeChange

    _attempt, row = graded(unit, enrolled, short_answer(points=5), "text")
    with pytest.raises(QuizError):
        grade_short_answer(answer=row, teacher=teacher, score="9")
    assert not AnswerGradeChange.objects.exists()


def test_empty_short_answer_scores_zero_without_the_teacher(unit, enrolled):
    attempt, row = graded(unit, enrolled, short_answer(), "   ")
    assert (row.score, attempt.needs_grading) == (Decimal("0.00"), False)


@pytest.mark.parametrize("score", ["-1", "5.01", "abc", "", "1.234"])
def test_grade_out_of_range_is_refused_and_changes_nothing(unit, enrolled, teacher, score):
    attempt, row = graded(unit, enrolled, short_answer(points=5), "text")
    with pytest.raises(QuizError):
        grade_short_answer(answer=row, teacher=teacher, score=score)
    row.refresh_from_db()
    attempt.refresh_from_db()
    assert (row.score, row.graded_by, attempt.needs_grading) == (None, None, True)


def test_only_the_course_teachers_may_grade(unit, enrolled):
    _attempt, row = graded(unit, enrolled, short_answer(points=5), "text")
    for outsider in (TeacherFactory(), enrolled):
        with pytest.raises(QuizError):
            grade_short_answer(answer=row, teacher=outsider, score="5")
    row.refresh_from_db()
    assert row.score is None


# --- snapshot, shuffling, history ---------------------------------------------------------
def test_snapshot_keeps_the_grade_when_the_question_is_edited(unit, enrolled):
    question = single_choice(points=2)
    quiz = one_question_quiz(unit, question)
    attempt = start_attempt(quiz=quiz, student=enrolled)
    right = option_key(attempt, "4")
    # The teacher edits the question while the attempt is open: "5" becomes correct.
    question.options.update(is_correct=False)
    question.options.filter(text="5").update(is_correct=True)
    question.points = 10
    question.save()
    done = submit_attempt(attempt=attempt, student=enrolled, answers={"q1": right})
    assert (done.score, done.max_score) == (Decimal("2.00"), Decimal("2.00"))
    assert done.revision_id == quiz.latest_revision_id


def test_shuffle_is_stable_within_an_attempt(unit, enrolled):
    questions = [
        single_choice(text=f"Q{i}", options=[f"{i}-{j}" for j in range(6)]) for i in range(8)
    ]
    quiz = make_quiz(unit, questions=questions, shuffle_questions=True, shuffle_options=True)
    attempt = start_attempt(quiz=quiz, student=enrolled)
    first = public_questions(attempt)
    again = public_questions(QuizAttempt.objects.get(pk=attempt.pk))
    assert first == again
    assert start_attempt(quiz=quiz, student=enrolled).snapshot == attempt.snapshot
    # Every question and option is there, with keys in the order shown.
    assert sorted(q["text"] for q in first) == sorted(f"Q{i}" for i in range(8))
    assert [q["key"] for q in first] == [f"q{i}" for i in range(1, 9)]
    assert [o["key"] for o in first[0]["options"]] == [f"o{j}" for j in range(1, 7)]


def test_shuffle_differs_between_attempts(unit, course):
    questions = [single_choice(text=f"Q{i}") for i in range(10)]
    quiz = make_quiz(unit, questions=questions, shuffle_questions=True)
    orders = set()
    for _ in range(5):
        student = StudentFactory()
        grant_access(course=course, user=student, source="test")
        attempt = start_attempt(quiz=quiz, student=student)
        orders.add(tuple(q["text"] for q in attempt.snapshot))
    assert len(orders) > 1  # 5 draws of 10! orders all equal: about 1 in 10^26


def test_without_shuffle_the_quiz_order_is_kept(unit, enrolled):
    questions = [single_choice(text=f"Q{i}") for i in range(4)]
    quiz = make_quiz(unit, questions=questions)
    attempt = start_attempt(quiz=quiz, student=enrolled)
    assert [q["text"] for q in attempt.snapshot] == ["Q0", "Q1", "Q2", "Q3"]
    assert [o["text"] for o in attempt.snapshot[0]["options"]] == ["3", "4", "5"]


def test_random_questions_from_a_tag(unit, course, enrolled):
    tag = Tag.objects.create(name="trees", slug="trees")
    tagged = []
    for i in range(6):
        q = single_choice(text=f"Tree {i}", course=course)
        q.tags.add(tag)
        q.save()
        tagged.append(q.text)
    single_choice(text="Untagged", course=course)
    quiz = make_quiz(unit, selection="random", random_tag=tag, random_count=4)
    attempt = start_attempt(quiz=quiz, student=enrolled)
    texts = [q["text"] for q in attempt.snapshot]
    assert len(texts) == 4 and len(set(texts)) == 4
    assert set(texts) <= set(tagged)
    assert attempt.max_score == Decimal("4.00")


def test_public_questions_hold_no_answer_key(unit, enrolled):
    quiz = make_quiz(
        unit,
        questions=[
            single_choice(feedback="FEEDBACK"),
            fill_blank(answers=("zebra",)),
            numeric(answer="42.5"),
            short_answer(model_answer="MODEL"),
        ],
    )
    attempt = start_attempt(quiz=quiz, student=enrolled)
    public = public_questions(attempt)
    text = repr(public)
    for secret in ("'answer'", "correct", "zebra", "42.5", "MODEL", "FEEDBACK", "question_id"):
        assert secret not in text
    assert set(public[0]) == {"key", "kind", "text", "points", "options", "response"}


# --- starting: refusals and one attempt ---------------------------------------------------
def test_refusals_say_why_and_create_nothing(unit, course, student):
    now = timezone.now()
    quiz = one_question_quiz(unit, true_false())
    with pytest.raises(QuizError) as error:
        start_attempt(quiz=quiz, student=student)
    assert error.value.code == "forbidden"
    grant_access(course=course, user=student, source="test")

    early = one_question_quiz(unit, true_false(), opens_at=now + timedelta(hours=1))
    with pytest.raises(QuizError, match="not open yet"):
        start_attempt(quiz=early, student=student, now=now)
    late = one_question_quiz(unit, true_false(), closes_at=now - timedelta(minutes=1))
    with pytest.raises(QuizError, match="closed"):
        start_attempt(quiz=late, student=student, now=now)
    assert not QuizAttempt.objects.exists()


def test_attempts_allowed_are_counted(unit, enrolled):
    quiz = one_question_quiz(unit, true_false(), attempts_allowed=2)
    for number in (1, 2):
        attempt = start_attempt(quiz=quiz, student=enrolled)
        assert attempt.number == number
        submit_attempt(attempt=attempt, student=enrolled, answers={"q1": True})
    with pytest.raises(QuizError, match="used all your attempts"):
        start_attempt(quiz=quiz, student=enrolled)
    assert QuizAttempt.objects.count() == 2


def test_starting_twice_gives_one_attempt(unit, enrolled):
    quiz = one_question_quiz(unit, true_false())
    first = start_attempt(quiz=quiz, student=enrolled)
    second = start_attempt(quiz=quiz, student=enrolled)
    assert first.pk == second.pk
    assert QuizAttempt.objects.count() == 1


def test_a_lost_race_returns_the_winners_attempt(unit, enrolled, monkeypatch):
    """Two tabs at once: the second insert hits the constraint and returns the first."""
    quiz = one_question_quiz(unit, true_false())
    winner = start_attempt(quiz=quiz, student=enrolled)
    from courses.services import quizzes

    real_open = QuizAttempt.objects.open
    calls = {"n": 0}

    def blind_open():
        # The loser's first look does not see the winner's row (it was not yet committed).
        calls["n"] += 1
        return real_open().none() if calls["n"] <= 2 else real_open()

    monkeypatch.setattr(QuizAttempt.objects, "open", blind_open)
    monkeypatch.setattr(quizzes, "attempts_used", lambda **kw: 0)
    loser = start_attempt(quiz=quiz, student=enrolled)
    assert loser.pk == winner.pk
    assert QuizAttempt.objects.count() == 1


def test_the_database_refuses_a_second_open_attempt(unit, enrolled):
    quiz = one_question_quiz(unit, true_false())
    attempt = start_attempt(quiz=quiz, student=enrolled)
    with pytest.raises(IntegrityError):
        QuizAttempt.objects.create(
            quiz=quiz, student=enrolled, number=2, started_at=attempt.started_at
        )


# --- autosave and submit ------------------------------------------------------------------
def test_autosave_is_idempotent_and_keeps_one_row(unit, enrolled):
    quiz = one_question_quiz(unit, fill_blank())
    attempt = start_attempt(quiz=quiz, student=enrolled)
    for _ in range(3):
        save_answer(attempt=attempt, student=enrolled, question_key="q1", response="stack")
    save_answer(attempt=attempt, student=enrolled, question_key="q1", response="queue")
    assert list(AttemptAnswer.objects.values_list("question_key", "response")) == [("q1", "queue")]


@pytest.mark.parametrize(
    ("question", "response"),
    [
        (single_choice, "o99"),
        (single_choice, ["o1"]),
        (multiple_choice, ["o1", "nope"]),
        (true_false, "maybe"),
        (fill_blank, {"x": 1}),
        (fill_blank, "x" * 5001),
    ],
)
def test_bad_responses_are_refused(unit, enrolled, question, response):
    quiz = one_question_quiz(unit, question())
    attempt = start_attempt(quiz=quiz, student=enrolled)
    with pytest.raises(QuizError):
        save_answer(attempt=attempt, student=enrolled, question_key="q1", response=response)
    with pytest.raises(QuizError):
        save_answer(attempt=attempt, student=enrolled, question_key="q9", response="x")
    assert not AttemptAnswer.objects.exists()


def test_saved_answers_are_graded_on_submit(unit, enrolled):
    quiz = one_question_quiz(unit, fill_blank())
    attempt = start_attempt(quiz=quiz, student=enrolled)
    save_answer(attempt=attempt, student=enrolled, question_key="q1", response="Stack")
    done = submit_attempt(attempt=attempt, student=enrolled)
    assert done.score == Decimal("1.00")


def test_second_submit_returns_the_same_attempt_unchanged(unit, enrolled):
    quiz = one_question_quiz(unit, true_false())
    attempt = start_attempt(quiz=quiz, student=enrolled)
    first = submit_attempt(attempt=attempt, student=enrolled, answers={"q1": True})
    replay = submit_attempt(
        attempt=QuizAttempt.objects.get(pk=attempt.pk), student=enrolled, answers={"q1": False}
    )
    assert (replay.pk, replay.submitted_at, replay.score) == (
        first.pk,
        first.submitted_at,
        Decimal("1.00"),
    )
    assert AttemptAnswer.objects.get().response is True
    with pytest.raises(QuizError, match="already been submitted"):
        save_answer(attempt=attempt, student=enrolled, question_key="q1", response=False)
    assert AttemptAnswer.objects.get().response is True


def test_another_student_cannot_touch_an_attempt(unit, course, enrolled):
    quiz = one_question_quiz(unit, true_false())
    attempt = start_attempt(quiz=quiz, student=enrolled)
    other = StudentFactory()
    grant_access(course=course, user=other, source="test")
    with pytest.raises(QuizError):
        save_answer(attempt=attempt, student=other, question_key="q1", response=True)
    with pytest.raises(QuizError):
        submit_attempt(attempt=attempt, student=other)
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and not attempt.answers.exists()


# --- time limits ----------------------------------------------------------------------------
def test_deadline_is_the_earlier_of_limit_and_close(unit, enrolled):
    now = timezone.now()
    quiz = one_question_quiz(
        unit, true_false(), time_limit_minutes=30, closes_at=now + timedelta(minutes=10)
    )
    attempt = start_attempt(quiz=quiz, student=enrolled, now=now)
    assert attempt.deadline == now + timedelta(minutes=10)
    quiz2 = one_question_quiz(unit, true_false(), time_limit_minutes=30)
    assert start_attempt(quiz=quiz2, student=enrolled, now=now).deadline == now + timedelta(
        minutes=30
    )
    quiz3 = one_question_quiz(unit, true_false())
    assert start_attempt(quiz=quiz3, student=enrolled, now=now).deadline is None


def test_answers_in_the_grace_period_count(unit, enrolled):
    now = timezone.now()
    quiz = one_question_quiz(unit, true_false(), time_limit_minutes=5)
    attempt = start_attempt(quiz=quiz, student=enrolled, now=now)
    within = attempt.deadline + GRACE
    save_answer(attempt=attempt, student=enrolled, question_key="q1", response=True, now=within)
    done = submit_attempt(attempt=attempt, student=enrolled, now=within)
    assert (done.score, done.auto_submitted) == (Decimal("1.00"), False)


def test_answer_after_deadline_and_grace_is_refused_and_attempt_closed_at_deadline(unit, enrolled):
    now = timezone.now()
    quiz = one_question_quiz(unit, true_false(), time_limit_minutes=5)
    attempt = start_attempt(quiz=quiz, student=enrolled, now=now)
    save_answer(attempt=attempt, student=enrolled, question_key="q1", response=False, now=now)
    late = attempt.deadline + GRACE + timedelta(seconds=1)
    with pytest.raises(QuizError, match="Time is up"):
        save_answer(attempt=attempt, student=enrolled, question_key="q1", response=True, now=late)
    attempt.refresh_from_db()
    assert attempt.submitted_at == attempt.deadline
    assert attempt.auto_submitted is True
    assert attempt.score == Decimal("0.00")
    assert AttemptAnswer.objects.get().response is False


def test_late_submit_ignores_late_answers(unit, enrolled):
    now = timezone.now()
    quiz = one_question_quiz(unit, true_false(), time_limit_minutes=5)
    attempt = start_attempt(quiz=quiz, student=enrolled, now=now)
    late = attempt.deadline + GRACE + timedelta(seconds=1)
    done = submit_attempt(attempt=attempt, student=enrolled, answers={"q1": True}, now=late)
    assert done.submitted_at == done.deadline and done.auto_submitted
    assert done.score == Decimal("0.00")
    assert AttemptAnswer.objects.get().response is None


def test_reading_an_expired_attempt_closes_it_lazily(unit, enrolled):
    now = timezone.now()
    quiz = one_question_quiz(unit, true_false(), time_limit_minutes=5, attempts_allowed=2)
    attempt = start_attempt(quiz=quiz, student=enrolled, now=now)
    later = now + timedelta(minutes=7)
    fresh = start_attempt(quiz=quiz, student=enrolled, now=later)
    attempt.refresh_from_db()
    assert attempt.submitted_at == attempt.deadline and attempt.auto_submitted
    assert fresh.number == 2 and fresh.pk != attempt.pk


def test_close_expired_attempts_and_the_command(unit, course, enrolled):
    now = timezone.now()
    quiz = one_question_quiz(unit, true_false(), time_limit_minutes=5)
    expired = start_attempt(quiz=quiz, student=enrolled, now=now - timedelta(minutes=10))
    save_answer(
        attempt=expired,
        student=enrolled,
        question_key="q1",
        response=True,
        now=now - timedelta(minutes=9),
    )
    other = StudentFactory()
    grant_access(course=course, user=other, source="test")
    running = start_attempt(quiz=quiz, student=other, now=now)

    assert close_expired_attempts(now=now) == 1
    assert close_expired_attempts(now=now) == 0
    expired.refresh_from_db()
    running.refresh_from_db()
    assert expired.submitted_at == expired.deadline
    assert (expired.auto_submitted, expired.score) == (True, Decimal("1.00"))
    assert running.submitted_at is None

    out = StringIO()
    call_command("close_expired_attempts", stdout=out)
    assert out.getvalue().strip() == "0 attempt(s) closed."


# --- grading methods and policy -------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "grade"),
    [
        (GradingMethod.HIGHEST, "2.00"),
        (GradingMethod.LAST, "1.00"),
        (GradingMethod.AVERAGE, "1.00"),  # (0 + 2 + 1) / 3
    ],
)
def test_grading_methods(unit, enrolled, method, grade):
    quiz = make_quiz(
        unit,
        questions=[true_false(answer=True), true_false(answer=False)],
        attempts_allowed=3,
        grading_method=method,
    )
    assert quiz_grade(quiz=quiz, student=enrolled) is None
    for answers in ({"q1": False, "q2": True}, {"q1": True, "q2": False}, {"q1": True}):
        attempt = start_attempt(quiz=quiz, student=enrolled)
        submit_attempt(attempt=attempt, student=enrolled, answers=answers)
    assert quiz_grade(quiz=quiz, student=enrolled) == Decimal(grade)


def test_average_rounds_to_cents(unit, enrolled):
    quiz = make_quiz(
        unit, questions=[true_false(answer=True)], attempts_allowed=3, grading_method="average"
    )
    for response in (True, False, False):
        attempt = start_attempt(quiz=quiz, student=enrolled)
        submit_attempt(attempt=attempt, student=enrolled, answers={"q1": response})
    assert quiz_grade(quiz=quiz, student=enrolled) == Decimal("0.33")


def test_answers_visible_by_policy(unit, enrolled):
    now = timezone.now()
    after_submit = one_question_quiz(unit, true_false())
    attempt = start_attempt(quiz=after_submit, student=enrolled, now=now)
    assert answers_visible(attempt=attempt, now=now) is False  # open attempt: never
    attempt = submit_attempt(attempt=attempt, student=enrolled, now=now)
    assert answers_visible(attempt=attempt, now=now) is True

    closes = now + timedelta(hours=1)
    after_close = one_question_quiz(
        unit, true_false(), show_answers=ShowAnswers.AFTER_CLOSE, closes_at=closes
    )
    attempt = submit_attempt(
        attempt=start_attempt(quiz=after_close, student=enrolled, now=now),
        student=enrolled,
        now=now,
    )
    assert answers_visible(attempt=attempt, now=now) is False
    assert answers_visible(attempt=attempt, now=closes) is True

    never = one_question_quiz(unit, true_false(), show_answers=ShowAnswers.NEVER)
    attempt = submit_attempt(
        attempt=start_attempt(quiz=never, student=enrolled, now=now), student=enrolled, now=now
    )
    assert answers_visible(attempt=attempt, now=now + timedelta(days=999)) is False


def test_review_hides_the_key_until_the_policy_allows(unit, enrolled):
    quiz = one_question_quiz(
        unit, fill_blank(answers=("zebra",), feedback="FB"), show_answers=ShowAnswers.NEVER
    )
    attempt = submit_attempt(
        attempt=start_attempt(quiz=quiz, student=enrolled), student=enrolled, answers={"q1": "x"}
    )
    hidden = review(attempt)
    assert hidden.visible is False
    assert "zebra" not in repr(hidden.questions) and "FB" not in repr(hidden.questions)
    assert "is_correct" not in hidden.questions[0] and "score" not in hidden.questions[0]

    quiz.show_answers = ShowAnswers.AFTER_SUBMIT
    quiz.save()
    shown = review(QuizAttempt.objects.get(pk=attempt.pk))
    assert shown.visible is True
    assert shown.questions[0]["correct"] == {"feedback": "FB", "accepted_answers": ["zebra"]}
    assert shown.questions[0]["is_correct"] is False
