"""A "Statistics" button on course pages in the Wagtail admin (listing and page header)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets.button import Button

from courses.models import CoursePage
from courses.services.questions import courses_taught_by
from lms.accounts.models import Role


def _stats_button(page, user, priority: int):
    if page.specific_class is not CoursePage:
        return
    if not (user.has_role(Role.REVIEWER) or courses_taught_by(user).filter(pk=page.pk).exists()):
        return
    yield Button(
        _("Statistics"),
        reverse("courses:course_stats", args=[page.pk]),
        icon_name="table",
        priority=priority,
    )


def course_stats_listing_button(page, user, next_url=None):
    """For the ``register_page_listing_more_buttons`` hook."""
    yield from _stats_button(page, user, priority=45)


def course_stats_header_button(page, user, view_name, next_url=None):
    """For the ``register_page_header_buttons`` hook."""
    yield from _stats_button(page, user, priority=45)
