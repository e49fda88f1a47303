from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from wagtail import hooks

from courses.models import CoursePage
from courses.services import access


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
