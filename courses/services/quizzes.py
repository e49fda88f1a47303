"""The quiz engine: attempts, snapshots, autosave, grading, time limits and what students see.

An attempt carries a snapshot of exactly what was asked (questions, options in the order
shown, and the answer key), built once when the attempt starts. Grading reads only the
snapshot, so later edits to the bank never change a past grade.

The snapshot is a list of question dicts::

    {"key": "q1", "kind": "single", "text": "...", "points": "1.00",
     "options": [{"key": "o1", "text": "..."}, ...],          # public part
     "answer": {...}}                                          # the key: never for students

Student-facing code reads `public_questions` and `review`, never the snapshot itself.
Time limits are enforced here: an answer later than the deadline plus `GRACE` is refused and
an open attempt past that point is submitted at its deadline, lazily when it is next read and
by `close_expired_attempts` (run from cron).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import (
    AnswerGradeChange,
    AttemptAnswer,
    GradingMethod,
    Question,
    QuestionKind,
    QuestionSelection,
    QuizAttempt,
    QuizPage,
    ShowAnswers,
)
from courses.services.access import can_manage_course, can_view_course_content, course_of

GRACE = timedelta(seconds=60)
CENT = Decimal("0.01")
MAX_TEXT_ANSWER = 5000
CHOICE_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE}


class QuizError(Exception):
    """A refusal a user should read: the message is translated and says why."""

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


# --- normalisation -------------------------------------------------------------------------
_SPACES = re.compile(r"\s+")


def normalise_text(value: str) -> str:
    """Case-, width- and space-insensitive form of a typed answer.

    NFKC folds full-width letters, digits and the ideographic space (U+3000) to their
    ordinary forms; then case is folded and runs of whitespace become one space.
    """
    value = unicodedata.normalize("NFKC", str(value))
    return _SPACES.sub(" ", value).strip().casefold()


def parse_number(value) -> Decimal | None:
    """A typed number as a finite Decimal (full-width digits allowed), or None."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- snapshot ------------------------------------------------------------------------------
def _questions_for(quiz: QuizPage, rng: random.Random) -> list[Question]:
    if quiz.selection == QuestionSelection.RANDOM:
        if not quiz.random_tag_id or not quiz.random_count:
            return []
        course = course_of(quiz)
        pool = list(
            Question.objects.filter(tags__id=quiz.random_tag_id)
            .filter(Q(course=course) | Q(course__isnull=True))
            .distinct()
            .order_by("id")
            .prefetch_related("options")
        )
        return rng.sample(pool, min(quiz.random_count, len(pool)))
    links = quiz.quiz_questions.select_related("question").prefetch_related("question__options")
    return [link.question for link in links.order_by("sort_order", "id")]


def _snapshot_question(question: Question, key: str, *, shuffle_options: bool, rng) -> dict:
    options = list(question.options.all()) if question.kind in CHOICE_KINDS else []
    options.sort(key=lambda o: (o.sort_order if o.sort_order is not None else 0, o.id))
    if shuffle_options:
        rng.shuffle(options)
    # Option keys follow the order shown, so they reveal nothing about the bank.
    keyed = [(f"o{i}", option) for i, option in enumerate(options, start=1)]
    answer = {
        "question_id": question.id,
        "partial_credit": bool(question.partial_credit),
        "correct_options": [k for k, o in keyed if o.is_correct],
        "option_feedback": {k: o.feedback for k, o in keyed if o.feedback},
        "option_ids": {k: o.id for k, o in keyed},
        "correct_true": question.correct_true,
        "accepted_answers": [
            line.strip() for line in question.accepted_answers.splitlines() if line.strip()
        ],
        "numeric_answer": (
            str(question.numeric_answer) if question.numeric_answer is not None else None
        ),
        "tolerance": str(question.tolerance or 0),
        "model_answer": question.model_answer,
        "feedback": question.feedback,
    }
    return {
        "key": key,
        "kind": question.kind,
        "text": question.text,
        "points": str(_money(question.points)),
        "options": [{"key": k, "text": o.text} for k, o in keyed],
        "answer": answer,
    }


def build_snapshot(*, quiz: QuizPage, rng: random.Random | None = None) -> list[dict]:
    """What one attempt asks: the questions, ordered and shuffled once, with their key."""
    rng = rng or random.SystemRandom()
    questions = _questions_for(quiz, rng)
    if quiz.shuffle_questions:
        rng.shuffle(questions)
    return [
        _snapshot_question(q, f"q{i}", shuffle_options=quiz.shuffle_options, rng=rng)
        for i, q in enumerate(questions, start=1)
    ]


def _question(attempt: QuizAttempt, key: str) -> dict | None:
    for item in attempt.snapshot:
        if item["key"] == key:
            return item
    return None


# --- time ----------------------------------------------------------------------------------
def is_expired(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    """Open, with a deadline, and past the deadline plus the grace period."""
    now = _now(now)
    return (
        attempt.submitted_at is None
        and attempt.deadline is not None
        and now > attempt.deadline + GRACE
    )


def close_if_expired(attempt: QuizAttempt, *, now: datetime | None = None) -> QuizAttempt:
    """Lazy closing: an attempt read past its deadline plus grace is submitted at its deadline.

    Idempotent and safe under concurrency (the attempt row is locked). Returns the attempt,
    refreshed when it was closed.
    """
    if not is_expired(attempt, now):
        return attempt
    with transaction.atomic():
        locked = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
        if is_expired(locked, now):
            _grade_and_submit(locked, submitted_at=locked.deadline, auto=True)
    attempt.refresh_from_db()
    return attempt


def close_expired_attempts(*, now: datetime | None = None) -> int:
    """Submit, at their deadline, all open attempts past deadline plus grace.

    For cron (management command ``close_expired_attempts``). Each attempt is closed in its
    own transaction; running it twice closes nothing the second time. Returns how many closed.
    """
    now = _now(now)
    closed = 0
    ids = QuizAttempt.objects.open().filter(deadline__lt=now - GRACE).values_list("pk", flat=True)
    for pk in list(ids):
        with transaction.atomic():
            attempt = QuizAttempt.objects.select_for_update().get(pk=pk)
            if is_expired(attempt, now):
                _grade_and_submit(attempt, submitted_at=attempt.deadline, auto=True)
                closed += 1
    return closed


def close_expired_for(*, quiz: QuizPage, student, now: datetime | None = None) -> None:
    """Lazily close the student's expired attempt at this quiz, if any."""
    if not student.is_authenticated:
        return
    for attempt in QuizAttempt.objects.open().filter(quiz=quiz, student=student):
        close_if_expired(attempt, now=now)


# --- starting ------------------------------------------------------------------------------
def _check_viewer(quiz: QuizPage, student) -> None:
    course = course_of(quiz)
    if course is None or not can_view_course_content(student, course):
        raise QuizError(_("You are not enrolled in this course."), code="forbidden")


def attempts_used(*, quiz: QuizPage, student) -> int:
    return QuizAttempt.objects.filter(quiz=quiz, student=student).submitted().count()


def availability(*, quiz: QuizPage, now: datetime | None = None) -> str | None:
    """Why the quiz cannot be started now (a translated message), or None when it can."""
    now = _now(now)
    if quiz.opens_at and now < quiz.opens_at:
        return _("This quiz is not open yet.")
    if quiz.closes_at and now >= quiz.closes_at:
        return _("This quiz is closed.")
    return None


def start_attempt(*, quiz: QuizPage, student, now: datetime | None = None) -> QuizAttempt:
    """Start an attempt, or return the student's open one.

    Refuses (QuizError) when the student may not view the course, before the quiz opens,
    after it closes, and when every allowed attempt is used. Two tabs or a double click give
    one attempt: the partial unique constraint ``one_open_attempt_per_student`` decides, and
    the loser of the race returns the winner's attempt. The snapshot is built here, once.
    """
    now = _now(now)
    _check_viewer(quiz, student)
    close_expired_for(quiz=quiz, student=student, now=now)
    existing = QuizAttempt.objects.open().filter(quiz=quiz, student=student).first()
    if existing:
        return existing
    reason = availability(quiz=quiz, now=now)
    if reason:
        raise QuizError(reason, code="unavailable")
    used = attempts_used(quiz=quiz, student=student)
    if used >= quiz.attempts_allowed:
        raise QuizError(_("You have used all your attempts at this quiz."), code="no_attempts")
    snapshot = build_snapshot(quiz=quiz)
    if not snapshot:
        raise QuizError(_("This quiz has no questions yet."), code="empty")
    deadline = quiz.closes_at
    if quiz.time_limit_minutes:
        limit = now + timedelta(minutes=quiz.time_limit_minutes)
        deadline = min(limit, deadline) if deadline else limit
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(
                quiz=quiz,
                student=student,
                number=used + 1,
                revision_id=quiz.latest_revision_id,
                snapshot=snapshot,
                started_at=now,
                deadline=deadline,
                max_score=_money(sum((Decimal(q["points"]) for q in snapshot), Decimal(0))),
            )
    except IntegrityError:
        existing = QuizAttempt.objects.open().filter(quiz=quiz, student=student).first()
        if existing:
            return existing
        raise QuizError(_("Please try again."), code="conflict") from None


# --- answers -------------------------------------------------------------------------------
def clean_response(question: dict, response):
    """The response in its stored shape for this question's kind, or QuizError.

    single: an option key or None; multiple: a sorted list of option keys; true_false:
    True, False or None; numeric: the number as typed (must parse); fill_blank and
    short_answer: text.
    """
    kind = question["kind"]
    option_keys = {o["key"] for o in question.get("options", [])}
    invalid = QuizError(_("That answer is not valid for this question."))
    if kind == QuestionKind.SINGLE:
        if response in (None, ""):
            return None
        if not isinstance(response, str) or response not in option_keys:
            raise invalid
        return response
    if kind == QuestionKind.MULTIPLE:
        if response in (None, ""):
            return []
        if isinstance(response, str):
            response = [response]
        if not isinstance(response, list) or not all(
            isinstance(k, str) and k in option_keys for k in response
        ):
            raise invalid
        return sorted(set(response), key=lambda k: int(k[1:]))
    if kind == QuestionKind.TRUE_FALSE:
        if response in (None, ""):
            return None
        if isinstance(response, bool):
            return response
        if response in ("true", "false"):
            return response == "true"
        raise invalid
    # Text kinds.
    if response is None:
        return ""
    if not isinstance(response, str | int | float) or isinstance(response, bool):
        raise invalid
    text = str(response)
    if len(text) > MAX_TEXT_ANSWER:
        raise QuizError(_("That answer is too long."))
    if kind == QuestionKind.NUMERIC and text.strip() and parse_number(text) is None:
        raise QuizError(_("Enter a number, for example 3.14."))
    return text


def _owned_open(attempt: QuizAttempt, student, now: datetime) -> QuizAttempt:
    if attempt.student_id != student.pk:
        raise QuizError(_("This attempt is not yours."), code="forbidden")
    attempt = close_if_expired(attempt, now=now)
    if attempt.submitted_at is not None:
        if attempt.auto_submitted:
            raise QuizError(
                _("Time is up: the attempt was submitted at its deadline."), code="closed"
            )
        raise QuizError(_("This attempt has already been submitted."), code="closed")
    return attempt


def save_answer(
    *, attempt: QuizAttempt, student, question_key: str, response, now: datetime | None = None
) -> AttemptAnswer:
    """Autosave one answer. Idempotent: saving the same response again changes nothing else.

    Refused (QuizError, nothing saved) when the attempt is not the student's, is submitted,
    or is past its deadline plus grace (it is then submitted at its deadline), or when the
    response does not fit the question. One row per (attempt, question) by constraint.
    """
    now = _now(now)
    attempt = _owned_open(attempt, student, now)
    question = _question(attempt, question_key)
    if question is None:
        raise QuizError(_("There is no such question in this attempt."))
    cleaned = clean_response(question, response)
    with transaction.atomic():
        locked = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.submitted_at is not None:
            raise QuizError(_("This attempt has already been submitted."), code="closed")
        answer, _created = AttemptAnswer.objects.update_or_create(
            attempt=locked,
            question_key=question_key,
            defaults={"response": cleaned, "saved_at": now},
        )
    return answer


# --- grading -------------------------------------------------------------------------------
def grade_response(question: dict, response) -> tuple[Decimal | None, bool | None]:
    """(score, is_correct) for one response; (None, None) when a teacher must grade it."""
    kind = question["kind"]
    key = question["answer"]
    points = Decimal(question["points"])
    if kind == QuestionKind.SHORT_ANSWER:
        if response is None or not str(response).strip():
            return Decimal("0.00"), False
        return None, None
    if kind == QuestionKind.SINGLE:
        right = response is not None and response in key["correct_options"]
    elif kind == QuestionKind.MULTIPLE:
        chosen = set(response or [])
        correct = set(key["correct_options"])
        right = chosen == correct
        if key["partial_credit"] and correct and not right:
            hits = len(chosen & correct)
            misses = len(chosen - correct)
            fraction = max(Decimal(0), Decimal(hits - misses) / Decimal(len(correct)))
            return _money(fraction * points), False
    elif kind == QuestionKind.TRUE_FALSE:
        right = response is not None and response == key["correct_true"]
    elif kind == QuestionKind.FILL_BLANK:
        given = normalise_text(response or "")
        right = bool(given) and given in {normalise_text(a) for a in key["accepted_answers"]}
    elif kind == QuestionKind.NUMERIC:
        value = parse_number(response)
        target = parse_number(key["numeric_answer"])
        tolerance = parse_number(key["tolerance"]) or Decimal(0)
        right = value is not None and target is not None and abs(value - target) <= tolerance
    else:  # an unknown kind never earns points
        right = False
    return (_money(points) if right else Decimal("0.00")), right


def _total(attempt: QuizAttempt) -> tuple[Decimal, bool]:
    scores = list(attempt.answers.values_list("score", flat=True))
    graded = [s for s in scores if s is not None]
    return _money(sum(graded, Decimal(0))), len(graded) < len(scores)


def _grade_and_submit(attempt: QuizAttempt, *, submitted_at: datetime, auto: bool) -> None:
    """Grade every question of a locked, open attempt and submit it. Caller holds the lock."""
    saved = {a.question_key: a for a in attempt.answers.all()}
    for question in attempt.snapshot:
        answer = saved.get(question["key"])
        if answer is None:
            answer = AttemptAnswer(
                attempt=attempt,
                question_key=question["key"],
                response=clean_response(question, None),
                saved_at=submitted_at,
            )
        answer.score, answer.is_correct = grade_response(question, answer.response)
        answer.save()
    attempt.score, attempt.needs_grading = _total(attempt)
    attempt.submitted_at = submitted_at
    attempt.auto_submitted = auto
    attempt.save(
        update_fields=["score", "needs_grading", "submitted_at", "auto_submitted"],
    )


def submit_attempt(
    *,
    attempt: QuizAttempt,
    student,
    now: datetime | None = None,
    answers: dict | None = None,
) -> QuizAttempt:
    """Submit and grade an attempt, saving ``answers`` ({question_key: response}) first.

    Idempotent: submitting a submitted attempt (double click, replayed request, second tab)
    returns it unchanged. Past the deadline plus grace the given answers are ignored and the
    attempt is submitted at its deadline with what was saved in time. Invalid answers refuse
    the whole submission (QuizError) and change nothing. One transaction, attempt row locked.
    """
    now = _now(now)
    if attempt.student_id != student.pk:
        raise QuizError(_("This attempt is not yours."), code="forbidden")
    attempt = close_if_expired(attempt, now=now)
    if attempt.submitted_at is not None:
        return attempt
    cleaned = {}
    for key, response in (answers or {}).items():
        question = _question(attempt, key)
        if question is None:
            raise QuizError(_("There is no such question in this attempt."))
        cleaned[key] = clean_response(question, response)
    with transaction.atomic():
        locked = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.submitted_at is not None:
            return locked
        for key, response in cleaned.items():
            AttemptAnswer.objects.update_or_create(
                attempt=locked, question_key=key, defaults={"response": response, "saved_at": now}
            )
        _grade_and_submit(locked, submitted_at=now, auto=False)
    return locked


def grade_short_answer(
    *, answer: AttemptAnswer, teacher, score, comment: str = "", now: datetime | None = None
) -> AttemptAnswer:
    """A teacher's grade for a short answer; the attempt's score and status follow.

    Only the course's teachers (``can_manage_course``). The score must lie within
    [0, points]. Grading again replaces the grade; every grade given is appended to the
    answer's AnswerGradeChange history (who, when, old and new score). One transaction
    with the attempt row locked, so two teachers grading at once add up right.
    """
    now = _now(now)
    attempt = answer.attempt
    course = course_of(attempt.quiz)
    if course is None or not can_manage_course(teacher, course):
        raise QuizError(_("Only the course's teachers may grade this quiz."), code="forbidden")
    question = _question(attempt, answer.question_key)
    if attempt.submitted_at is None:
        raise QuizError(_("This attempt has not been submitted yet."))
    if question is None or question["kind"] != QuestionKind.SHORT_ANSWER:
        raise QuizError(_("Only short answers are graded by hand."))
    value = parse_number(score)
    points = Decimal(question["points"])
    if value is None or value < 0 or value > points:
        raise QuizError(_("Give a score between 0 and %(points)s.") % {"points": points})
    if value != _money(value):
        raise QuizError(_("Use at most two decimal places."))
    with transaction.atomic():
        locked = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
        row = AttemptAnswer.objects.get(pk=answer.pk)
        AnswerGradeChange.objects.create(
            answer=row,
            changed_by=teacher,
            changed_at=now,
            old_score=row.score,
            new_score=_money(value),
            comment=comment.strip(),
        )
        row.score = _money(value)
        row.is_correct = row.score == points
        row.teacher_comment = comment.strip()
        row.graded_by = teacher
        row.graded_at = now
        row.save()
        locked.score, locked.needs_grading = _total(locked)
        locked.save(update_fields=["score", "needs_grading"])
    answer.refresh_from_db()
    return answer


def quiz_grade(*, quiz: QuizPage, student) -> Decimal | None:
    """The student's grade at the quiz by its grading method, or None before any submission.

    Attempts still awaiting a teacher count with the points graded so far.
    """
    scores = [
        a.score if a.score is not None else Decimal(0)
        for a in QuizAttempt.objects.filter(quiz=quiz, student=student)
        .submitted()
        .order_by("number")
    ]
    if not scores:
        return None
    if quiz.grading_method == GradingMethod.LAST:
        return _money(scores[-1])
    if quiz.grading_method == GradingMethod.AVERAGE:
        return _money(sum(scores, Decimal(0)) / len(scores))
    return _money(max(scores))


# --- what a student sees -------------------------------------------------------------------
def answers_visible(*, attempt: QuizAttempt, now: datetime | None = None) -> bool:
    """May the student see correct answers, right/wrong and feedback for this attempt?"""
    if attempt.submitted_at is None:
        return False
    policy = attempt.quiz.show_answers
    if policy == ShowAnswers.AFTER_SUBMIT:
        return True
    if policy == ShowAnswers.AFTER_CLOSE:
        closes_at = attempt.quiz.closes_at
        return closes_at is not None and _now(now) >= closes_at
    return False


def public_questions(attempt: QuizAttempt) -> list[dict]:
    """The questions as shown, with the student's saved response; no answer key at all."""
    saved = dict(attempt.answers.values_list("question_key", "response"))
    return [
        {
            "key": q["key"],
            "kind": q["kind"],
            "text": q["text"],
            "points": q["points"],
            "options": [{"key": o["key"], "text": o["text"]} for o in q.get("options", [])],
            "response": saved.get(q["key"]),
        }
        for q in attempt.snapshot
    ]


def _shown_correct(question: dict) -> dict:
    key = question["answer"]
    kind = question["kind"]
    shown: dict = {"feedback": key.get("feedback", "")}
    if kind in CHOICE_KINDS:
        shown["correct_options"] = list(key["correct_options"])
        shown["option_feedback"] = dict(key.get("option_feedback", {}))
    elif kind == QuestionKind.TRUE_FALSE:
        shown["correct_true"] = key["correct_true"]
    elif kind == QuestionKind.FILL_BLANK:
        shown["accepted_answers"] = list(key["accepted_answers"])
    elif kind == QuestionKind.NUMERIC:
        shown["numeric_answer"] = key["numeric_answer"]
        shown["tolerance"] = key["tolerance"]
    elif kind == QuestionKind.SHORT_ANSWER:
        shown["model_answer"] = key.get("model_answer", "")
    return shown


@dataclass
class Review:
    attempt: QuizAttempt
    visible: bool
    questions: list[dict]


def review(attempt: QuizAttempt, *, now: datetime | None = None) -> Review:
    """What a student may see of an attempt: responses always; the attempt's total once
    submitted; per-question score, right/wrong, correct answers, feedback and the teacher's
    comment only when ``answers_visible``."""
    visible = answers_visible(attempt=attempt, now=now)
    rows = {a.question_key: a for a in attempt.answers.all()}
    questions = []
    for q, public in zip(attempt.snapshot, public_questions(attempt), strict=True):
        item = dict(public)
        row = rows.get(q["key"])
        if visible:
            item["score"] = row.score if row else None
            item["is_correct"] = row.is_correct if row else None
            item["awaiting_teacher"] = row is not None and row.score is None
            item["teacher_comment"] = row.teacher_comment if row else ""
            item["correct"] = _shown_correct(q)
        questions.append(item)
    return Review(attempt=attempt, visible=visible, questions=questions)


@dataclass
class QuizOverview:
    quiz: QuizPage
    attempts: list[QuizAttempt]
    open_attempt: QuizAttempt | None
    attempts_left: int
    unavailable: str | None
    grade: Decimal | None
    can_manage: bool


def quiz_overview(*, quiz: QuizPage, user, now: datetime | None = None) -> QuizOverview:
    """Everything the quiz page shows a user: past attempts, what is left, why not.

    Closes the user's expired attempt first (lazy closing), so the page is never stale.
    """
    now = _now(now)
    course = course_of(quiz)
    can_manage = course is not None and can_manage_course(user, course)
    if not user.is_authenticated:
        return QuizOverview(quiz, [], None, 0, None, None, can_manage)
    close_expired_for(quiz=quiz, student=user, now=now)
    attempts = list(QuizAttempt.objects.filter(quiz=quiz, student=user).order_by("number"))
    open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    used = sum(1 for a in attempts if a.submitted_at is not None)
    left = max(0, quiz.attempts_allowed - used)
    unavailable = None
    if open_attempt is None:
        unavailable = availability(quiz=quiz, now=now)
        if unavailable is None and left == 0:
            unavailable = _("You have used all your attempts at this quiz.")
    return QuizOverview(
        quiz=quiz,
        attempts=[a for a in attempts if a.submitted_at is not None],
        open_attempt=open_attempt,
        attempts_left=left,
        unavailable=unavailable,
        grade=quiz_grade(quiz=quiz, student=user) if used else None,
        can_manage=can_manage,
    )


def answers_to_grade(*, quiz: QuizPage):
    """Short answers of submitted attempts that still await a teacher, oldest first."""
    return (
        AttemptAnswer.objects.filter(
            attempt__quiz=quiz, attempt__submitted_at__isnull=False, score__isnull=True
        )
        .select_related("attempt", "attempt__student")
        .order_by("attempt__submitted_at", "id")
    )


def grading_item(answer: AttemptAnswer) -> dict:
    """The question, model answer and response a teacher needs to grade one answer."""
    question = _question(answer.attempt, answer.question_key) or {}
    return {
        "answer": answer,
        "text": question.get("text", ""),
        "points": question.get("points", "0"),
        "model_answer": question.get("answer", {}).get("model_answer", ""),
        "response": answer.response or "",
    }
