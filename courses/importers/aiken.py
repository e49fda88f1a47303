"""A parser for the Aiken format: single-choice questions in plain text.

    Which structure is last in, first out?
    A. Queue
    B) Stack
    C. Heap
    ANSWER: B

The question text comes first (one or more lines), then options lettered A, B, C, ... in
order with "A." or "A)", then the "ANSWER: X" line. Blank lines between questions are
optional. Pure: no database; returns every error with its line number.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from courses.importers.base import ParseError, ParseResult
from courses.models import QuestionKind
from courses.services.questions import OptionDraft, QuestionDraft

_OPTION = re.compile(r"^([A-Z])[.)]\s*(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.IGNORECASE)


class _Question:
    def __init__(self, line: int, text: str):
        self.line = line
        self.text = [text]
        self.options: list[tuple[str, str]] = []  # (letter, text)
        self.failed = False


def parse_aiken(text: str) -> ParseResult:
    """Parse Aiken ``text`` into single-choice drafts; every problem names its line."""
    result = ParseResult()
    current: _Question | None = None

    def fail(line: int, message: str) -> None:
        result.errors.append(ParseError(line, message))
        if current is not None:
            current.failed = True

    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        answer = _ANSWER.match(line)
        option = _OPTION.match(line)
        if answer:
            if current is None:
                fail(number, _("“ANSWER:” without a question before it."))
                continue
            letters = [letter for letter, _text in current.options]
            given = answer.group(1).strip().upper()
            if not current.options:
                fail(number, _("The question has no options (“A.” or “A)”) before “ANSWER:”."))
            elif given not in letters:
                fail(
                    number,
                    _("“ANSWER: %(given)s” must name one of the options %(letters)s.")
                    % {"given": answer.group(1).strip(), "letters": ", ".join(letters)},
                )
            if not current.failed:
                result.questions.append(
                    QuestionDraft(
                        kind=QuestionKind.SINGLE,
                        text="\n".join(current.text),
                        options=[
                            OptionDraft(text=option_text, is_correct=letter == given)
                            for letter, option_text in current.options
                        ],
                        line=current.line,
                    )
                )
            current = None
        elif option and current is not None and (current.options or option.group(1) == "A"):
            letter, option_text = option.group(1), option.group(2).strip()
            expected = chr(ord("A") + len(current.options))
            if letter != expected:
                fail(
                    number,
                    _("Option “%(letter)s” is out of order: expected “%(expected)s”.")
                    % {"letter": letter, "expected": expected},
                )
            elif not option_text:
                fail(number, _("Option “%s” has no text.") % letter)
            current.options.append((letter, option_text))
        elif current is not None and current.options:
            fail(
                current.line,
                _("The question has no “ANSWER:” line after its options."),
            )
            current = _Question(number, line)
        elif current is not None:
            current.text.append(line)
        else:
            current = _Question(number, line)
    if current is not None:
        if current.options:
            fail(current.line, _("The question has no “ANSWER:” line after its options."))
        else:
            fail(current.line, _("The question has no options and no “ANSWER:” line."))
    return result
