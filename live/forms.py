"""The prepared-poll form: what a teacher types on the session's prepare page.

The form turns its fields into the service's plain arguments (``kind``, ``prompt``,
``options`` as a list, ``correct`` in the poll's own format); the rules themselves live in
``live.services.prepare.validate_poll`` and its errors are shown on these fields.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from live.models import Poll, PollKind

_NUMBERS = re.compile(r"[\s,，、;；]+")

TRUE_FALSE_CHOICES = [("", _("No right answer")), ("true", _("True")), ("false", _("False"))]


class PreparedPollForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=PollKind.choices)
    prompt = forms.CharField(
        label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Single and multiple choice: one option per line (2 to 10)."),
    )
    correct_options = forms.CharField(
        label=_("Right options"),
        required=False,
        max_length=100,
        help_text=_(
            "Single and multiple choice: the numbers of the right options, e.g. 2 or 1, 3. "
            "Leave empty if no answer is right or wrong."
        ),
    )
    correct_true = forms.ChoiceField(
        label=_("The statement is"), required=False, choices=TRUE_FALSE_CHOICES
    )
    accepted = forms.CharField(
        label=_("Accepted answers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Short text: one accepted answer per line (case and spaces ignored)."),
    )

    # Where the service's "correct" errors are shown, by kind.
    CORRECT_FIELD = {
        PollKind.SINGLE: "correct_options",
        PollKind.MULTIPLE: "correct_options",
        PollKind.TRUE_FALSE: "correct_true",
        PollKind.TEXT: "accepted",
        PollKind.WORD_CLOUD: "kind",
    }

    @classmethod
    def for_poll(cls, poll: Poll) -> PreparedPollForm:
        """An unbound form showing a draft poll's content."""
        correct = poll.correct
        initial = {"kind": poll.kind, "prompt": poll.prompt, "options": "\n".join(poll.options)}
        if poll.kind in (PollKind.SINGLE, PollKind.MULTIPLE) and correct:
            initial["correct_options"] = ", ".join(str(i + 1) for i in correct)
        elif poll.kind == PollKind.TRUE_FALSE and correct is not None:
            initial["correct_true"] = "true" if correct else "false"
        elif poll.kind == PollKind.TEXT and correct:
            initial["accepted"] = "\n".join(correct)
        return cls(initial=initial)

    def clean_correct_options(self) -> list[int]:
        text = self.cleaned_data["correct_options"].strip()
        if not text:
            return []
        numbers = []
        for part in _NUMBERS.split(text):
            if not part:
                continue
            if not part.isdigit() or int(part) < 1:
                raise ValidationError(_("Write option numbers such as 2 or 1, 3."))
            numbers.append(int(part) - 1)
        return numbers

    def service_arguments(self) -> dict:
        """The cleaned content as ``create_prepared_poll`` / ``update_prepared_poll`` take it."""
        data = self.cleaned_data
        kind = data["kind"]
        options: list[str] = []
        correct = None
        if kind in (PollKind.SINGLE, PollKind.MULTIPLE):
            options = [line.strip() for line in data["options"].splitlines() if line.strip()]
            correct = data["correct_options"] or None
        elif kind == PollKind.TRUE_FALSE:
            correct = {"true": True, "false": False}.get(data["correct_true"])
        elif kind == PollKind.TEXT:
            correct = [line.strip() for line in data["accepted"].splitlines() if line.strip()]
            correct = correct or None
        return {"kind": kind, "prompt": data["prompt"], "options": options, "correct": correct}

    def add_service_errors(self, error: ValidationError) -> None:
        """Show the service's errors on the fields the teacher typed them in."""
        if not hasattr(error, "error_dict"):  # about the poll as a whole
            self.add_error(None, error.messages)
            return
        kind = self.cleaned_data.get("kind")
        for field, messages in error.message_dict.items():
            if field == "correct":
                field = self.CORRECT_FIELD.get(kind, None)
            elif field not in self.fields:
                field = None
            self.add_error(field, messages)
