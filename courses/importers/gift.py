"""A parser for Moodle's GIFT format (the common subset a teacher writes by hand).

Supported: ``//`` comment lines, ``$CATEGORY:`` lines (ignored), an optional ``::title::``,
``[markdown]``/``[html]``/``[plain]``/``[moodle]`` format prefixes (stripped), questions
separated by blank lines, and these answer blocks:

- ``{=right ~wrong ~wrong}``: single choice (exactly one ``=``); several ``=`` give multiple
  choice, all or nothing; ``~%50%a ~%50%b ~%-100%c`` weights give multiple choice with
  partial credit, options with a positive weight being the correct ones;
- ``{T}`` ``{F}`` ``{TRUE}`` ``{FALSE}``: true or false;
- ``{=a =b}`` (only ``=``): fill in the blank, each one an accepted answer;
- ``{#3.14:0.01}`` ``{#10}`` ``{#=10:0.5}``: numeric with an optional tolerance;
- ``{}``: essay, which becomes a short answer graded by the teacher.

``#feedback`` after an answer is that answer's feedback; ``####text`` is general feedback.
``\\:`` ``\\~`` ``\\=`` ``\\#`` ``\\{`` ``\\}`` ``\\\\`` are literal characters and ``\\n``
a new line. Matching (``->``) and numeric ranges (``..``) are refused with a clear error.
Text after the answer block (a "missing word" question) is kept, with ``_____`` marking
where the answer goes.

Pure: no database, no settings; returns every error with its line number.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from courses.importers.base import ParseError, ParseResult
from courses.models import QuestionKind
from courses.services.questions import OptionDraft, QuestionDraft

# Escaped characters become two private-use characters, so that offsets (and hence line
# numbers) stay those of the original text while the special characters disappear.
_MARK = "\ue000"
_ESCAPES = {char: chr(0xE001 + i) for i, char in enumerate(":~=#{}\\")}
_ESCAPES["n"] = chr(0xE010)
_RESTORE = {value: ("\n" if key == "n" else key) for key, value in _ESCAPES.items()}

_FORMAT_PREFIX = re.compile(r"^\s*\[(markdown|html|plain|moodle)\]\s*", re.IGNORECASE)
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
GAP = "_____"


class _BlockError(Exception):
    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset
        self.message = message


def _protect(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPES:
            out.append(_MARK + _ESCAPES[text[i + 1]])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _restore(text: str) -> str:
    text = text.replace(_MARK, "")
    for placeholder, char in _RESTORE.items():
        text = text.replace(placeholder, char)
    return text.strip()


def _strip_format(text: str) -> str:
    return _FORMAT_PREFIX.sub("", text, count=1)


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """Questions as lists of (line number, line), split on blank lines, comments dropped."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("//") or stripped.startswith("$CATEGORY:"):
            continue
        if not stripped:
            if current:
                blocks.append(current)
                current = []
            continue
        current.append((number, line))
    if current:
        blocks.append(current)
    return blocks


def parse_gift(text: str) -> ParseResult:
    """Parse GIFT ``text`` into question drafts; every problem is reported with its line."""
    result = ParseResult()
    for block in _blocks(text):
        numbers = [number for number, _line in block]
        source = _protect("\n".join(line for _number, line in block))
        try:
            draft = _parse_block(source)
        except _BlockError as error:
            line = numbers[min(source.count("\n", 0, error.offset), len(numbers) - 1)]
            result.errors.append(ParseError(line, error.message))
            continue
        draft.line = numbers[0]
        result.questions.append(draft)
    return result


def _parse_block(source: str) -> QuestionDraft:
    start = len(source) - len(source.lstrip())
    title = ""
    if source.startswith("::", start):
        end = source.find("::", start + 2)
        if end == -1:
            raise _BlockError(start, _("The title opened with “::” is not closed with “::”."))
        title = _restore(source[start + 2 : end])
        start = end + 2
    opening = source.find("{", start)
    if opening == -1:
        raise _BlockError(
            start, _("No answer block: a question needs its answers between “{” and “}”.")
        )
    closing = source.find("}", opening + 1)
    if closing == -1:
        raise _BlockError(opening, _("The answer block opened with “{” is not closed with “}”."))
    nested = source.find("{", opening + 1, closing)
    if nested != -1:
        raise _BlockError(nested, _("An answer block cannot contain “{”; write “\\{” instead."))
    second = source.find("{", closing + 1)
    if second != -1:
        raise _BlockError(
            second,
            _("A second answer block: separate questions with a blank line."),
        )
    before = _restore(_strip_format(source[start:opening]))
    after = _restore(source[closing + 1 :])
    text = f"{before} {GAP} {after}" if after else before
    draft = _parse_answers(source, opening + 1, closing)
    draft.title = title
    draft.text = text
    return draft


def _parse_answers(source: str, begin: int, end: int) -> QuestionDraft:
    body = source[begin:end]
    general_feedback = ""
    split = body.find("####")
    if split != -1:
        general_feedback = _restore(body[split + 4 :])
        body = body[:split]
    stripped = body.strip()
    if not stripped:
        return QuestionDraft(kind=QuestionKind.SHORT_ANSWER, text="", feedback=general_feedback)
    offset = begin + body.find(stripped[0])
    if stripped.startswith("#"):
        return _parse_numeric(stripped[1:], offset, general_feedback)
    head, *feedbacks = stripped.split("#")
    if head.strip().upper() in _TRUE_FALSE:
        feedback = "\n".join(f for f in (_restore(part) for part in feedbacks) if f)
        return QuestionDraft(
            kind=QuestionKind.TRUE_FALSE,
            text="",
            correct_true=_TRUE_FALSE[head.strip().upper()],
            feedback=general_feedback or feedback,
        )
    return _parse_choices(body, begin, general_feedback)


def _parse_numeric(body: str, offset: int, general_feedback: str) -> QuestionDraft:
    if ".." in body:
        raise _BlockError(offset, _("Numeric ranges (“min..max”) are not supported."))
    body = body.strip()
    if body.startswith("="):
        body = body[1:]
    if "=" in body or "~" in body:
        raise _BlockError(offset, _("Only one numeric answer is supported."))
    weight = _WEIGHT.match(body)
    if weight:
        body = body[weight.end() :]
    value, _sep, feedback = body.partition("#")
    number, _colon, tolerance = value.partition(":")
    answer = _decimal(number, offset)
    if answer is None:
        raise _BlockError(offset, _("The numeric answer is missing after “#”."))
    margin = _decimal(tolerance, offset) if tolerance.strip() else Decimal(0)
    if margin is None or margin < 0:
        raise _BlockError(offset, _("The tolerance after “:” must be a number of at least 0."))
    return QuestionDraft(
        kind=QuestionKind.NUMERIC,
        text="",
        numeric_answer=answer,
        tolerance=margin,
        feedback=general_feedback or _restore(feedback),
    )


def _decimal(text: str, offset: int) -> Decimal | None:
    text = _restore(text)
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _BlockError(offset, _("“%s” is not a number.") % text) from None
    if not value.is_finite():
        raise _BlockError(offset, _("“%s” is not a number.") % text)
    return value


def _parse_choices(body: str, begin: int, general_feedback: str) -> QuestionDraft:
    markers = [i for i, char in enumerate(body) if char in "=~"]
    leading = body[: markers[0]] if markers else body
    if leading.strip():
        first = begin + body.find(leading.strip()[0])
        raise _BlockError(
            first,
            _(
                "Each answer must start with “=” (right) or “~” (wrong); "
                "“%s” does not. Write “\\=”, “\\~” or “\\#” for literal characters."
            )
            % _restore(leading)[:40],
        )
    answers = []  # (offset, marker, weight, text, feedback)
    for index, position in enumerate(markers):
        stop = markers[index + 1] if index + 1 < len(markers) else len(body)
        content = body[position + 1 : stop]
        weight = None
        match = _WEIGHT.match(content)
        if match:
            weight = Decimal(match.group(1))
            content = content[match.end() :]
        text, _sep, feedback = content.partition("#")
        text = _restore(_strip_format(text))
        offset = begin + position
        if not text:
            raise _BlockError(offset, _("An answer after “%s” is empty.") % body[position])
        answers.append((offset, body[position], weight, text, _restore(feedback)))

    if not any(marker == "~" for _o, marker, _w, _t, _f in answers):
        # Moodle reads "{=a -> 1 =b -> 2}" as a matching question; "->" in a choice
        # question with wrong answers (say "p->next") is just text.
        if all("->" in text for _o, _m, _w, text, _f in answers):
            raise _BlockError(
                answers[0][0],
                _("Matching questions (“->”) are not supported; use choice questions."),
            )
        for offset, _marker, weight, _text, _feedback in answers:
            if weight is not None and weight != 100:
                raise _BlockError(
                    offset,
                    _("Weights are not supported for fill-in-the-blank answers."),
                )
        feedback = "\n".join(f for *_rest, f in answers if f)
        return QuestionDraft(
            kind=QuestionKind.FILL_BLANK,
            text="",
            accepted_answers=[text for _o, _m, _w, text, _f in answers],
            feedback=general_feedback or feedback,
        )

    weighted = any(weight is not None for _o, _m, weight, _t, _f in answers)
    options = [
        OptionDraft(
            text=text,
            is_correct=marker == "=" or (weight is not None and weight > 0),
            feedback=feedback,
        )
        for _o, marker, weight, text, feedback in answers
    ]
    if weighted:
        kind, partial = QuestionKind.MULTIPLE, True
    elif sum(1 for option in options if option.is_correct) > 1:
        kind, partial = QuestionKind.MULTIPLE, False
    else:
        kind, partial = QuestionKind.SINGLE, False
    return QuestionDraft(
        kind=kind,
        text="",
        options=options,
        partial_credit=partial,
        feedback=general_feedback,
    )
