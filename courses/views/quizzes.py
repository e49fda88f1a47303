"""Student quiz screens and the teacher's grading screen. Thin: the engine is in services.

The quiz overview itself is the QuizPage (served by Wagtail, context from
``services.quizzes.quiz_overview``); these views start, show, autosave, submit and review
attempts. No view here ever puts the attempt's answer key into a response: they read
``public_questions`` and ``review`` only.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from courses.models import AttemptAnswer, QuestionKind, QuizAttempt, QuizPage, ShowAnswers
from courses.services import access, quizzes
from courses.services.quizzes import QuizError


def _not_enrolled(request, course):
    return render(request, "courses/not_enrolled.html", {"course": course}, status=403)


def _live_quiz(quiz_id: int) -> QuizPage:
    return get_object_or_404(QuizPage.objects.live().specific(), pk=quiz_id)


def _student_attempt(request, attempt_id: int):
    """The request user's own attempt and its course; others' attempts do not exist."""
    attempt = get_object_or_404(
        QuizAttempt.objects.select_related("quiz"), pk=attempt_id, student=request.user
    )
    course = access.course_of(attempt.quiz)
    return attempt, course


def _result_url(attempt) -> str:
    return reverse("courses:quiz_result", args=[attempt.pk])


def _attempt_url(attempt) -> str:
    return reverse("courses:quiz_attempt", args=[attempt.pk])


@login_required
@require_GET
def quiz_detail(request, quiz_id: int):
    """A stable address for a quiz: sends the visitor to the quiz page."""
    return HttpResponseRedirect(_live_quiz(quiz_id).url)


@login_required
@require_POST
def quiz_start(request, quiz_id: int):
    quiz = _live_quiz(quiz_id)
    course = access.course_of(quiz)
    if course is None or not access.can_view_course_content(request.user, course):
        return _not_enrolled(request, course)
    try:
        attempt = quizzes.start_attempt(quiz=quiz, student=request.user)
    except QuizError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(quiz.url)
    return HttpResponseRedirect(_attempt_url(attempt))


@login_required
@require_GET
def quiz_attempt(request, attempt_id: int):
    attempt, course = _student_attempt(request, attempt_id)
    if not access.can_view_course_content(request.user, course):
        return _not_enrolled(request, course)
    attempt = quizzes.close_if_expired(attempt)
    if attempt.submitted_at is not None:
        return redirect(_result_url(attempt))
    now = timezone.now()
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "questions": quizzes.public_questions(attempt),
        "seconds_left": (
            max(0, int((attempt.deadline - now).total_seconds())) if attempt.deadline else None
        ),
        "kinds": QuestionKind,
    }
    return render(request, "courses/quiz_attempt.html", context)


@login_required
@require_POST
def quiz_autosave(request, attempt_id: int):
    """JSON: {"question": "q1", "response": ...} -> {"saved": true} or {"error": "..."}."""
    attempt, course = _student_attempt(request, attempt_id)
    if not access.can_view_course_content(request.user, course):
        return JsonResponse({"error": _("You are not enrolled in this course.")}, status=403)
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("question"), str):
        return JsonResponse({"error": _("The answer could not be read.")}, status=400)
    try:
        answer = quizzes.save_answer(
            attempt=attempt,
            student=request.user,
            question_key=payload["question"],
            response=payload.get("response"),
        )
    except QuizError as error:
        if error.code == "closed":
            return JsonResponse(
                {"error": error.message, "redirect": _result_url(attempt)}, status=409
            )
        return JsonResponse({"error": error.message}, status=400)
    return JsonResponse({"saved": True, "saved_at": answer.saved_at.isoformat()})


def _form_answers(request, attempt) -> dict:
    """Responses from the submit form, one per question of the snapshot."""
    answers = {}
    for question in attempt.snapshot:
        key = question["key"]
        if question["kind"] == QuestionKind.MULTIPLE:
            answers[key] = request.POST.getlist(key)
        else:
            answers[key] = request.POST.get(key)
    return answers


@login_required
@require_POST
def quiz_submit(request, attempt_id: int):
    attempt, course = _student_attempt(request, attempt_id)
    if not access.can_view_course_content(request.user, course):
        return _not_enrolled(request, course)
    # Only a form that carries the answers replaces them; a bare replay keeps what was saved.
    answers = _form_answers(request, attempt) if request.POST.get("with_answers") else None
    try:
        attempt = quizzes.submit_attempt(attempt=attempt, student=request.user, answers=answers)
    except QuizError as error:
        messages.error(request, error.message)
        return redirect(_attempt_url(attempt))
    if attempt.auto_submitted:
        messages.warning(
            request, _("Time was up: your answers saved before the deadline were graded.")
        )
    return redirect(_result_url(attempt))


@login_required
@require_GET
def quiz_result(request, attempt_id: int):
    attempt, course = _student_attempt(request, attempt_id)
    if not access.can_view_course_content(request.user, course):
        return _not_enrolled(request, course)
    attempt = quizzes.close_if_expired(attempt)
    if attempt.submitted_at is None:
        return redirect(_attempt_url(attempt))
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "review": quizzes.review(attempt),
        "kinds": QuestionKind,
        "policies": ShowAnswers,
    }
    return render(request, "courses/quiz_result.html", context)


@login_required
@require_GET
def quiz_grading(request, quiz_id: int):
    """Short answers awaiting a grade, for the course's teachers only."""
    quiz = get_object_or_404(QuizPage.objects.specific(), pk=quiz_id)
    course = access.course_of(quiz)
    if course is None or not access.can_manage_course(request.user, course):
        return render(request, "courses/quiz_forbidden.html", status=403)
    items = [quizzes.grading_item(a) for a in quizzes.answers_to_grade(quiz=quiz)]
    return render(request, "courses/quiz_grading.html", {"quiz": quiz, "items": items})


@login_required
@require_POST
def quiz_grade_answer(request, answer_id: int):
    answer = get_object_or_404(AttemptAnswer.objects.select_related("attempt__quiz"), pk=answer_id)
    quiz = answer.attempt.quiz
    course = access.course_of(quiz)
    if course is None or not access.can_manage_course(request.user, course):
        return render(request, "courses/quiz_forbidden.html", status=403)
    try:
        quizzes.grade_short_answer(
            answer=answer,
            teacher=request.user,
            score=request.POST.get("score", ""),
            comment=request.POST.get("comment", "")[:5000],
        )
    except QuizError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Grade saved."))
    return redirect("courses:quiz_grading", quiz_id=quiz.pk)
