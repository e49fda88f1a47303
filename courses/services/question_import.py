"""Importing questions into a course's bank from GIFT or Aiken text."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.importers.aiken import parse_aiken
from courses.importers.base import ParseError
from courses.importers.gift import parse_gift
from courses.models import CoursePage, Question, QuestionOption
from courses.services.questions import QuestionDraft, courses_taught_by, question_problems

FORMATS = {
    "gift": (gettext_lazy("GIFT (Moodle)"), parse_gift),
    "aiken": (gettext_lazy("Aiken"), parse_aiken),
}
MAX_TEXT_LENGTH = 1_000_000
MAX_QUESTIONS = 500
MAX_TAGS = 10


@dataclass
class ImportResult:
    """What an import found: the drafts, every error with its line, and what was saved.

    ``saved`` is empty unless the import ran without ``dry_run`` and found no error.
    """

    questions: list[QuestionDraft] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    saved: list[Question] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def clean_tags(tags) -> list[str]:
    """Tag names without blanks or duplicates, in the order given."""
    seen: dict[str, None] = {}
    for tag in tags:
        name = str(tag).strip()
        if name and name.lower() not in {key.lower() for key in seen}:
            seen[name] = None
    return list(seen)


def parse_questions(*, text: str, format: str) -> ImportResult:
    """Parse and check ``text`` with the bank's rules; saves nothing. Pure."""
    if format not in FORMATS:
        return ImportResult(errors=[ParseError(0, _("Unknown format “%s”.") % format)])
    if len(text) > MAX_TEXT_LENGTH:
        return ImportResult(errors=[ParseError(0, _("The file is too large (at most 1 MB)."))])
    parsed = FORMATS[format][1](text)
    result = ImportResult(questions=parsed.questions, errors=list(parsed.errors))
    for draft in parsed.questions:
        for problem in question_problems(draft):
            result.errors.append(ParseError(draft.line, problem.message))
    if not parsed.questions and not parsed.errors:
        result.errors.append(ParseError(0, _("The file contains no question.")))
    if len(parsed.questions) > MAX_QUESTIONS:
        result.errors.append(
            ParseError(0, _("At most %d questions can be imported at once.") % MAX_QUESTIONS)
        )
    result.errors.sort(key=lambda error: error.line)
    return result


def import_questions(
    *,
    course: CoursePage,
    text: str,
    format: str,
    tags=(),
    user,
    dry_run: bool = False,
) -> ImportResult:
    """Parse ``text`` (GIFT or Aiken) and add every question to ``course``'s bank.

    All or nothing: if any question has an error, nothing is saved and every error is
    returned with its line number. With ``dry_run`` nothing is saved either way (the
    preview). Saving runs in one transaction. Only users who manage the course (its
    teachers, superusers) may call it; anyone else gets ``PermissionDenied``.
    Not idempotent: importing the same file twice adds the questions twice.
    """
    # A database check: a CoursePage whose teachers were set in memory (modelcluster)
    # cannot answer ``teachers.filter(pk=...)``.
    if not courses_taught_by(user).filter(pk=course.pk).exists():
        raise PermissionDenied(_("Only the course's teachers may import questions into it."))
    result = parse_questions(text=text, format=format)
    tag_names = clean_tags(tags)
    if len(tag_names) > MAX_TAGS:
        result.errors.append(ParseError(0, _("At most %d tags.") % MAX_TAGS))
    if not result.ok or dry_run:
        return result
    try:
        with transaction.atomic():
            for draft in result.questions:
                result.saved.append(_save_draft(draft, course=course, tags=tag_names))
    except ValidationError as error:
        # The rules above should have caught it; still, report rather than crash.
        result.saved = []
        result.errors.append(ParseError(draft.line, "; ".join(error.messages)))
    return result


def _save_draft(draft: QuestionDraft, *, course: CoursePage, tags: list[str]) -> Question:
    question = Question(
        course=course,
        title=draft.title[:255],
        kind=draft.kind,
        text=draft.text,
        points=draft.points,
        partial_credit=draft.partial_credit,
        correct_true=draft.correct_true,
        accepted_answers="\n".join(draft.accepted_answers),
        numeric_answer=draft.numeric_answer,
        tolerance=draft.tolerance,
        model_answer=draft.model_answer,
        feedback=draft.feedback,
    )
    question.full_clean()
    question.save()
    for order, option in enumerate(draft.options):
        QuestionOption.objects.create(
            question=question,
            text=option.text,
            is_correct=option.is_correct,
            feedback=option.feedback[:500],
            sort_order=order,
        )
    if tags:
        question.tags.add(*tags)
        question.save()
    return question
