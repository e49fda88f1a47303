"""Parsers for question files. Each is pure: text in, drafts and line-numbered errors out.

Nothing here touches the database; ``courses.services.question_import`` validates the
drafts with the bank's rules and saves them.
"""

from courses.importers.base import ParseError, ParseResult

__all__ = ["ParseError", "ParseResult"]
