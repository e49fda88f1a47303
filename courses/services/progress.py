"""Video progress that seeking cannot fake, lesson completion, and the outline's reads.

The player reports the intervals it has really played. The server merges them into the
student's VideoProgress, clamped to the video's duration, and accepts new coverage only as
fast as a person could have watched it: at most ``(now - anchor) * MAX_PLAYBACK_RATE +
GRACE_SECONDS`` new seconds, where the anchor is the previous accepted report, or the time
the lesson page was opened (a signed timestamp the page hands the player) for the first
report. A lesson is complete when every one of its videos is covered to the lesson's
threshold; the playhead position plays no part in it.

Records are kept for learners (users holding a CourseAccess grant). Teachers and reviewers
may watch every video, but their viewing is not recorded: it would only pollute the
completion statistics.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from courses.models import (
    CourseAccess,
    CoursePage,
    LessonCompletion,
    LessonPage,
    LessonVideo,
    Video,
    VideoProgress,
)
from courses.services.access import can_view_course_content, course_of
from courses.services.structure import course_units

# The player offers speeds up to 2x; nobody can honestly cover more per second than that.
MAX_PLAYBACK_RATE = 2.0
# Network and timer jitter between the player's clock and ours.
GRACE_SECONDS = 2.0
# The player reports at least this often while playing (player.js uses the same value).
HEARTBEAT_SECONDS = 10
# A report carries at most this many intervals (a normal one carries one to three).
MAX_INTERVALS = 200

Interval = tuple[float, float]


# --- interval arithmetic -------------------------------------------------------------------
def merge_intervals(intervals: Iterable[Sequence[float]]) -> list[list[float]]:
    """Sorted, disjoint intervals covering the union of ``intervals`` (touching ones join)."""
    merged: list[list[float]] = []
    for start, end in sorted((float(s), float(e)) for s, e in intervals if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def clamp_intervals(intervals: Iterable[Sequence[float]], duration: float) -> list[list[float]]:
    """Intervals cut to ``[0, duration]``; non-finite bounds and empty intervals dropped."""
    clamped = []
    for start, end in intervals:
        if not (math.isfinite(start) and math.isfinite(end)):
            continue
        start, end = max(0.0, float(start)), min(float(duration), float(end))
        if end > start:
            clamped.append([round(start, 3), round(end, 3)])
    return clamped


def covered_seconds(intervals: Iterable[Sequence[float]]) -> float:
    """Total length of sorted, disjoint ``intervals``."""
    return round(sum(end - start for start, end in intervals), 3)


# --- the player's page-open time -------------------------------------------------------------
_TOKEN_SALT = "courses.progress.opened"  # noqa: S105 - a signing salt, not a secret
_TOKEN_MAX_AGE = 12 * 3600  # a page left open longer must be reloaded before a first report


def issue_player_token(
    *, user, lesson: LessonPage, video: Video, now: datetime | None = None
) -> str:
    """A signed note of when the lesson page was served to ``user``, for its first report."""
    moment = (now or timezone.now()).timestamp()
    return signing.dumps([user.pk, lesson.pk, video.pk, moment], salt=_TOKEN_SALT)


def read_player_token(token: str, *, user, lesson: LessonPage, video: Video) -> datetime | None:
    """The page-open time in ``token`` if it is genuine, recent and for this user and video."""
    try:
        user_id, lesson_id, video_id, moment = signing.loads(
            token, salt=_TOKEN_SALT, max_age=_TOKEN_MAX_AGE
        )
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if (user_id, lesson_id, video_id) != (user.pk, lesson.pk, video.pk):
        return None
    return datetime.fromtimestamp(moment, tz=UTC)


# --- writes --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProgressResult:
    """What a report did. ``accepted`` is False for a refused report, which changed nothing."""

    accepted: bool
    recorded: bool  # False for teachers and reviewers: nothing is kept for them
    reason: str  # "", "too_fast" or "not_recorded"
    message: str
    watched_seconds: float
    duration: float
    position: float
    lesson_completed: bool
    intervals: list[list[float]] = field(default_factory=list)

    @property
    def covered(self) -> float:
        """Share of the video really played, 0..1."""
        return min(1.0, self.watched_seconds / self.duration) if self.duration else 0.0


def is_learner(*, user, course: CoursePage) -> bool:
    """Does ``user`` hold a grant to ``course`` (and so get progress records)?"""
    return CourseAccess.objects.filter(course=course, user=user).exists()


def _lesson_video_ids(lesson: LessonPage) -> list[int]:
    return list(LessonVideo.objects.filter(lesson=lesson).values_list("video_id", flat=True))


def _complete_if_covered(*, user, lesson: LessonPage, now: datetime) -> bool:
    """Create the completion when every video of ``lesson`` reaches the threshold."""
    if LessonCompletion.objects.filter(user=user, lesson=lesson).exists():
        return True
    video_ids = _lesson_video_ids(lesson)
    if not video_ids:
        return False
    needed = lesson.completion_threshold / 100.0
    rows = VideoProgress.objects.filter(user=user, video_id__in=video_ids).select_related("video")
    covered = {
        row.video_id
        for row in rows
        if row.video.duration > 0 and row.watched_seconds >= row.video.duration * needed - 1e-6
    }
    if covered != set(video_ids):
        return False
    LessonCompletion.objects.get_or_create(user=user, lesson=lesson, defaults={"completed_at": now})
    return True


@transaction.atomic
def record_progress(
    *,
    user,
    lesson: LessonPage,
    video: Video,
    intervals: Sequence[Sequence[float]],
    position: float,
    opened_at: datetime | None = None,
    now: datetime | None = None,
) -> ProgressResult:
    """Merge a player's report of really-played ``intervals`` (seconds) into the record.

    Guarantees:
    - raises ``PermissionDenied`` unless ``video`` belongs to ``lesson`` and ``user`` may view
      the lesson's course; raises ``ValueError`` for more than MAX_INTERVALS intervals;
    - intervals are clamped to ``[0, duration]`` and merged with what was already watched;
    - a report adding more new coverage than ``(now - anchor) * MAX_PLAYBACK_RATE +
      GRACE_SECONDS`` is refused and changes nothing. The anchor is the later of the previous
      accepted report and ``opened_at`` (when the player's page was served); with neither,
      only GRACE_SECONDS may be claimed;
    - a report that adds nothing and does not move the resume position writes nothing, so
      repeating a report is harmless;
    - the lesson is completed (once, with a timestamp) when all its videos reach the lesson's
      threshold, never because of ``position``;
    - teachers and reviewers without a grant get ``recorded=False`` and no rows.
    One transaction; the progress row is locked (``select_for_update``) while merging.
    """
    now = now or timezone.now()
    course = course_of(lesson)
    if (
        course is None
        or not LessonVideo.objects.filter(lesson=lesson, video=video).exists()
        or not can_view_course_content(user, course)
    ):
        raise PermissionDenied
    if len(intervals) > MAX_INTERVALS:
        raise ValueError("too many intervals")
    duration = float(video.duration)
    position = min(max(0.0, float(position)), duration) if math.isfinite(position) else 0.0

    if not is_learner(user=user, course=course):
        return ProgressResult(
            accepted=True,
            recorded=False,
            reason="not_recorded",
            message=_("Your viewing is not recorded: you teach or review this course."),
            watched_seconds=0.0,
            duration=duration,
            position=round(position, 3),
            lesson_completed=False,
        )

    _row, created = VideoProgress.objects.get_or_create(user=user, video=video)
    progress = VideoProgress.objects.select_for_update().get(user=user, video=video)
    old_intervals = progress.intervals or []
    new_intervals = merge_intervals([*old_intervals, *clamp_intervals(intervals, duration)])
    watched = covered_seconds(new_intervals)
    gained = round(watched - covered_seconds(old_intervals), 3)

    anchors = [t for t in (progress.last_report_at, opened_at) if t is not None]
    elapsed = max(0.0, (now - max(anchors)).total_seconds()) if anchors else 0.0
    allowed = elapsed * MAX_PLAYBACK_RATE + GRACE_SECONDS
    if gained > allowed:
        if created:  # a refused first report leaves no row behind
            progress.delete()
        return ProgressResult(
            accepted=False,
            recorded=True,
            reason="too_fast",
            message=_(
                "This report claims more viewing than the time since the last one allows; "
                "it was not counted."
            ),
            watched_seconds=covered_seconds(old_intervals),
            duration=duration,
            position=progress.position,
            lesson_completed=LessonCompletion.objects.filter(user=user, lesson=lesson).exists(),
            intervals=old_intervals,
        )

    position = round(position, 3)
    if gained > 0 or position != progress.position or progress.last_report_at is None:
        progress.intervals = new_intervals
        progress.watched_seconds = watched
        progress.position = position
        progress.last_report_at = now
        progress.save(
            update_fields=[
                "intervals",
                "watched_seconds",
                "position",
                "last_report_at",
                "updated_at",
            ]
        )
    completed = _complete_if_covered(user=user, lesson=lesson, now=now)
    return ProgressResult(
        accepted=True,
        recorded=True,
        reason="",
        message="",
        watched_seconds=watched,
        duration=duration,
        position=position,
        lesson_completed=completed,
        intervals=new_intervals,
    )


@transaction.atomic
def mark_lesson_done(*, user, lesson: LessonPage, now: datetime | None = None) -> LessonCompletion:
    """A learner marks a lesson without videos as done. Idempotent (keeps the first time).

    Raises ``PermissionDenied`` if ``user`` holds no grant to the course, and ``ValueError``
    for a lesson with videos: those complete by watching only.
    """
    course = course_of(lesson)
    if course is None or not is_learner(user=user, course=course):
        raise PermissionDenied
    if LessonVideo.objects.filter(lesson=lesson).exists():
        raise ValueError("a lesson with videos completes by watching them")
    completion, _created = LessonCompletion.objects.get_or_create(
        user=user, lesson=lesson, defaults={"completed_at": now or timezone.now()}
    )
    return completion


# --- reads ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class VideoState:
    """What the player needs for one video of a lesson."""

    video: Video
    position: float
    watched_seconds: float

    @property
    def covered(self) -> float:
        duration = self.video.duration
        return min(1.0, self.watched_seconds / duration) if duration else 0.0


def lesson_video_states(*, user, lesson: LessonPage) -> list[VideoState]:
    """The lesson's videos in order, with the user's resume position and coverage.

    Two queries whatever the number of videos.
    """
    videos = [
        lv.video
        for lv in LessonVideo.objects.filter(lesson=lesson)
        .select_related("video", "video__poster")
        .order_by("sort_order", "pk")
    ]
    rows = {}
    if user.is_authenticated and videos:
        rows = {
            row.video_id: row
            for row in VideoProgress.objects.filter(user=user, video__in=videos).only(
                "video_id", "position", "watched_seconds"
            )
        }
    return [
        VideoState(
            video=video,
            position=rows[video.pk].position if video.pk in rows else 0.0,
            watched_seconds=rows[video.pk].watched_seconds if video.pk in rows else 0.0,
        )
        for video in videos
    ]


@dataclass
class LessonProgress:
    fraction: float  # 0..1 for the progress bar
    completed: bool
    last_watched_at: datetime | None = None


def lesson_progress_for(*, user, lesson_ids: Sequence[int]) -> dict[int, LessonProgress]:
    """Progress of ``user`` in each lesson: 1.0 when completed, else the mean coverage of its
    videos. Three queries whatever the number of lessons.
    """
    result = {lesson_id: LessonProgress(0.0, False) for lesson_id in lesson_ids}
    if not user.is_authenticated or not lesson_ids:
        return result
    completed = set(
        LessonCompletion.objects.filter(user=user, lesson_id__in=lesson_ids).values_list(
            "lesson_id", flat=True
        )
    )
    links = list(
        LessonVideo.objects.filter(lesson_id__in=lesson_ids).values_list(
            "lesson_id", "video_id", "video__duration"
        )
    )
    rows = {
        video_id: (watched, updated_at)
        for video_id, watched, updated_at in VideoProgress.objects.filter(
            user=user, video_id__in={video_id for _l, video_id, _d in links}
        ).values_list("video_id", "watched_seconds", "updated_at")
    }
    shares: dict[int, list[float]] = {}
    for lesson_id, video_id, duration in links:
        watched, updated_at = rows.get(video_id, (0.0, None))
        shares.setdefault(lesson_id, []).append(min(1.0, watched / duration) if duration else 0.0)
        if updated_at and (
            result[lesson_id].last_watched_at is None
            or updated_at > result[lesson_id].last_watched_at
        ):
            result[lesson_id].last_watched_at = updated_at
    for lesson_id, progress in result.items():
        if lesson_id in completed:
            progress.fraction, progress.completed = 1.0, True
        elif lesson_id in shares:
            progress.fraction = round(sum(shares[lesson_id]) / len(shares[lesson_id]), 4)
    return result


@dataclass
class OutlineItem:
    page: Page  # a LessonPage or QuizPage row (not specific: url and title are enough)
    kind: str  # "lesson" or "quiz"
    progress: LessonProgress | None = None  # lessons only


@dataclass
class OutlineUnit:
    page: Page
    items: list[OutlineItem] = field(default_factory=list)

    @property
    def lessons(self) -> list[OutlineItem]:
        return [item for item in self.items if item.kind == "lesson"]

    @property
    def fraction(self) -> float:
        """Mean progress of the unit's lessons (quizzes are scored, not tracked here)."""
        lessons = self.lessons
        if not lessons:
            return 0.0
        return round(sum(item.progress.fraction for item in lessons) / len(lessons), 4)

    @property
    def completed_count(self) -> int:
        return sum(1 for item in self.lessons if item.progress.completed)


@dataclass
class CourseOutline:
    units: list[OutlineUnit]
    continue_to: Page | None  # the lesson to continue with, None when all are complete

    @property
    def lesson_count(self) -> int:
        return sum(len(unit.lessons) for unit in self.units)

    @property
    def completed_count(self) -> int:
        return sum(unit.completed_count for unit in self.units)

    @property
    def fraction(self) -> float:
        lessons = [item for unit in self.units for item in unit.lessons]
        if not lessons:
            return 0.0
        return round(sum(item.progress.fraction for item in lessons) / len(lessons), 4)


def course_outline(*, user, course: CoursePage) -> CourseOutline:
    """Units with their live lessons and quizzes in order, and ``user``'s progress.

    The caller checks that ``user`` may view the course content. Four queries whatever the
    size of the course (pages, completions, lesson videos, progress rows).

    ``continue_to`` is the lesson last watched if it is not complete yet, otherwise the
    first lesson in order that is not complete.
    """
    units = [
        OutlineUnit(
            page=unit.page, items=[OutlineItem(page=i.page, kind=i.kind) for i in unit.items]
        )
        for unit in course_units(course)
    ]
    lessons = [item for unit in units for item in unit.lessons]
    progress = lesson_progress_for(user=user, lesson_ids=[item.page.pk for item in lessons])
    for item in lessons:
        item.progress = progress[item.page.pk]

    unfinished = [item for item in lessons if not item.progress.completed]
    watched = [item for item in unfinished if item.progress.last_watched_at]
    if watched:
        continue_to = max(watched, key=lambda item: item.progress.last_watched_at).page
    else:
        continue_to = unfinished[0].page if unfinished else None
    return CourseOutline(units=units, continue_to=continue_to)
