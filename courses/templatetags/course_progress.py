"""Template tags that hand the course templates their data from ``courses.services``.

Wagtail serves the pages; these tags stand where a view would: read through a service,
nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.urls import reverse

from courses.models import LessonCompletion, LessonPage, UnitPage
from courses.services import progress as progress_service
from courses.services.access import can_view_course_content, course_of

register = template.Library()


@dataclass
class PlayerVideo:
    state: progress_service.VideoState
    src: str
    report_url: str
    token: str


@dataclass
class LessonState:
    videos: list[PlayerVideo]
    is_learner: bool
    completed: bool


@register.simple_tag(takes_context=True)
def course_outline_for(context, course):
    """The outline of ``course`` for the current user, or None if they may not see it."""
    user = context["request"].user
    if not can_view_course_content(user, course):
        return None
    return progress_service.course_outline(user=user, course=course)


@register.simple_tag(takes_context=True)
def unit_outline_for(context, unit: UnitPage):
    """The part of its course's outline for ``unit`` (None if the user may not see it)."""
    course = course_of(unit)
    user = context["request"].user
    if course is None or not can_view_course_content(user, course):
        return None
    outline = progress_service.course_outline(user=user, course=course)
    return next((part for part in outline.units if part.page.pk == unit.pk), None)


@register.simple_tag(takes_context=True)
def lesson_state_for(context, lesson: LessonPage) -> LessonState:
    """What the lesson page needs: each video's protected URL, resume point and coverage."""
    user = context["request"].user
    course = course_of(lesson)
    learner = bool(
        user.is_authenticated
        and course is not None
        and progress_service.is_learner(user=user, course=course)
    )
    videos = [
        PlayerVideo(
            state=state,
            src=reverse("courses:video", args=[lesson.pk, state.video.pk]),
            report_url=reverse("courses:progress", args=[lesson.pk, state.video.pk]),
            token=progress_service.issue_player_token(user=user, lesson=lesson, video=state.video)
            if learner
            else "",
        )
        for state in progress_service.lesson_video_states(user=user, lesson=lesson)
    ]
    completed = bool(learner and LessonCompletion.objects.filter(user=user, lesson=lesson).exists())
    return LessonState(videos=videos, is_learner=learner, completed=completed)


@register.filter
def percent(fraction) -> int:
    """0.934 -> 93 (rounded down, so 100 means really complete)."""
    try:
        return max(0, min(100, int(float(fraction) * 100 + 1e-9)))
    except (TypeError, ValueError):
        return 0
