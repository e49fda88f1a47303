from __future__ import annotations

from dataclasses import dataclass, field

from courses.services.questions import QuestionDraft


@dataclass(frozen=True)
class ParseError:
    """What is wrong, and on which line (1-based) of the file."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.message}"


@dataclass
class ParseResult:
    questions: list[QuestionDraft] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors
