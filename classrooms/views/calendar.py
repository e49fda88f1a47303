"""The teaching calendar: the teacher's editor, the classic table, print and xlsx export.

Thin: who may do what and every change live in classrooms.services.calendar.
"""

from __future__ import annotations

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classrooms.calendar_forms import CalendarEntryForm, GenerateDraftForm, MoveEntryForm
from classrooms.models import (
    CalendarEntry,
    CalendarPublication,
    LearningMode,
    Offering,
    Organisation,
)
from classrooms.services import calendar as cal
from classrooms.views import get_offering_or_404


def _forbidden(request, offering: Offering):
    return render(request, "classrooms/calendar_forbidden.html", {"offering": offering}, status=403)


def _rows(entries: list[dict]) -> list[dict]:
    """Snapshot rows with display labels and the week cell's rowspan (weeks × entries)."""
    rows = []
    for index, entry in enumerate(entries):
        starts = parse_datetime(entry["session_starts_at"]) if entry["session_starts_at"] else None
        due = parse_datetime(entry["due_at"]) if entry["due_at"] else None
        row = {
            **entry,
            "mode_label": LearningMode(entry["mode"]).label,
            "organisation_label": (
                Organisation(entry["organisation"]).label if entry["organisation"] else ""
            ),
            "session_start": timezone.localtime(starts) if starts else None,
            "due": timezone.localtime(due) if due else None,
            "week_span": 0,
        }
        if index == 0 or entries[index - 1]["week"] != entry["week"]:
            span = 1
            while index + span < len(entries) and entries[index + span]["week"] == entry["week"]:
                span += 1
            row["week_span"] = span
        rows.append(row)
    return rows


def _hours(entries: list[dict]) -> dict:
    by_mode = cal.hours_by_mode(entries)
    return {
        "by_mode": [(LearningMode(mode).label, hours) for mode, hours in by_mode.items()],
        "total": sum(by_mode.values()),
        "online_share": cal.online_share(entries),
    }


# --- the classic table (teacher, reviewer, student) -------------------------------------------
@login_required
@require_GET
def calendar_table(request, offering_id: int):
    """The published calendar; its editors and reviewers may ask for the draft (?draft=1)."""
    offering = get_offering_or_404(offering_id)
    role = cal.calendar_role(request.user, offering)
    if role is None:
        return _forbidden(request, offering)
    staff = role in {"editor", "reviewer"}
    show_draft = staff and request.GET.get("draft") == "1"
    publication = None if show_draft else cal.published_calendar(offering)
    entries = (
        cal.snapshot_entries(offering)
        if show_draft
        else (publication.entries if publication else [])
    )
    return render(
        request,
        "classrooms/calendar_table.html",
        {
            "offering": offering,
            "publication": publication,
            "show_draft": show_draft,
            "staff": staff,
            "can_edit": role == "editor",
            "rows": _rows(entries),
            "hours": _hours(entries),
        },
    )


@login_required
@require_GET
def calendar_xlsx(request, offering_id: int):
    """The published calendar as an xlsx workbook, with hours by mode and the online share."""
    offering = get_offering_or_404(offering_id)
    if not cal.can_view_calendar(request.user, offering):
        return _forbidden(request, offering)
    publication = cal.published_calendar(offering)
    if publication is None:
        return render(
            request, "classrooms/calendar_unpublished.html", {"offering": offering}, status=404
        )
    content = build_workbook(offering, publication)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"calendar-{offering.course.slug}-{offering.section}-v{publication.number}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def build_workbook(offering: Offering, publication: CalendarPublication) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Teaching calendar")[:31]
    bold = Font(bold=True)
    sheet.append([f"{offering.course.title} [{offering.section}] {offering.term.name}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [
            _("Version %(number)s, published %(when)s")
            % {
                "number": publication.number,
                "when": timezone.localtime(publication.published_at).strftime("%Y-%m-%d %H:%M"),
            }
        ]
    )
    headers = [
        _("Week"),
        _("Class hours"),
        _("Content"),
        _("Learning mode"),
        _("Organisation"),
        _("Session"),
        _("Online items"),
        _("Due"),
    ]
    sheet.append(headers)
    for cell in sheet[3]:
        cell.font = bold
    for row in _rows(publication.entries):
        sheet.append(
            [
                row["week"],
                float(row["class_hours"]),
                row["content"],
                str(row["mode_label"]),
                str(row["organisation_label"]),
                (
                    f"{row['session_start']:%Y-%m-%d %H:%M} {row['room']}"
                    if row["session_start"]
                    else ""
                ),
                "\n".join(item["title"] for item in row["items"]),
                f"{row['due']:%Y-%m-%d %H:%M}" if row["due"] and row["items"] else "",
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    hours = _hours(publication.entries)
    sheet.append([])
    sheet.append([_("Hours by learning mode")])
    sheet.cell(row=sheet.max_row, column=1).font = bold
    for label, value in hours["by_mode"]:
        sheet.append([str(label), float(value)])
    sheet.append([_("Total"), float(hours["total"])])
    sheet.append([_("Online share (%)"), float(hours["online_share"])])
    for column, width in zip("ABCDEFGH", (8, 10, 40, 18, 14, 22, 36, 18), strict=True):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# --- the teacher's editor ------------------------------------------------------------------
def _editor_url(offering: Offering) -> str:
    return reverse("classrooms:calendar_edit", args=[offering.pk])


@login_required
@require_GET
def calendar_editor(request, offering_id: int):
    """Entries as cards, generate, add, publish (with the pending changes) and the history."""
    offering = get_offering_or_404(offering_id)
    if not cal.can_edit_calendar(request.user, offering):
        return _forbidden(request, offering)
    entries = cal.snapshot_entries(offering)
    publications = list(
        CalendarPublication.objects.filter(offering=offering)
        .select_related("published_by")
        .order_by("-number")
    )
    # The history is described from the snapshots in the reader's language (the stored
    # ``changes`` are in the publisher's).
    for publication, previous in zip(publications, [*publications[1:], None], strict=False):
        publication.described = cal.describe_changes(
            previous.entries if previous else [], publication.entries
        )
    latest = publications[0] if publications else None
    pending = cal.describe_changes(latest.entries if latest else [], entries) if entries else []
    return render(
        request,
        "classrooms/calendar_editor.html",
        {
            "offering": offering,
            "rows": _rows(entries),
            "hours": _hours(entries),
            "publications": publications,
            "pending": pending,
            "generate_form": GenerateDraftForm(),
        },
    )


@login_required
@require_POST
def calendar_generate(request, offering_id: int):
    offering = get_offering_or_404(offering_id)
    if not cal.can_edit_calendar(request.user, offering):
        return _forbidden(request, offering)
    form = GenerateDraftForm(request.POST)
    form.is_valid()
    try:
        entries = cal.generate_draft(
            offering=offering, by=request.user, replace=form.cleaned_data.get("replace", False)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if entries:
            messages.success(
                request, _("A draft calendar of %(n)s entries was generated.") % {"n": len(entries)}
            )
        else:
            messages.warning(request, _("There are no scheduled sessions to build a draft from."))
    return redirect(_editor_url(offering))


@login_required
@require_POST
def calendar_publish(request, offering_id: int):
    offering = get_offering_or_404(offering_id)
    if not cal.can_edit_calendar(request.user, offering):
        return _forbidden(request, offering)
    try:
        publication = cal.publish_calendar(offering=offering, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Version %(number)s is published.") % {"number": publication.number}
        )
    return redirect(_editor_url(offering))


@login_required
@require_http_methods(["GET", "POST"])
def calendar_entry(request, offering_id: int, entry_id: int | None = None):
    """Add (no ``entry_id``) or edit one entry."""
    offering = get_offering_or_404(offering_id)
    if not cal.can_edit_calendar(request.user, offering):
        return _forbidden(request, offering)
    entry = None
    if entry_id is not None:
        entry = get_object_or_404(CalendarEntry, pk=entry_id, offering=offering)
    initial = {}
    if entry is not None:
        initial = {
            "week": entry.week,
            "class_hours": entry.class_hours,
            "content": entry.content,
            "mode": entry.mode,
            "organisation": entry.organisation,
            "session": entry.session_id,
            "due_at": timezone.localtime(entry.due_at) if entry.due_at else None,
            "items": [page.pk for page in entry.items.all()],
        }
    form = CalendarEntryForm(
        request.POST if request.method == "POST" else None, initial=initial, offering=offering
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        items = list(data.pop("items"))
        try:
            if entry is None:
                result = cal.add_entry(offering=offering, by=request.user, items=items, **data)
            else:
                result = cal.update_entry(entry=entry, by=request.user, items=items, **data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("The entry is saved."))
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect(_editor_url(offering))
    return render(
        request,
        "classrooms/calendar_entry_form.html",
        {"offering": offering, "entry": entry, "form": form},
    )


@login_required
@require_POST
def calendar_entry_delete(request, offering_id: int, entry_id: int):
    offering = get_offering_or_404(offering_id)
    if not cal.can_edit_calendar(request.user, offering):
        return _forbidden(request, offering)
    entry = get_object_or_404(CalendarEntry, pk=entry_id, offering=offering)
    cal.delete_entry(entry=entry, by=request.user)
    messages.success(request, _("The entry is deleted."))
    return redirect(_editor_url(offering))


@login_required
@require_POST
def calendar_entry_move(request, offering_id: int, entry_id: int):
    offering = get_offering_or_404(offering_id)
    if not cal.can_edit_calendar(request.user, offering):
        return _forbidden(request, offering)
    entry = get_object_or_404(CalendarEntry, pk=entry_id, offering=offering)
    form = MoveEntryForm(request.POST)
    if form.is_valid():
        step = -1 if form.cleaned_data["direction"] == "up" else 1
        cal.move_entry(entry=entry, by=request.user, position=entry.position + step)
    return redirect(_editor_url(offering))
