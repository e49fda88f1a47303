"""The teacher's offering screens: my offerings, one offering (roster, timetable, sessions).

Thin: who may do what lives in classrooms.services.enrolment (can_manage_offering,
can_view_offering) and every change is a service call. Reviewers read every offering;
teachers and assistants manage their own; everybody else gets 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from classrooms.models import Offering, Session, SessionStatus
from classrooms.offering_forms import (
    MoveSessionForm,
    OfferingForm,
    RosterAddForm,
    RosterUploadForm,
    RuleForm,
)
from classrooms.services import enrolment, scheduling
from classrooms.views import get_offering_or_404
from lms.accounts.models import Role
from lms.accounts.tables import Row

PREVIEW_KEY = "classrooms:roster-preview:%s"


def _forbidden(request):
    return render(request, "classrooms/offerings_forbidden.html", status=403)


def _is_staff(user) -> bool:
    return user.is_superuser or user.has_role(Role.TEACHER) or user.has_role(Role.REVIEWER)


@login_required
def offering_list(request):
    if not _is_staff(request.user):
        return _forbidden(request)
    offerings = enrolment.offerings_for_staff(request.user).prefetch_related("teachers")
    return render(
        request,
        "classrooms/offerings_list.html",
        {"offerings": offerings, "can_create": request.user.has_role(Role.TEACHER)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def offering_create(request):
    if not request.user.has_role(Role.TEACHER):
        return _forbidden(request)
    form = OfferingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            offering = enrolment.create_offering(
                **{name: form.cleaned_data[name] for name in OfferingForm.Meta.fields},
                teachers=[request.user],
                by=request.user,
            )
        except PermissionDenied:
            return _forbidden(request)
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
        else:
            messages.success(request, _("The offering was created."))
            return redirect("classrooms:offering_detail", offering.pk)
    return render(request, "classrooms/offerings_form.html", {"form": form})


@login_required
def offering_detail(request, offering_id: int):
    offering = get_offering_or_404(offering_id)
    if not enrolment.can_view_offering(request.user, offering):
        return _forbidden(request)
    enrolments = offering.enrolments.select_related("student").order_by(
        "dropped_at", "student__number"
    )
    sessions = Session.objects.filter(offering=offering).order_by("starts_at", "pk")
    return render(
        request,
        "classrooms/offerings_detail.html",
        {
            "offering": offering,
            "can_manage": enrolment.can_manage_offering(request.user, offering),
            "enrolments": enrolments,
            "active_count": sum(1 for e in enrolments if e.dropped_at is None),
            "rules": offering.rules.all(),
            "sessions": sessions,
            "add_form": RosterAddForm(),
            "upload_form": RosterUploadForm(),
            "rule_form": RuleForm(),
            "cancelled": SessionStatus.CANCELLED,
        },
    )


def _managed(request, offering_id: int) -> Offering | None:
    offering = get_offering_or_404(offering_id)
    return offering if enrolment.can_manage_offering(request.user, offering) else None


# --- roster ------------------------------------------------------------------------------------
@login_required
@require_POST
def roster_add(request, offering_id: int):
    offering = _managed(request, offering_id)
    if offering is None:
        return _forbidden(request)
    form = RosterAddForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    else:
        try:
            enrolment.enrol_by_number(offering=offering, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("%(number)s is on the roster.") % {"number": form.cleaned_data["number"]},
            )
    return redirect("classrooms:offering_detail", offering.pk)


@login_required
@require_POST
def roster_drop(request, offering_id: int, student_id: int):
    offering = _managed(request, offering_id)
    if offering is None:
        return _forbidden(request)
    dropped = offering.enrolments.select_related("student").filter(student_id=student_id).first()
    if dropped is not None:
        enrolment.drop_student(offering=offering, student=dropped.student)
        messages.success(request, _("%(name)s was dropped.") % {"name": dropped.student})
    return redirect("classrooms:offering_detail", offering.pk)


@login_required
@require_http_methods(["GET", "POST"])
def roster_upload(request, offering_id: int):
    """Step 1 (file): a dry run shown as a preview. Step 2 (confirm): the real import."""
    offering = _managed(request, offering_id)
    if offering is None:
        return _forbidden(request)
    key = PREVIEW_KEY % offering.pk
    if request.method == "POST" and "confirm" in request.POST:
        stored = request.session.pop(key, None)
        if not stored:
            messages.error(request, _("The preview expired; upload the file again."))
            return redirect("classrooms:roster_upload", offering.pk)
        rows = [Row(number=number, values=values) for number, values in stored]
        report = enrolment.import_roster(offering=offering, rows=rows)
        if report.ok:
            messages.success(
                request,
                _(
                    "Roster imported: %(enrolled)s enrolled, %(back)s re-enrolled, "
                    "%(updated)s updated."
                )
                % {
                    "enrolled": len(report.enrolled),
                    "back": len(report.reactivated),
                    "updated": len(report.updated),
                },
            )
            return redirect("classrooms:offering_detail", offering.pk)
        form = RosterUploadForm()
    else:
        form = RosterUploadForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            report = enrolment.import_roster(offering=offering, rows=form.rows, dry_run=True)
            if report.ok:
                request.session[key] = [[row.number, row.values] for row in form.rows]
    return render(
        request,
        "classrooms/offerings_roster_upload.html",
        {"offering": offering, "form": form, "report": report},
    )


# --- timetable rules and sessions -------------------------------------------------------------
@login_required
@require_POST
def rule_add(request, offering_id: int):
    offering = _managed(request, offering_id)
    if offering is None:
        return _forbidden(request)
    form = RuleForm(request.POST)
    if form.is_valid():
        try:
            _rule, result = scheduling.add_rule(offering=offering, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Rule added; %(count)s sessions created.") % {"count": result.created},
            )
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for message in errors:
                messages.error(request, f"{label}: {message}" if label else message)
    return redirect("classrooms:offering_detail", offering.pk)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, offering_id: int, rule_id: int):
    """Edit a whole series: the rule changes and its unmoved sessions follow it.

    Moved and cancelled sessions stay where they are. Invalid changes and conflicts are
    shown on the form and change nothing (scheduling.update_rule is atomic).
    """
    offering = _managed(request, offering_id)
    if offering is None:
        return _forbidden(request)
    rule = get_object_or_404(offering.rules, pk=rule_id)
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in RuleForm.Meta.fields}
        rule = get_object_or_404(offering.rules, pk=rule_id)  # the form changed the instance
        try:
            result = scheduling.update_rule(rule=rule, **changes)
        except scheduling.ConflictError as error:
            form.add_error(None, _("Nothing was changed: the new timetable has conflicts."))
            for message in error.messages:
                form.add_error(None, message)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, messages_ in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages_)
            else:
                for message in error.messages:
                    form.add_error(None, message)
        else:
            messages.success(
                request,
                _(
                    "Rule changed: %(updated)s sessions moved, %(created)s created, "
                    "%(deleted)s deleted; %(kept)s moved or cancelled sessions kept."
                )
                % {
                    "updated": result.updated,
                    "created": result.created,
                    "deleted": result.deleted,
                    "kept": result.kept,
                },
            )
            return redirect("classrooms:offering_detail", offering.pk)
    return render(
        request,
        "classrooms/offerings_rule_edit.html",
        {"offering": offering, "rule": rule, "form": form},
    )


@login_required
@require_POST
def rule_delete(request, offering_id: int, rule_id: int):
    offering = _managed(request, offering_id)
    if offering is None:
        return _forbidden(request)
    rule = get_object_or_404(offering.rules, pk=rule_id)
    result = scheduling.delete_rule(rule=rule)
    messages.success(
        request,
        _("Rule deleted with %(deleted)s sessions; %(kept)s moved or recorded sessions kept.")
        % {"deleted": result.deleted, "kept": result.kept},
    )
    return redirect("classrooms:offering_detail", offering.pk)


@login_required
@require_POST
def sessions_generate(request, offering_id: int):
    offering = _managed(request, offering_id)
    if offering is None:
        return _forbidden(request)
    try:
        result = scheduling.generate_sessions(offering=offering)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("classrooms:offering_detail", offering.pk)
    if result.conflicts:
        messages.error(request, _("Nothing was saved: the timetable has conflicts."))
        for conflict in result.conflicts:
            messages.error(request, conflict.message)
    else:
        messages.success(
            request,
            _("Sessions: %(created)s created, %(updated)s updated, %(deleted)s deleted.")
            % {"created": result.created, "updated": result.updated, "deleted": result.deleted},
        )
    return redirect("classrooms:offering_detail", offering.pk)


def _session(offering: Offering, session_id: int) -> Session:
    return get_object_or_404(Session.objects.filter(offering=offering), pk=session_id)


@login_required
@require_http_methods(["GET", "POST"])
def session_move(request, offering_id: int, session_id: int):
    offering = _managed(request, offering_id)
    if offering is None:
        return _forbidden(request)
    session = _session(offering, session_id)
    form = MoveSessionForm(
        request.POST or None, initial={"date": session.date, "room": session.room}
    )
    if request.method == "POST" and form.is_valid():
        try:
            scheduling.move_session(session=session, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The session was moved."))
            return redirect("classrooms:offering_detail", offering.pk)
    return render(
        request,
        "classrooms/offerings_session_move.html",
        {"offering": offering, "session": session, "form": form},
    )


@login_required
@require_POST
def session_cancel(request, offering_id: int, session_id: int):
    offering = _managed(request, offering_id)
    if offering is None:
        return _forbidden(request)
    scheduling.cancel_session(session=_session(offering, session_id), by=request.user)
    messages.success(request, _("The session was cancelled."))
    return redirect("classrooms:offering_detail", offering.pk)
