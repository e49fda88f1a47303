"""Video files: their duration is read from the file on the server, never typed by hand.

pymediainfo wraps libmediainfo (bundled in its Linux wheel), which reads the container
headers only, so reading the duration of even a long upload is fast.
"""

from __future__ import annotations

import logging
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from pymediainfo import MediaInfo

from courses.models import CoursePage, Video
from courses.services.questions import courses_taught_by
from lms.accounts.models import Role

logger = logging.getLogger(__name__)


def read_duration(file: IO[bytes]) -> float:
    """Return the duration in seconds of the video in ``file`` (a binary file object).

    Raises ``ValidationError`` (code ``not_a_video``) when the file holds no video track
    or no positive duration, so a form can show the message next to the field. Leaves the
    file positioned at its start.
    """
    try:
        file.seek(0)
        info = MediaInfo.parse(file)
    except Exception as exc:  # the library raises various errors on garbage input
        logger.warning("mediainfo could not read an upload: %s", exc)
        raise ValidationError(
            _("This file could not be read as a video."), code="not_a_video"
        ) from exc
    finally:
        file.seek(0)
    if not info.video_tracks:
        raise ValidationError(
            _("This file is not a video. Upload an MP4 or WebM video file."), code="not_a_video"
        )
    durations = [
        float(track.duration)
        for track in (*info.general_tracks, *info.video_tracks)
        if track.duration is not None
    ]
    if not durations or max(durations) <= 0:
        raise ValidationError(
            _("The length of this video could not be read. Is the file complete?"),
            code="not_a_video",
        )
    return round(max(durations) / 1000.0, 3)  # mediainfo reports milliseconds


@transaction.atomic
def create_video(
    *,
    title: str,
    file: IO[bytes],
    filename: str,
    course: CoursePage | None = None,
    poster=None,
    uploaded_by=None,
) -> Video:
    """Store a new video with its duration read from the file.

    Raises ``ValidationError`` for a file that is not a video; nothing is saved then.
    For the demo seed, management commands and tests; the admin form does the same
    through ``read_duration``.
    """
    duration = read_duration(file)
    video = Video(
        title=title, course=course, poster=poster, uploaded_by=uploaded_by, duration=duration
    )
    video.full_clean(exclude=["file"])  # validate before writing the file to storage
    video.file.save(filename, File(file), save=False)
    video.save()
    return video


def videos_visible_to(user) -> QuerySet[Video]:
    """Videos ``user`` may list and choose: all for superusers and reviewers, otherwise
    those of the courses they teach and those they uploaded."""
    if not user.is_authenticated:
        return Video.objects.none()
    if user.is_superuser or user.has_role(Role.REVIEWER):
        return Video.objects.all()
    return Video.objects.filter(
        Q(course__in=courses_taught_by(user).values("pk")) | Q(uploaded_by=user)
    )


def can_edit_video(user, video: Video) -> bool:
    """Superusers, the uploader and the teachers of the video's course edit it."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or (video.uploaded_by_id is not None and video.uploaded_by_id == user.pk):
        return True
    if video.course_id is None:
        return False
    return courses_taught_by(user).filter(pk=video.course_id).exists()
