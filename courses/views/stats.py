"""The teacher's statistics screen for a course. Thin: the numbers come from services.stats."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from courses.models import CoursePage
from courses.services import access
from courses.services.stats import compute_course_stats
from lms.accounts.models import Role


def can_view_stats(user, course: CoursePage) -> bool:
    return access.can_manage_course(user, course) or user.has_role(Role.REVIEWER)


@login_required
@require_GET
def course_stats(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.all(), pk=course_id)
    if not can_view_stats(request.user, course):
        return render(request, "courses/stats_forbidden.html", {"course": course}, status=403)
    stats = compute_course_stats(course=course)
    return render(request, "courses/course_stats.html", {"course": course, "stats": stats})
