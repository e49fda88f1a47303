""" "My week" for students and teachers, and the private iCalendar feed."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from classrooms.services import feeds
from classrooms.services.week import student_week, teacher_week
from lms.accounts.models import Role


def _start(request) -> date | None:
    raw = request.GET.get("start")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        messages.error(request, _("That is not a valid date; showing the week from today."))
        return None


@login_required
@require_GET
def my_week(request):
    """A student's sessions and online tasks, or a teacher's sessions, for seven days."""
    user = request.user
    is_student = user.has_role(Role.STUDENT)
    is_teacher = user.has_role(Role.TEACHER)
    if not (is_student or is_teacher):
        raise PermissionDenied
    start = _start(request)
    token = feeds.feed_token_for(user)
    feed_url = request.build_absolute_uri(reverse("classrooms:feed", args=[token.token]))
    studying = student_week(student=user, start=start) if is_student else None
    teaching = teacher_week(teacher=user, start=start) if is_teacher else None
    week = studying or teaching
    days = [
        {
            "date": day.date,
            "is_today": day.is_today,
            "study": studying.days[i] if studying else None,
            "teach": teaching.days[i] if teaching else None,
        }
        for i, day in enumerate(week.days)
    ]
    context = {"week": week, "days": days, "feed_url": feed_url}
    return render(request, "classrooms/week_my.html", context)


@login_required
@require_POST
def revoke_feed(request):
    """Replace the user's feed token: the old calendar link stops working."""
    feeds.revoke_feed_token(request.user)
    messages.success(
        request,
        _("Your calendar link was replaced. The old link no longer works; add the new one."),
    )
    return redirect("classrooms:my_week")


@require_GET
def feed(request, token: str):
    """The iCalendar feed behind a secret token; no login (calendar apps cannot log in)."""
    user = feeds.user_for_token(token)
    if user is None:
        raise Http404
    response = HttpResponse(feeds.build_feed(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="rongke.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
