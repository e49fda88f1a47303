"""A teacher lists, chooses and edits only their own courses' videos and questions."""

import pytest
from django.urls import reverse

from courses.services import ensure_teacher_permissions
from tests.conftest import login_client
from tests.factories import TeacherFactory
from tests.factories.courses import make_course, make_video, single_choice

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_courses(teacher):
    mine = make_course(teachers=[teacher], title="Mine")
    theirs = make_course(teachers=[TeacherFactory()], title="Theirs")
    ensure_teacher_permissions()
    return mine, theirs


def test_the_video_chooser_and_listing_show_only_my_courses_videos(teacher, two_courses):
    mine, theirs = two_courses
    make_video(title="My stacks video", course=mine)
    make_video(title="Their graphs video", course=theirs)
    client = login_client(teacher)
    for url in (
        reverse("wagtailsnippetchoosers_courses_video:choose"),
        reverse("wagtailsnippetchoosers_courses_video:choose_results"),
        reverse("wagtailsnippets_courses_video:list"),
    ):
        html = client.get(url).content.decode()
        assert "My stacks video" in html, url
        assert "Their graphs video" not in html, url


def test_another_teachers_video_cannot_be_edited_or_deleted(teacher, two_courses):
    _mine, theirs = two_courses
    video = make_video(title="Their graphs video", course=theirs)
    client = login_client(teacher)
    for name in ("edit", "delete"):
        response = client.get(reverse(f"wagtailsnippets_courses_video:{name}", args=[video.pk]))
        assert response.status_code in (302, 403), name
    client.post(reverse("wagtailsnippets_courses_video:delete", args=[video.pk]))
    video.refresh_from_db()
    assert video.title == "Their graphs video"


def test_the_question_chooser_shows_only_my_courses_questions(teacher, two_courses):
    mine, theirs = two_courses
    single_choice(text="Mine: which is LIFO?", course=mine)
    single_choice(text="Theirs: which is FIFO?", course=theirs)
    client = login_client(teacher)
    for url in (
        reverse("wagtailsnippetchoosers_courses_question:choose"),
        reverse("wagtailsnippetchoosers_courses_question:choose_results"),
    ):
        html = client.get(url).content.decode()
        assert "Mine: which is LIFO?" in html, url
        assert "Theirs: which is FIFO?" not in html, url
