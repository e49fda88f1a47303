from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from wagtail import hooks
from wagtail.admin.auth import permission_denied
from wagtail.snippets.models import register_snippet

from courses.admin import stats as stats_admin
from courses.admin.questions import QuestionViewSet
from courses.admin.videos import VideoViewSet
from courses.models import CoursePage
from courses.services import access
from courses.services.documents import courses_using_document

register_snippet(VideoViewSet)
register_snippet(QuestionViewSet)
hooks.register("register_page_listing_more_buttons", stats_admin.course_stats_listing_button)
hooks.register("register_page_header_buttons", stats_admin.course_stats_header_button)


@hooks.register("before_serve_page")
def protect_course_content(page, request, serve_args, serve_kwargs):
    """Units, lessons and quizzes are for the course's people; the overview is public."""
    if isinstance(page, CoursePage):
        return None
    course = access.course_of(page)
    if course is None or access.can_view_course_content(request.user, course):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "courses/not_enrolled.html", {"course": course}, status=403)


@hooks.register("before_serve_document")
def protect_course_documents(document, request):
    """A document used in a course's lessons is served only to those who may see them.

    Unreferenced documents, and documents used only outside course content, keep Wagtail's
    own rules (collection privacy).
    """
    courses = courses_using_document(document)
    if not courses or any(access.can_view_course_content(request.user, c) for c in courses):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "courses/not_enrolled.html", {"course": courses[0]}, status=403)


# --- Teachers edit only their own courses --------------------------------------------------
# Wagtail's page permissions are granted on the catalogue (so a teacher can add a course);
# these hooks narrow every change inside a course to that course's teachers.
def _may_change(request, page) -> bool:
    course = access.course_of(page)
    if course is None or request.user.is_superuser:
        return True
    # A course nobody teaches yet may be completed by any teacher with page permissions.
    return not course.teachers.exists() or access.can_manage_course(request.user, course)


def _refuse_unless_teacher(request, page):
    if not _may_change(request, page):
        return permission_denied(request)
    return None


@hooks.register("before_create_page")
def only_teachers_add_to_their_course(request, parent_page, page_class):
    return _refuse_unless_teacher(request, parent_page)


for _hook in (
    "before_edit_page",
    "before_delete_page",
    "before_unpublish_page",
    "before_copy_page",
):
    hooks.register(_hook, _refuse_unless_teacher)


@hooks.register("before_move_page")
def only_teachers_move_within_their_courses(request, page, destination):
    return _refuse_unless_teacher(request, page) or _refuse_unless_teacher(request, destination)
