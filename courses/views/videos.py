"""Video files, streamed from protected storage with HTTP range requests."""

from __future__ import annotations

import mimetypes
import re

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe

from courses.models import LessonPage, LessonVideo, Video
from courses.services.access import can_manage_course, can_view_course_content, course_of
from lms.accounts.models import Role

CHUNK_SIZE = 64 * 1024
_RANGE = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


def parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """The first byte range of a ``Range`` header as inclusive ``(start, end)``.

    None when the header is absent, malformed or not in bytes (serve the whole file, as
    RFC 9110 allows); False when it is well formed but cannot be satisfied (416). Of
    several ranges only the first is answered.
    """
    if not header:
        return None
    unit, _sep, ranges = header.partition("=")
    if unit.strip().lower() != "bytes" or not ranges:
        return None
    match = _RANGE.match(ranges.split(",")[0])
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":  # suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None  # invalid range spec: ignore the header
    if start >= size:
        return False
    return start, end


def _file_chunks(storage, name: str, start: int, length: int):
    with storage.open(name, "rb") as handle:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


@require_safe
def serve_video(request, lesson_id: int, video_id: int):
    """Stream a lesson's video to those who may view the lesson; 206 for a range request.

    404 unless the video belongs to the live lesson; anonymous users are sent to log in;
    others without access to the course get 403.
    """
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    link = get_object_or_404(
        LessonVideo.objects.select_related("video"), lesson=lesson, video_id=video_id
    )
    course = course_of(lesson)
    if course is None:
        raise Http404
    if not can_view_course_content(request.user, course):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return render(request, "courses/not_enrolled.html", {"course": course}, status=403)

    return _stream(request, link.video)


@require_safe
def preview_video(request, name: str):
    """The admin's link to a video file: for the people who manage it, never for students.

    Students only ever reach videos through ``serve_video``, which checks the lesson.
    """
    video = get_object_or_404(Video.objects.select_related("course"), file=name)
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    allowed = (
        user.is_superuser
        or user.has_role(Role.REVIEWER)
        or (video.uploaded_by_id is not None and video.uploaded_by_id == user.pk)
        or (video.course is not None and can_manage_course(user, video.course))
    )
    if not allowed:
        raise PermissionDenied
    return _stream(request, video)


def _stream(request, video: Video):
    storage, name = video.file.storage, video.file.name
    if not name or not storage.exists(name):
        raise Http404
    size = storage.size(name)
    modified = storage.get_modified_time(name)
    etag = quote_etag(f"{video.pk}-{size}-{int(modified.timestamp())}")

    wanted = parse_range(request.headers.get("Range", ""), size)
    if_range = request.headers.get("If-Range")
    if wanted and if_range and if_range.strip() != etag:
        wanted = None  # the client's copy is stale: send the whole new file

    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        start, end = wanted or (0, size - 1)
        length = max(0, end - start + 1)
        body = [] if request.method == "HEAD" else _file_chunks(storage, name, start, length)
        response = StreamingHttpResponse(body, status=206 if wanted else 200)
        response["Content-Length"] = str(length)
        if wanted:
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Type"] = mimetypes.guess_type(name)[0] or "application/octet-stream"
        response["Content-Disposition"] = "inline"
        response["Last-Modified"] = http_date(modified.timestamp())
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    # Per user: never in a shared cache.
    response["Cache-Control"] = "private, max-age=3600"
    return response
