"""Who may see a course's units, lessons, quizzes and files, and who manages it.

The overview (the CoursePage itself) is public. Below it: the course's teachers, every
reviewer, superusers, and users holding a CourseAccess grant (written by whoever enrols
students; see CourseAccess).
"""

from __future__ import annotations

from wagtail.models import Page

from courses.models import CourseAccess, CoursePage
from lms.accounts.models import Role


def course_of(page: Page) -> CoursePage | None:
    """The course a page belongs to (itself for a CoursePage), or None outside courses."""
    specific = page.specific_deferred if hasattr(page, "specific_deferred") else page
    if isinstance(specific, CoursePage):
        return specific
    return CoursePage.objects.ancestor_of(page).first()


def can_manage_course(user, course: CoursePage) -> bool:
    """Teachers of the course and superusers manage it (grading, statistics)."""
    if not user.is_authenticated:
        return False
    # Ask the database, not ``course.teachers``: on a page being edited that relation is
    # modelcluster's in-memory copy.
    return user.is_superuser or user.taught_courses.filter(pk=course.pk).exists()


def can_view_course_content(user, course: CoursePage) -> bool:
    """May ``user`` open the units, lessons, quizzes and files of ``course``?"""
    if not user.is_authenticated:
        return False
    if can_manage_course(user, course) or user.has_role(Role.REVIEWER):
        return True
    return CourseAccess.objects.filter(course=course, user=user).exists()


def grant_access(*, course: CoursePage, user, source: str) -> None:
    """Give ``user`` access to ``course`` on behalf of ``source``. Idempotent."""
    CourseAccess.objects.get_or_create(course=course, user=user, source=source)


def revoke_access(*, course: CoursePage, user, source: str) -> None:
    """Withdraw the grant made by ``source``; grants from other sources stay. Idempotent."""
    CourseAccess.objects.filter(course=course, user=user, source=source).delete()


def courses_for_learner(user):
    """Live courses ``user`` has been granted access to (one query)."""
    return (
        CoursePage.objects.live()
        .filter(pk__in=CourseAccess.objects.filter(user=user).values("course"))
        .order_by("title")
    )


def courses_for_teacher(user):
    """Courses ``user`` teaches, live or draft (one query)."""
    return CoursePage.objects.filter(teachers=user).order_by("title")
