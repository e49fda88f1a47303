"""The player's progress reports and the "mark as done" button of lessons without videos."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import LessonPage, Video
from courses.services import progress as progress_service


@dataclass(frozen=True)
class ProgressPayload:
    """A report as the player sends it: ``{"intervals": [[s, e], ...], "position": x}``."""

    intervals: list[tuple[float, float]]
    position: float
    token: str

    @classmethod
    def parse(cls, raw: bytes) -> ProgressPayload:
        """Raises ValueError with a message for the user when the body is not a valid report."""
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ValueError(_("The progress report is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise ValueError(_("The progress report must be a JSON object."))
        intervals, position = data.get("intervals", []), data.get("position", 0)
        if not isinstance(intervals, list) or len(intervals) > progress_service.MAX_INTERVALS:
            raise ValueError(_("“intervals” must be a list of at most 200 [start, end] pairs."))
        pairs = []
        for pair in intervals:
            if not (
                isinstance(pair, list)
                and len(pair) == 2
                and all(_is_number(x) for x in pair)
                and pair[0] <= pair[1]
            ):
                raise ValueError(_("Each interval must be [start, end] with start ≤ end."))
            pairs.append((float(pair[0]), float(pair[1])))
        if not _is_number(position):
            raise ValueError(_("“position” must be a number of seconds."))
        token = data.get("token", "")
        return cls(intervals=pairs, position=float(position), token=str(token)[:500])


def _is_number(value) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


@require_POST
def report_progress(request, lesson_id: int, video_id: int):
    """Record a player's report (CSRF-protected JSON). 400 for a malformed body."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Please log in again.")}, status=403)
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    video = get_object_or_404(Video, pk=video_id)
    try:
        payload = ProgressPayload.parse(request.body)
    except ValueError as error:
        return JsonResponse({"error": str(error)}, status=400)
    opened_at = progress_service.read_player_token(
        payload.token, user=request.user, lesson=lesson, video=video
    )
    try:
        result = progress_service.record_progress(
            user=request.user,
            lesson=lesson,
            video=video,
            intervals=payload.intervals,
            position=payload.position,
            opened_at=opened_at,
        )
    except PermissionDenied:
        return JsonResponse({"error": _("You cannot record progress in this lesson.")}, status=403)
    return JsonResponse(
        {
            "accepted": result.accepted,
            "recorded": result.recorded,
            "reason": result.reason,
            "message": result.message,
            "covered": round(result.covered, 4),
            "watched_seconds": result.watched_seconds,
            "duration": result.duration,
            "position": result.position,
            "completed": result.lesson_completed,
        }
    )


@login_required
@require_POST
def mark_done(request, lesson_id: int):
    """A learner marks a lesson without videos as done, then returns to it."""
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    try:
        progress_service.mark_lesson_done(user=request.user, lesson=lesson)
    except PermissionDenied:
        messages.error(request, _("Only students of this course can mark lessons as done."))
    except ValueError:
        messages.error(request, _("This lesson is completed by watching its videos."))
    else:
        messages.success(request, _("Lesson marked as done."))
    return redirect(lesson.url)
