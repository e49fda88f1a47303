"""Polls prepared before class: drafts in a session's live room, opened later from the console.

A prepared poll is a ``Poll`` row with status ``draft``. Teachers add, edit and delete drafts
from the session's prepare page; once the poll has been opened in class it is no longer a
draft and these functions refuse to touch it (its answers belong to the grades).

Callers check who asks (the offering's teachers and assistants: ``can_manage_offering``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from classrooms.models import Session, SessionStatus
from live.models import LiveRoom, Poll, PollKind, PollSource, PollStatus

CHOICE_KINDS = {PollKind.SINGLE, PollKind.MULTIPLE}
MIN_OPTIONS = 2
MAX_OPTIONS = 10
MAX_OPTION_LENGTH = 200
MAX_PROMPT_LENGTH = 1000
MAX_ACCEPTED_LENGTH = 200  # a short-text answer is 1–200 characters (docs/live-protocol.md)


@dataclass(frozen=True)
class PollSpec:
    """A poll's content, validated: what a draft row stores."""

    kind: str
    prompt: str
    options: list[str]
    correct: list[int] | list[str] | bool | None


def room_for(session: Session) -> LiveRoom:
    """The live room of ``session``, created on first use. Safe against a concurrent first
    use (unique session: the loser of the race reads the winner's row)."""
    try:
        return session.live_room
    except LiveRoom.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            room = LiveRoom.objects.create(session=session)
    except IntegrityError:
        room = LiveRoom.objects.get(session=session)
    session.live_room = room
    return room


def prepared_polls(session: Session):
    """The session's drafts in the order they were prepared (one query)."""
    return Poll.objects.filter(room__session=session, status=PollStatus.DRAFT).order_by(
        "position", "id"
    )


def validate_poll(*, kind: str, prompt: str, options, correct) -> PollSpec:
    """Check a poll's content and return it cleaned (prompt and options trimmed).

    ``options``: 2–10 non-empty strings for single and multiple choice, none otherwise.
    ``correct``: option indexes (exactly one for single choice), a boolean for true or false,
    accepted texts for short text, None for a word cloud or when there is no right answer.
    Raises ValidationError with messages under ``kind``, ``prompt``, ``options``, ``correct``.
    """
    errors: dict[str, list[str]] = {}
    if kind not in PollKind.values:
        raise ValidationError({"kind": _("Choose a type of question.")})
    prompt = (prompt or "").strip()
    if not prompt:
        errors.setdefault("prompt", []).append(_("Write the question."))
    elif len(prompt) > MAX_PROMPT_LENGTH:
        errors.setdefault("prompt", []).append(
            _("The question is longer than %(n)s characters.") % {"n": MAX_PROMPT_LENGTH}
        )

    cleaned_options: list[str] = []
    if kind in CHOICE_KINDS:
        cleaned_options = [str(o).strip() for o in (options or []) if str(o).strip()]
        if not MIN_OPTIONS <= len(cleaned_options) <= MAX_OPTIONS:
            errors.setdefault("options", []).append(
                _("Give between %(min)s and %(max)s options, one per line.")
                % {"min": MIN_OPTIONS, "max": MAX_OPTIONS}
            )
        elif any(len(o) > MAX_OPTION_LENGTH for o in cleaned_options):
            errors.setdefault("options", []).append(
                _("An option is longer than %(n)s characters.") % {"n": MAX_OPTION_LENGTH}
            )
        elif len({o.casefold() for o in cleaned_options}) != len(cleaned_options):
            errors.setdefault("options", []).append(_("Two options are the same."))

    try:
        cleaned_correct = _clean_correct(kind, correct, len(cleaned_options))
    except ValidationError as error:
        errors.setdefault("correct", []).extend(error.messages)
        cleaned_correct = None
    if errors:
        raise ValidationError(errors)
    return PollSpec(kind=kind, prompt=prompt, options=cleaned_options, correct=cleaned_correct)


def _clean_correct(kind: str, correct, option_count: int):
    if correct is None or correct == [] or correct == "":
        return None
    if kind in CHOICE_KINDS:
        if not isinstance(correct, list | tuple) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in correct
        ):
            raise ValidationError(_("Give the numbers of the right options."))
        indexes = sorted(set(correct))
        if len(indexes) != len(correct):
            raise ValidationError(_("An option is named twice as right."))
        if option_count and any(not 0 <= i < option_count for i in indexes):
            raise ValidationError(_("A right option is not among the options."))
        if kind == PollKind.SINGLE and len(indexes) != 1:
            raise ValidationError(_("A single-choice question has exactly one right option."))
        return indexes
    if kind == PollKind.TRUE_FALSE:
        if not isinstance(correct, bool):
            raise ValidationError(_("Choose true or false."))
        return correct
    if kind == PollKind.TEXT:
        if isinstance(correct, str):
            correct = [correct]
        if not isinstance(correct, list | tuple) or not all(isinstance(t, str) for t in correct):
            raise ValidationError(_("Give the accepted answers, one per line."))
        texts = []
        for text in (t.strip() for t in correct):
            if text and text not in texts:
                texts.append(text)
        if any(len(t) > MAX_ACCEPTED_LENGTH for t in texts):
            raise ValidationError(
                _("An accepted answer is longer than %(n)s characters.")
                % {"n": MAX_ACCEPTED_LENGTH}
            )
        return texts or None
    raise ValidationError(_("A word cloud has no right answer."))


def _require_scheduled(session: Session) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("This session is cancelled."))


def _require_draft(poll: Poll) -> None:
    if poll.status != PollStatus.DRAFT:
        raise ValidationError(_("This poll has been opened in class and can no longer change."))


def create_prepared_poll(
    *, session: Session, by, kind: str, prompt: str, options=(), correct=None
) -> Poll:
    """Add a draft poll at the end of the session's prepared polls.

    Validates first (``validate_poll``) and saves nothing on error. Refuses a cancelled
    session. Atomic.
    """
    _require_scheduled(session)
    spec = validate_poll(kind=kind, prompt=prompt, options=list(options), correct=correct)
    with transaction.atomic():
        room = room_for(session)
        last = Poll.objects.filter(room=room).aggregate(last=Max("position"))["last"]
        poll = Poll(
            room=room,
            kind=spec.kind,
            prompt=spec.prompt,
            options=spec.options,
            correct=spec.correct,
            source=PollSource.PREPARED,
            status=PollStatus.DRAFT,
            position=0 if last is None else last + 1,
            created_by=by,
        )
        poll.full_clean()
        poll.save()
    return poll


def update_prepared_poll(*, poll: Poll, kind: str, prompt: str, options=(), correct=None) -> Poll:
    """Change a draft poll's content. Refuses a poll that is no longer a draft (opened in
    the meantime: the row is locked and read again first). Atomic; nothing saved on error."""
    spec = validate_poll(kind=kind, prompt=prompt, options=list(options), correct=correct)
    with transaction.atomic():
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        _require_draft(locked)
        locked.kind, locked.prompt = spec.kind, spec.prompt
        locked.options, locked.correct = spec.options, spec.correct
        locked.full_clean()
        locked.save(update_fields=["kind", "prompt", "options", "correct"])
    return locked


def delete_prepared_poll(*, poll: Poll) -> None:
    """Delete a draft poll. Refuses a poll that has been opened (it has answers, or may).
    Atomic."""
    with transaction.atomic():
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        _require_draft(locked)
        locked.delete()
