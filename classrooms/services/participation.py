"""In-class participation: answers to live activities, written once and read for grading.

The live classroom (``live``) calls :func:`record_answer` for each answer it receives; the
gradebook reads :func:`participation_for_grading`. An answer is identified twice: by
(session, student, activity), so a student answers an activity once, and by (student, key),
a key the client generates, so a retry after a lost acknowledgement finds the first write
instead of failing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from classrooms.models import ClassAnswer, Offering, Session


@dataclass(frozen=True)
class Recorded:
    answer: ClassAnswer
    created: bool  # False: this was already recorded (a retry, or a second answer)


def record_answer(
    *,
    session: Session | int,
    student,
    activity: str,
    key: str,
    value,
    correct: bool | None,
    at: datetime | None = None,
) -> Recorded:
    """Write the answer unless the student already answered this activity (or sent this key).

    Returns the stored answer either way: a retry gets the first answer back, and so does a
    second, different answer to the same activity (the first one counts).
    """
    session_id = session if isinstance(session, int) else session.pk
    try:
        with transaction.atomic():
            answer = ClassAnswer.objects.create(
                session_id=session_id,
                student=student,
                activity=activity,
                key=key,
                value=value,
                correct=correct,
                answered_at=at or timezone.now(),
            )
            return Recorded(answer, True)
    except IntegrityError:
        existing = ClassAnswer.objects.filter(
            Q(session_id=session_id, student=student, activity=activity)
            | Q(student=student, key=key)
        ).first()
        if existing is None:  # not a uniqueness clash after all
            raise
        return Recorded(existing, False)


def answers_for(*, session: Session | int, activity: str):
    """The answers to one activity of one session (for results)."""
    session_id = session if isinstance(session, int) else session.pk
    return ClassAnswer.objects.filter(session_id=session_id, activity=activity)


def participation_for_grading(offering: Offering) -> dict[int, dict[int, dict[str, int]]]:
    """{student_id: {session_id: {"answered": n, "correct": m}}} over the offering's sessions,
    in one query. The public read of in-class answers for the gradebook."""
    rows = (
        ClassAnswer.objects.filter(session__offering=offering)
        .values("student_id", "session_id")
        .annotate(answered=Count("id"), right=Count("id", filter=Q(correct=True)))
    )
    result: dict[int, dict[int, dict[str, int]]] = defaultdict(dict)
    for row in rows:
        result[row["student_id"]][row["session_id"]] = {
            "answered": row["answered"],
            "correct": row["right"],
        }
    return dict(result)
