"""Video upload (duration read on the server), protected range serving, lesson documents."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.functional import empty
from wagtail.documents.models import Document
from wagtail.models import ReferenceIndex

from courses.admin.videos import VideoForm, VideoViewSet
from courses.models import LessonPage, Video
from courses.services import grant_access
from courses.services.videos import create_video, read_duration
from courses.storage import protected_storage
from courses.views.videos import parse_range
from tests.conftest import login_client
from tests.factories import StudentFactory
from tests.factories.courses import (
    DEMO_CLIP,
    DEMO_CLIP_SECONDS,
    make_course,
    make_lesson,
    make_unit,
    make_video,
)

pytestmark = pytest.mark.django_db
CLIP = DEMO_CLIP.read_bytes()
POSTER = (DEMO_CLIP.parent / "poster.jpg").read_bytes()


@pytest.fixture(autouse=True)
def _protected_root(settings, tmp_path):
    """Each test writes its uploads to its own folder, outside MEDIA_ROOT."""
    settings.PROTECTED_MEDIA_ROOT = tmp_path / "protected"
    settings.MEDIA_ROOT = tmp_path / "media"
    protected_storage._wrapped = empty  # the lazy storage reads the new setting
    yield
    protected_storage._wrapped = empty


@pytest.fixture
def lesson_setup(teacher):
    course = make_course(teachers=[teacher], title="Data Structures")
    unit = make_unit(course)
    video = make_video(course=course)
    lesson = make_lesson(unit, videos=[video], title="Stacks")
    student = StudentFactory()
    grant_access(course=course, user=student, source="test")
    return course, unit, lesson, video, student


# --- duration -------------------------------------------------------------------------------
def test_duration_is_read_from_the_real_clip():
    assert read_duration(io.BytesIO(CLIP)) == DEMO_CLIP_SECONDS


@pytest.mark.parametrize("content", [POSTER, b"not a video at all", b""])
def test_a_file_that_is_not_a_video_is_refused(content):
    with pytest.raises(ValidationError) as error:
        read_duration(io.BytesIO(content))
    assert error.value.code == "not_a_video"


def test_create_video_stores_the_file_with_its_duration(teacher):
    video = create_video(
        title="Stacks", file=io.BytesIO(CLIP), filename="stacks.mp4", uploaded_by=teacher
    )
    video.refresh_from_db()
    assert video.duration == DEMO_CLIP_SECONDS
    assert video.uploaded_by == teacher
    assert protected_storage.exists(video.file.name)


def test_create_video_refuses_a_non_video_and_saves_nothing():
    with pytest.raises(ValidationError):
        create_video(title="Poster", file=io.BytesIO(POSTER), filename="poster.mp4")
    assert Video.objects.count() == 0


def _admin_form(data_file, user):
    form_class = VideoViewSet().get_form_class()
    assert issubclass(form_class, VideoForm)
    return form_class(
        data={"title": "Queues", "course": ""},
        files={"file": data_file},
        for_user=user,
    )


def test_admin_form_reads_the_duration_on_upload(teacher):
    form = _admin_form(SimpleUploadedFile("queues.mp4", CLIP, "video/mp4"), teacher)
    assert form.is_valid(), form.errors
    video = form.save()
    video.refresh_from_db()
    assert video.duration == DEMO_CLIP_SECONDS
    assert video.uploaded_by == teacher


def test_admin_form_refuses_a_non_video_with_a_clear_message(teacher):
    form = _admin_form(SimpleUploadedFile("fake.mp4", POSTER, "video/mp4"), teacher)
    assert not form.is_valid()
    assert form.errors["file"] == ["This file is not a video. Upload an MP4 or WebM video file."]
    assert Video.objects.count() == 0


def test_superuser_uploads_a_video_through_the_admin(django_user_model):
    admin = django_user_model.objects.create_superuser(number="root", password="pw")
    client = login_client(admin)
    add_url = reverse(VideoViewSet().get_url_name("add"))
    assert client.get(add_url).status_code == 200
    response = client.post(
        add_url,
        {"title": "Uploaded", "file": SimpleUploadedFile("up.mp4", CLIP, "video/mp4")},
    )
    assert response.status_code == 302
    assert Video.objects.get().duration == DEMO_CLIP_SECONDS
    response = client.post(
        add_url, {"title": "Bad", "file": SimpleUploadedFile("bad.mp4", b"xx", "video/mp4")}
    )
    assert response.status_code == 200
    assert b"This file is not a video" in response.content
    assert Video.objects.count() == 1


# --- serving --------------------------------------------------------------------------------
def _video_url(lesson, video):
    return reverse("courses:video", args=[lesson.pk, video.pk])


def test_the_whole_file_is_served_to_an_enrolled_student(lesson_setup):
    _course, _unit, lesson, video, student = lesson_setup
    response = login_client(student).get(_video_url(lesson, video))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CLIP
    assert response["Content-Length"] == str(len(CLIP))
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert response["Cache-Control"] == "private, max-age=3600"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-1999", 1000, 1999),
        ("bytes=-500", len(CLIP) - 500, len(CLIP) - 1),
        ("bytes=70000-", 70000, len(CLIP) - 1),
        ("bytes=10-19, 30-39", 10, 19),  # several ranges: the first is answered
        (f"bytes=100-{len(CLIP) + 5000}", 100, len(CLIP) - 1),  # end clipped to the size
    ],
)
def test_a_range_request_returns_exactly_the_requested_bytes(lesson_setup, header, start, end):
    _course, _unit, lesson, video, student = lesson_setup
    response = login_client(student).get(_video_url(lesson, video), HTTP_RANGE=header)
    assert response.status_code == 206
    body = b"".join(response.streaming_content)
    assert body == CLIP[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(CLIP)}"
    assert response["Content-Length"] == str(end - start + 1)


def test_an_unsatisfiable_range_gets_416(lesson_setup):
    _course, _unit, lesson, video, student = lesson_setup
    response = login_client(student).get(
        _video_url(lesson, video), HTTP_RANGE=f"bytes={len(CLIP)}-"
    )
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(CLIP)}"


def test_a_stale_if_range_gets_the_whole_file(lesson_setup):
    _course, _unit, lesson, video, student = lesson_setup
    response = login_client(student).get(
        _video_url(lesson, video), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"old"'
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CLIP


def test_parse_range_ignores_malformed_headers():
    assert parse_range("", 100) is None
    assert parse_range("items=0-1", 100) is None
    assert parse_range("bytes=abc", 100) is None
    assert parse_range("bytes=5-2", 100) is None
    assert parse_range("bytes=-0", 100) is False
    assert parse_range("bytes=0-0", 100) == (0, 0)


def test_anonymous_users_are_sent_to_log_in(client, lesson_setup):
    _course, _unit, lesson, video, _student = lesson_setup
    response = client.get(_video_url(lesson, video))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_student_not_enrolled_gets_403(lesson_setup):
    _course, _unit, lesson, video, _student = lesson_setup
    response = login_client(StudentFactory()).get(_video_url(lesson, video), HTTP_RANGE="bytes=0-9")
    assert response.status_code == 403
    assert CLIP[:10] not in response.content


def test_a_video_of_another_lesson_is_not_served_under_this_lesson(lesson_setup):
    course, unit, lesson, _video, student = lesson_setup
    other_video = make_video(title="Other", course=course)
    make_lesson(unit, videos=[other_video], title="Queues")
    response = login_client(student).get(_video_url(lesson, other_video))
    assert response.status_code == 404


def test_a_video_of_another_course_is_not_served_to_this_courses_student(lesson_setup):
    _course, _unit, _lesson, _video, student = lesson_setup
    other_course = make_course(title="Secret")
    other_video = make_video(course=other_course)
    other_lesson = make_lesson(make_unit(other_course), videos=[other_video])
    response = login_client(student).get(_video_url(other_lesson, other_video))
    assert response.status_code == 403


def test_teachers_and_reviewers_may_watch(lesson_setup, teacher, reviewer):
    _course, _unit, lesson, video, _student = lesson_setup
    for user in (teacher, reviewer):
        response = login_client(user).get(_video_url(lesson, video), HTTP_RANGE="bytes=0-3")
        assert response.status_code == 206
        assert b"".join(response.streaming_content) == CLIP[:4]


def test_the_file_is_not_reachable_through_any_media_url(client, lesson_setup, settings):
    _course, _unit, _lesson, video, student = lesson_setup
    assert settings.SERVE_MEDIA  # the embedded set-up serves /media/ itself
    name = video.file.name
    assert (settings.PROTECTED_MEDIA_ROOT / name).exists()
    assert not str(settings.PROTECTED_MEDIA_ROOT).startswith(str(settings.MEDIA_ROOT))
    enrolled = login_client(student)
    for url in (
        f"/media/{name}",
        f"/media/protected/{name}",
        f"/media/../protected/{name}",
        f"/media/%2e%2e/protected/{name}",
    ):
        for who in (client, enrolled):
            response = who.get(url)
            # 400: Django refuses the path traversal outright.
            assert response.status_code in (400, 404), url
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert CLIP[:64] not in body


def test_the_lesson_page_links_the_video_only_through_the_protected_view(lesson_setup):
    _course, _unit, lesson, video, student = lesson_setup
    response = login_client(student).get(lesson.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'src="{_video_url(lesson, video)}"' in html
    assert video.file.name not in html
    media_urls = re.findall(r"/media/[^\"' >]*", html)
    assert not [url for url in media_urls if url.endswith(".mp4") or "videos/" in url]


# --- documents ------------------------------------------------------------------------------
@pytest.fixture
def lesson_document(lesson_setup):
    _course, unit, _lesson, _video, student = lesson_setup
    document = Document.objects.create(
        title="Slides", file=SimpleUploadedFile("slides.txt", b"stack slides")
    )
    lesson = make_lesson(unit, title="With slides", body=[("document", document)])
    assert ReferenceIndex.get_references_to(document).exists()
    assert LessonPage.objects.filter(pk=lesson.pk).exists()
    return document, student


def test_a_document_used_in_a_lesson_is_served_to_enrolled_students(lesson_document):
    document, student = lesson_document
    response = login_client(student).get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"stack slides"


def test_a_document_used_in_a_lesson_is_refused_to_others(client, lesson_document):
    document, _student = lesson_document
    response = client.get(document.url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = login_client(StudentFactory()).get(document.url)
    assert response.status_code == 403
    assert b"stack slides" not in response.content


def test_an_unreferenced_document_is_served_as_wagtail_serves_it(client):
    document = Document.objects.create(
        title="Public", file=SimpleUploadedFile("public.txt", b"public text")
    )
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"public text"


def test_the_file_url_is_a_preview_for_the_people_who_manage_the_video(db, teacher, reviewer):
    from tests.factories import StudentFactory, TeacherFactory

    course = make_course(teachers=[teacher])
    video = make_video(course=course)
    url = video.file.url
    assert url == f"/learn/video/file/{video.file.name}"
    for manager in (teacher, reviewer):
        response = login_client(manager).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == CLIP
    student = StudentFactory()
    grant_access(course=course, user=student, source="test")  # enrolled, still no preview
    for outsider in (student, TeacherFactory()):
        assert login_client(outsider).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_a_teacher_can_open_the_video_in_the_admin(db, teacher):
    from django.urls import reverse

    from courses.services import ensure_teacher_permissions

    course = make_course(teachers=[teacher])
    ensure_teacher_permissions()
    video = make_video(course=course)
    client = login_client(teacher)
    for name in ("edit", "usage"):
        url = reverse(f"wagtailsnippets_courses_video:{name}", args=[video.pk])
        assert client.get(url).status_code == 200, name
    listing = client.get(reverse("wagtailsnippets_courses_video:list"))
    assert listing.status_code == 200
    assert client.get(reverse("wagtailsnippetchoosers_courses_video:choose")).status_code == 200
