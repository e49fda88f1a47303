"""The question bank: the rules a question must satisfy, and who may see or edit which.

The rules are written once, over a plain ``QuestionDraft``, so that the admin form, the
GIFT and Aiken importers and any future caller refuse exactly the same questions with the
same (translated) messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from courses.models import CoursePage, Question, QuestionKind
from lms.accounts.models import Role


@dataclass(frozen=True)
class OptionDraft:
    text: str
    is_correct: bool
    feedback: str = ""


@dataclass
class QuestionDraft:
    """A question before it is saved: what an importer parsed or a form holds.

    ``line`` is the line of the source file where the question starts (0 when unknown).
    """

    kind: str
    text: str
    title: str = ""
    options: list[OptionDraft] = field(default_factory=list)
    partial_credit: bool = False
    correct_true: bool | None = None
    accepted_answers: list[str] = field(default_factory=list)
    numeric_answer: Decimal | None = None
    tolerance: Decimal = Decimal(0)
    model_answer: str = ""
    feedback: str = ""
    points: Decimal = Decimal(1)
    line: int = 0

    @property
    def correct_count(self) -> int:
        return sum(1 for option in self.options if option.is_correct)


@dataclass(frozen=True)
class Problem:
    """One broken rule: the form field it concerns (or "" for the whole question)."""

    field: str
    message: str


def question_problems(draft: QuestionDraft) -> list[Problem]:
    """Every rule ``draft`` breaks, as translated messages; an empty list means valid.

    Pure: reads only the draft. Rules per kind:
    single choice: at least 2 options, exactly 1 correct; multiple choice: at least 2
    options, at least 1 correct; true/false: the answer is set; fill in the blank: at least
    one accepted answer; numeric: a numeric answer. Options are ignored for other kinds.
    """
    problems: list[Problem] = []
    if not draft.text.strip():
        problems.append(Problem("text", _("The question has no text.")))
    if draft.kind not in QuestionKind.values:
        problems.append(Problem("kind", _("Unknown question type “%s”.") % draft.kind))
        return problems
    if len(draft.title) > 255:
        problems.append(Problem("title", _("The title is longer than 255 characters.")))
    if draft.points < 0:
        problems.append(Problem("points", _("Points cannot be negative.")))
    kind = QuestionKind(draft.kind)
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        options = [option for option in draft.options if option.text.strip()]
        if len(options) < 2:
            problems.append(Problem("options", _("A choice question needs at least two options.")))
        if any(len(option.text) > 500 for option in options):
            problems.append(Problem("options", _("An option is longer than 500 characters.")))
        correct = sum(1 for option in options if option.is_correct)
        if kind == QuestionKind.SINGLE and correct != 1:
            problems.append(
                Problem(
                    "options",
                    _("A single-choice question needs exactly one correct option (it has %d).")
                    % correct,
                )
            )
        if kind == QuestionKind.MULTIPLE and correct < 1:
            problems.append(
                Problem(
                    "options", _("A multiple-choice question needs at least one correct option.")
                )
            )
    elif kind == QuestionKind.TRUE_FALSE:
        if draft.correct_true is None:
            problems.append(
                Problem(
                    "correct_true",
                    _("A true-or-false question needs its answer: true or false."),
                )
            )
    elif kind == QuestionKind.FILL_BLANK:
        if not [answer for answer in draft.accepted_answers if answer.strip()]:
            problems.append(
                Problem(
                    "accepted_answers",
                    _("A fill-in-the-blank question needs at least one accepted answer."),
                )
            )
    elif kind == QuestionKind.NUMERIC:
        if draft.numeric_answer is None:
            problems.append(
                Problem("numeric_answer", _("A numeric question needs its numeric answer."))
            )
        elif not _fits(draft.numeric_answer):
            problems.append(Problem("numeric_answer", _(NUMBER_TOO_PRECISE)))
        if draft.tolerance is not None and draft.tolerance < 0:
            problems.append(Problem("tolerance", _("The tolerance cannot be negative.")))
        elif draft.tolerance is not None and not _fits(draft.tolerance):
            problems.append(Problem("tolerance", _(NUMBER_TOO_PRECISE)))
    return problems


NUMBER_TOO_PRECISE = gettext_noop("Use at most 12 digits before the decimal point and 6 after it.")


def _fits(value: Decimal) -> bool:
    """Does ``value`` fit the answer fields (18 digits, 6 of them decimals)?"""
    _sign, digits, exponent = Decimal(value).normalize().as_tuple()
    decimals = max(0, -exponent)
    whole = max(0, len(digits) + exponent)
    return decimals <= 6 and whole <= 12


def split_accepted_answers(text: str) -> list[str]:
    """The accepted answers stored one per line in ``Question.accepted_answers``."""
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- Who may see and edit which questions --------------------------------------------------
def courses_taught_by(user) -> QuerySet[CoursePage]:
    """Courses ``user`` may manage: all for a superuser, else those they teach."""
    if not user.is_authenticated:
        return CoursePage.objects.none()
    if user.is_superuser:
        return CoursePage.objects.all()
    return CoursePage.objects.filter(teachers=user)


def can_view_all_questions(user) -> bool:
    """Superusers and reviewers read the whole bank (reviewers never edit)."""
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.REVIEWER))


def questions_visible_to(user) -> QuerySet[Question]:
    """The questions ``user`` may list: the whole bank for superusers and reviewers,
    otherwise the questions of courses they teach."""
    if can_view_all_questions(user):
        return Question.objects.all()
    return Question.objects.filter(course__in=courses_taught_by(user).values("pk"))


def can_edit_question(user, question: Question) -> bool:
    """Superusers edit any question; a teacher edits the questions of courses they teach.

    A question without a course belongs to no teacher, so only a superuser edits it.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if question.course_id is None:
        return False
    return courses_taught_by(user).filter(pk=question.course_id).exists()
