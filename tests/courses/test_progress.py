"""Progress that seeking cannot fake: merging, clamping, wall-clock limits, completion."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import empty

from courses.models import LessonCompletion, VideoProgress
from courses.services import grant_access
from courses.services.progress import (
    clamp_intervals,
    issue_player_token,
    mark_lesson_done,
    merge_intervals,
    read_player_token,
    record_progress,
)
from courses.storage import protected_storage
from tests.conftest import login_client
from tests.factories import StudentFactory
from tests.factories.courses import make_course, make_lesson, make_unit, make_video

pytestmark = pytest.mark.django_db
T0 = timezone.now().replace(microsecond=0)


def at(seconds: float):
    return T0 + timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def _protected_root(settings, tmp_path):
    settings.PROTECTED_MEDIA_ROOT = tmp_path / "protected"
    protected_storage._wrapped = empty
    yield
    protected_storage._wrapped = empty


@pytest.fixture
def setup(teacher):
    course = make_course(teachers=[teacher])
    unit = make_unit(course)
    video = make_video(course=course)  # 8.0 s
    lesson = make_lesson(unit, videos=[video], completion_threshold=90)
    student = StudentFactory()
    grant_access(course=course, user=student, source="test")
    return lesson, video, student


def report(setup, intervals, position, now, opened_at=T0):
    lesson, video, student = setup
    return record_progress(
        user=student,
        lesson=lesson,
        video=video,
        intervals=intervals,
        position=position,
        opened_at=opened_at,
        now=now,
    )


def snapshot(student):
    return (
        list(VideoProgress.objects.filter(user=student).values()),
        list(LessonCompletion.objects.filter(user=student).values()),
    )


# --- intervals ------------------------------------------------------------------------------
def test_merge_joins_overlapping_and_touching_intervals():
    assert merge_intervals([[5, 6], [0, 2], [1, 3], [3, 4], [7, 7]]) == [[0, 4], [5, 6]]


def test_clamp_cuts_to_the_duration_and_drops_empty_or_non_finite():
    assert clamp_intervals([[-3, 2], [7, 12], [9, 10], [float("nan"), 1]], 8.0) == [
        [0.0, 2.0],
        [7.0, 8.0],
    ]


# --- seeking cannot fake progress -----------------------------------------------------------
def test_a_report_claiming_the_whole_video_after_one_second_is_refused_and_changes_nothing(
    setup,
):
    lesson, _video, student = setup
    first = report(setup, [[0, 1]], 1, now=at(1))
    assert first.accepted
    before = snapshot(student)

    result = report(setup, [[0, 8]], 8, now=at(2))

    assert not result.accepted
    assert result.reason == "too_fast"
    assert not result.lesson_completed
    assert result.watched_seconds == 1.0
    assert snapshot(student) == before
    assert not LessonCompletion.objects.filter(user=student, lesson=lesson).exists()


def test_a_first_report_cannot_claim_more_than_the_time_since_the_page_opened(setup):
    _lesson, _video, student = setup
    result = report(setup, [[0, 8]], 8, now=at(1))
    assert not result.accepted
    assert VideoProgress.objects.filter(user=student).count() == 0  # no row left behind


def test_a_first_report_without_a_page_open_time_gets_only_the_grace(setup):
    result = report(setup, [[0, 5]], 5, now=at(60), opened_at=None)
    assert not result.accepted
    assert report(setup, [[0, 1.5]], 1.5, now=at(60), opened_at=None).accepted


def test_seeking_to_the_end_and_reporting_the_position_does_not_complete(setup):
    lesson, _video, student = setup
    result = report(setup, [[0, 1]], 8.0, now=at(1))
    assert result.accepted
    assert result.position == 8.0
    assert result.watched_seconds == 1.0
    assert not result.lesson_completed
    assert not LessonCompletion.objects.filter(user=student, lesson=lesson).exists()


def test_honest_playback_over_simulated_time_completes_the_lesson(setup):
    lesson, _video, student = setup
    assert not report(setup, [[0, 3]], 3, now=at(3)).lesson_completed
    assert not report(setup, [[3, 6]], 6, now=at(6)).lesson_completed
    result = report(setup, [[6, 7.3]], 7.3, now=at(7.3))
    assert result.accepted
    assert result.watched_seconds == 7.3
    assert result.lesson_completed  # 7.3 / 8 = 91 % >= 90 %
    completion = LessonCompletion.objects.get(user=student, lesson=lesson)
    assert completion.completed_at == at(7.3)


def test_playback_at_double_speed_is_accepted(setup):
    assert report(setup, [[0, 4]], 4, now=at(2)).accepted
    assert report(setup, [[4, 8]], 8, now=at(4)).lesson_completed


def test_watching_below_the_threshold_does_not_complete(setup):
    result = report(setup, [[0, 7]], 7, now=at(8))
    assert result.accepted
    assert result.covered == 7 / 8
    assert not result.lesson_completed


def test_a_lesson_completes_only_when_every_video_is_covered(teacher):
    course = make_course(teachers=[teacher])
    first, second = make_video(course=course), make_video(course=course)
    lesson = make_lesson(make_unit(course), videos=[first, second])
    student = StudentFactory()
    grant_access(course=course, user=student, source="test")
    kwargs = {"user": student, "lesson": lesson, "opened_at": T0}
    done = record_progress(video=first, intervals=[[0, 8]], position=8, now=at(8), **kwargs)
    assert not done.lesson_completed
    done = record_progress(video=second, intervals=[[0, 8]], position=8, now=at(16), **kwargs)
    assert done.lesson_completed


# --- merging, clamping, idempotence, resume -------------------------------------------------
def test_reports_are_merged_and_clamped(setup):
    _lesson, video, student = setup
    report(setup, [[-2, 2]], 2, now=at(4))
    result = report(setup, [[1, 3], [6, 30]], 30, now=at(20))
    assert result.accepted
    progress = VideoProgress.objects.get(user=student, video=video)
    assert progress.intervals == [[0.0, 3.0], [6.0, 8.0]]
    assert progress.watched_seconds == 5.0
    assert progress.position == 8.0  # clamped too


def test_a_repeated_report_changes_nothing(setup):
    _lesson, _video, student = setup
    report(setup, [[0, 4]], 4, now=at(4))
    before = snapshot(student)
    for seconds in (5, 6, 60):
        result = report(setup, [[0, 4]], 4, now=at(seconds))
        assert result.accepted
        assert result.watched_seconds == 4.0
    assert snapshot(student) == before


def test_a_replayed_segment_adds_nothing(setup):
    report(setup, [[0, 4]], 4, now=at(4))
    result = report(setup, [[1, 3]], 3, now=at(6))
    assert result.watched_seconds == 4.0
    assert result.position == 3.0


def test_the_resume_position_is_stored_and_shown_on_the_lesson_page(setup):
    lesson, video, student = setup
    report(setup, [[0, 5.25]], 5.25, now=at(6))
    assert VideoProgress.objects.get(user=student, video=video).position == 5.25
    html = login_client(student).get(lesson.url).content.decode()
    assert 'data-position="5.250"' in html


# --- who may report -------------------------------------------------------------------------
def test_a_student_not_enrolled_cannot_report(setup):
    lesson, video, _student = setup
    outsider = StudentFactory()
    with pytest.raises(PermissionDenied):
        record_progress(user=outsider, lesson=lesson, video=video, intervals=[[0, 1]], position=1)
    assert VideoProgress.objects.count() == 0


def test_a_video_of_another_lesson_cannot_be_reported_under_this_one(setup):
    lesson, _video, student = setup
    other = make_video()
    make_lesson(lesson.get_parent().specific, videos=[other])
    with pytest.raises(PermissionDenied):
        record_progress(user=student, lesson=lesson, video=other, intervals=[[0, 1]], position=1)
    assert VideoProgress.objects.count() == 0


def test_teachers_and_reviewers_watch_without_records(setup, teacher, reviewer):
    lesson, video, _student = setup
    for user in (teacher, reviewer):
        result = record_progress(
            user=user, lesson=lesson, video=video, intervals=[[0, 1]], position=1, now=at(5)
        )
        assert result.accepted
        assert not result.recorded
    assert VideoProgress.objects.count() == 0


# --- lessons without videos -----------------------------------------------------------------
def test_a_lesson_without_videos_is_marked_done_by_the_student(setup):
    lesson, _video, student = setup
    reading = make_lesson(lesson.get_parent().specific, title="Reading")
    client = login_client(student)
    assert "Mark this lesson as done" in client.get(reading.url).content.decode()
    response = client.post(reverse("courses:lesson_done", args=[reading.pk]))
    assert response.status_code == 302
    first = LessonCompletion.objects.get(user=student, lesson=reading)
    client.post(reverse("courses:lesson_done", args=[reading.pk]))
    assert LessonCompletion.objects.get(user=student, lesson=reading) == first


def test_a_lesson_with_videos_cannot_be_marked_done(setup):
    lesson, _video, student = setup
    with pytest.raises(ValueError):
        mark_lesson_done(user=student, lesson=lesson)
    response = login_client(student).post(reverse("courses:lesson_done", args=[lesson.pk]))
    assert response.status_code == 302
    assert LessonCompletion.objects.count() == 0


# --- the JSON endpoint ----------------------------------------------------------------------
def _url(lesson, video):
    return reverse("courses:progress", args=[lesson.pk, video.pk])


def test_the_endpoint_records_a_report_and_answers_json(setup):
    lesson, video, student = setup
    token = issue_player_token(user=student, lesson=lesson, video=video, now=at(-5))
    response = login_client(student).post(
        _url(lesson, video),
        json.dumps({"intervals": [[0, 4]], "position": 4, "token": token}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "accepted": True,
        "recorded": True,
        "reason": "",
        "message": "",
        "covered": 0.5,
        "watched_seconds": 4.0,
        "duration": 8.0,
        "position": 4.0,
        "completed": False,
    }


def test_the_endpoint_refuses_a_seek_to_the_end_right_after_the_page_opened(setup):
    lesson, video, student = setup
    token = issue_player_token(user=student, lesson=lesson, video=video)
    response = login_client(student).post(
        _url(lesson, video),
        json.dumps({"intervals": [[0, 8]], "position": 8, "token": token}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["accepted"] is False
    assert VideoProgress.objects.count() == 0


def test_a_token_for_another_user_or_video_is_ignored(setup):
    lesson, video, student = setup
    token = issue_player_token(user=student, lesson=lesson, video=video)
    assert read_player_token(token, user=student, lesson=lesson, video=video) is not None
    assert read_player_token(token, user=StudentFactory(), lesson=lesson, video=video) is None
    assert read_player_token("forged", user=student, lesson=lesson, video=video) is None


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        '{"intervals": "0-8", "position": 1}',
        '{"intervals": [[5, 1]], "position": 1}',
        '{"intervals": [[0, "x"]], "position": 1}',
        '{"intervals": [[0, 1]], "position": "end"}',
        '{"intervals": [[0, 1e999]], "position": 1}',
        json.dumps({"intervals": [[0, 1]] * 201, "position": 1}),
    ],
)
def test_a_bad_body_gets_400_with_a_message_and_changes_nothing(setup, body):
    lesson, video, student = setup
    response = login_client(student).post(
        _url(lesson, video), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]
    assert VideoProgress.objects.count() == 0


def test_the_endpoint_is_csrf_protected(setup):
    lesson, video, student = setup
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = client.post(
        _url(lesson, video), '{"intervals": [], "position": 0}', content_type="application/json"
    )
    assert response.status_code == 403
    assert VideoProgress.objects.count() == 0


def test_the_endpoint_refuses_outsiders(client, setup):
    lesson, video, _student = setup
    body = '{"intervals": [[0, 1]], "position": 1}'
    assert (
        client.post(_url(lesson, video), body, content_type="application/json").status_code == 403
    )
    outsider = login_client(StudentFactory())
    response = outsider.post(_url(lesson, video), body, content_type="application/json")
    assert response.status_code == 403
    assert VideoProgress.objects.count() == 0
