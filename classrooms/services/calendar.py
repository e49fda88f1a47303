"""The teaching calendar (教学日历): draft generation, editing, publication, hours by mode.

The working calendar of an offering is its CalendarEntry rows (the draft). Teachers and
assistants of the offering edit it; publishing freezes a full snapshot as a numbered
CalendarPublication, which is the only thing students see. Every publication is kept with
who, when and what changed since the previous one.

Every write here locks the offering row (``select_for_update``) for its short transaction,
so two teachers editing or publishing at once cannot interleave positions or numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from classrooms.models import (
    CalendarEntry,
    CalendarPublication,
    LearningMode,
    Offering,
    Organisation,
    Session,
)
from classrooms.services.enrolment import can_manage_offering
from courses.services import course_item_kinds, course_units
from lms.accounts.models import Role

# Hours given to a generated online self-study entry; the teacher adjusts them.
DRAFT_ONLINE_HOURS = Decimal("1")
# Outside this range an entry's class hours are suspicious but allowed (a warning).
USUAL_HOURS = (Decimal("1"), Decimal("4"))
EDITABLE_FIELDS = {"week", "class_hours", "content", "mode", "organisation", "session", "due_at"}


@dataclass
class EntryChange:
    """The outcome of adding or updating an entry: the saved entry and non-blocking warnings."""

    entry: CalendarEntry
    warnings: list[str] = field(default_factory=list)


# --- who may do what -------------------------------------------------------------------------
def calendar_role(user, offering: Offering) -> str | None:
    """How ``user`` relates to ``offering``'s calendar: "editor", "reviewer", "student" or None.

    Editors are the offering's teachers and assistants (and superusers); reviewers read the
    draft and the history; actively enrolled students read the published calendar only.
    At most three queries.
    """
    if not user.is_authenticated:
        return None
    if can_manage_offering(user, offering):
        return "editor"
    if user.has_role(Role.REVIEWER):  # can_view_offering's rule, without asking twice
        return "reviewer"
    if offering.enrolments.active().filter(student_id=user.pk).exists():
        return "student"
    return None


def can_edit_calendar(user, offering: Offering) -> bool:
    """The offering's teachers and assistants (and superusers) edit and publish its calendar."""
    return calendar_role(user, offering) == "editor"


def can_view_draft_calendar(user, offering: Offering) -> bool:
    """Editors and reviewers (read only) may see the working draft and the history."""
    return calendar_role(user, offering) in {"editor", "reviewer"}


def can_view_calendar(user, offering: Offering) -> bool:
    """The published calendar: editors, reviewers and students enrolled in the offering."""
    return calendar_role(user, offering) is not None


def _require_editor(user, offering: Offering) -> None:
    if not can_edit_calendar(user, offering):
        raise PermissionDenied(
            _("Only the offering's teachers and assistants may edit its calendar.")
        )


def _lock(offering: Offering) -> Offering:
    return Offering.objects.select_for_update().get(pk=offering.pk)


# --- draft generation ------------------------------------------------------------------------
@transaction.atomic
def generate_draft(*, offering: Offering, by, replace: bool = False) -> list[CalendarEntry]:
    """Build the working calendar in one step from the scheduled sessions and the course's units.

    The units are spread evenly over the sessions in order: unit ``i`` prepares the block of
    sessions starting at ``i * sessions // units``. Before the first session of each unit's
    block comes an online self-study entry linking the unit's lessons and quizzes, due at that
    session's start; each session gets an in-class lecture entry titled with its unit.

    Refuses (ValidationError) when the offering already has entries, unless ``replace`` is
    true, in which case they are all replaced. Atomic; only the offering's teachers and
    assistants may call it (PermissionDenied otherwise).
    """
    _require_editor(by, offering)
    _lock(offering)
    existing = CalendarEntry.objects.filter(offering=offering)
    if existing.exists() and not replace:
        raise ValidationError(
            _("This calendar already has entries. Choose to replace them to generate a new draft.")
        )
    existing.delete()

    sessions = list(Session.objects.for_offering(offering).scheduled().order_by("starts_at", "id"))
    units = course_units(offering.course)
    starts: dict[int, list] = {}  # session index -> units whose block starts there
    if sessions:
        for i, unit in enumerate(units):
            starts.setdefault(i * len(sessions) // len(units), []).append(unit)

    entries: list[CalendarEntry] = []
    links: list[tuple[CalendarEntry, list[int]]] = []
    current: list = []
    for index, session in enumerate(sessions):
        if index in starts:
            current = starts[index]
            for unit in current:
                online = CalendarEntry(
                    offering=offering,
                    position=len(entries) + 1,
                    week=session.week,
                    class_hours=DRAFT_ONLINE_HOURS,
                    content=_("Prepare: %(unit)s") % {"unit": unit.page.title},
                    mode=LearningMode.ONLINE,
                    organisation=Organisation.INDIVIDUAL,
                    session=session,
                    due_at=None,
                )
                entries.append(online)
                links.append((online, [item.page.pk for item in unit.items]))
        content = "; ".join(unit.page.title for unit in current) or _("Class")
        entries.append(
            CalendarEntry(
                offering=offering,
                position=len(entries) + 1,
                week=session.week,
                class_hours=Decimal(session.class_hours),
                content=content,
                mode=LearningMode.LECTURE,
                organisation=session.organisation,
                session=session,
            )
        )
    CalendarEntry.objects.bulk_create(entries)
    through = CalendarEntry.items.through
    through.objects.bulk_create(
        through(calendarentry_id=entry.pk, page_id=page_id)
        for entry, page_ids in links
        for page_id in page_ids
    )
    return entries


# --- editing ---------------------------------------------------------------------------------
def _check_fields(offering: Offering, fields: dict) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    session = fields.get("session")
    if session is not None and session.offering_id != offering.pk:
        raise ValidationError({"session": _("This session does not belong to this offering.")})


def entry_warnings(entry: CalendarEntry) -> list[str]:
    """Things worth a second look that do not block saving."""
    warnings = []
    low, high = USUAL_HOURS
    hours = Decimal(entry.class_hours)
    if not low <= hours <= high:
        warnings.append(
            _("%(hours)s class hours is unusual: an entry usually has 1 to 4.") % {"hours": hours}
        )
    if entry.mode in LearningMode.in_class() and entry.session_id is None:
        warnings.append(_("An in-class entry should be linked to the session it happens in."))
    return warnings


def _validated_items(offering: Offering, pages: Iterable) -> list[int]:
    allowed = course_item_kinds(offering.course)
    ids = []
    for page in pages:
        pk = getattr(page, "pk", page)
        if pk not in allowed:
            title = getattr(page, "title", pk)
            raise ValidationError(
                {
                    "items": _("“%(title)s” is not a unit, lesson or quiz of this course.")
                    % {"title": title}
                }
            )
        if pk not in ids:
            ids.append(pk)
    return ids


def _save(entry: CalendarEntry, items) -> EntryChange:
    if entry.class_hours is not None and Decimal(entry.class_hours) <= 0:
        raise ValidationError({"class_hours": _("Class hours must be more than zero.")})
    entry.full_clean()
    item_ids = _validated_items(entry.offering, items) if items is not None else None
    entry.save()
    if item_ids is not None:
        entry.items.set(item_ids)
    return EntryChange(entry=entry, warnings=entry_warnings(entry))


@transaction.atomic
def add_entry(*, offering: Offering, by, items=None, position: int | None = None, **fields):
    """Add an entry at ``position`` (1-based; default last), shifting later ones down.

    Returns an EntryChange with warnings (unusual hours, in-class without a session).
    Atomic; ValidationError on bad input changes nothing; editors only.
    """
    _require_editor(by, offering)
    _lock(offering)
    _check_fields(offering, fields)
    count = CalendarEntry.objects.filter(offering=offering).count()
    position = count + 1 if position is None else max(1, min(position, count + 1))
    entry = CalendarEntry(offering=offering, position=position, **fields)
    if entry.session_id and not fields.get("week"):
        entry.week = entry.session.week
    result = _save(entry, items)
    _renumber(offering, first=entry)
    result.entry.refresh_from_db()
    return result


@transaction.atomic
def update_entry(*, entry: CalendarEntry, by, items=None, **fields) -> EntryChange:
    """Change some of an entry's fields (and, if given, its online ``items``).

    Returns an EntryChange with warnings. Atomic: on ValidationError nothing changes.
    Editors of the entry's offering only.
    """
    offering = entry.offering
    _require_editor(by, offering)
    _lock(offering)
    _check_fields(offering, fields)
    entry = CalendarEntry.objects.get(pk=entry.pk)
    for name, value in fields.items():
        setattr(entry, name, value)
    return _save(entry, items)


@transaction.atomic
def set_items(*, entry: CalendarEntry, by, pages) -> CalendarEntry:
    """Link exactly ``pages`` (units, lessons or quizzes of this course) to the entry.

    ValidationError naming the first foreign page; nothing changes then. Editors only.
    """
    _require_editor(by, entry.offering)
    _lock(entry.offering)
    entry.items.set(_validated_items(entry.offering, pages))
    return entry


@transaction.atomic
def delete_entry(*, entry: CalendarEntry, by) -> None:
    """Remove an entry and close the gap in positions. Editors only; atomic."""
    offering = entry.offering
    _require_editor(by, offering)
    _lock(offering)
    CalendarEntry.objects.filter(pk=entry.pk).delete()
    _renumber(offering)


@transaction.atomic
def move_entry(*, entry: CalendarEntry, by, position: int) -> None:
    """Move an entry to ``position`` (1-based, clamped); the others keep their order."""
    offering = entry.offering
    _require_editor(by, offering)
    _lock(offering)
    entries = list(CalendarEntry.objects.filter(offering=offering).order_by("position", "id"))
    moving = next(e for e in entries if e.pk == entry.pk)
    entries.remove(moving)
    entries.insert(max(0, min(position - 1, len(entries))), moving)
    _write_positions(entries)


def _renumber(offering: Offering, first: CalendarEntry | None = None) -> None:
    """Positions 1..n in order; ``first`` goes before an entry holding the same position."""
    entries = list(CalendarEntry.objects.filter(offering=offering).order_by("position", "id"))
    if first is not None:
        entries.sort(key=lambda e: (e.position, e.pk != first.pk))
    _write_positions(entries)


def _write_positions(entries: list[CalendarEntry]) -> None:
    changed = []
    for number, entry in enumerate(entries, start=1):
        if entry.position != number:
            entry.position = number
            changed.append(entry)
    CalendarEntry.objects.bulk_update(changed, ["position"])


# --- publication -----------------------------------------------------------------------------
def draft_entries(offering: Offering):
    """The working entries in order with their sessions and items (three queries)."""
    return (
        CalendarEntry.objects.filter(offering=offering)
        .select_related("session")
        .prefetch_related("items")
        .order_by("position", "id")
    )


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def snapshot_entries(offering: Offering) -> list[dict]:
    """The draft as the plain data a publication stores (see CalendarPublication.entries)."""
    kinds = course_item_kinds(offering.course)
    rows = []
    for entry in draft_entries(offering):
        session = entry.session
        due = entry.due_at or (session.starts_at if session else None)
        items = []
        for page in sorted(entry.items.all(), key=lambda page: page.path):
            live_page, kind = kinds.get(page.pk, (page, ""))
            items.append(
                {"page_id": page.pk, "title": page.title, "kind": kind, "url": live_page.url or ""}
            )
        rows.append(
            {
                "entry_id": entry.pk,
                "position": entry.position,
                "week": entry.week,
                "class_hours": str(entry.class_hours),
                "content": entry.content,
                "mode": entry.mode,
                "organisation": entry.organisation,
                "session_id": session.pk if session else None,
                "session_starts_at": _iso(session.starts_at) if session else None,
                "session_ends_at": _iso(session.ends_at) if session else None,
                "room": session.room if session else "",
                "due_at": _iso(due),
                "items": items,
            }
        )
    return rows


_COMPARED = {
    "week": _("week"),
    "class_hours": _("class hours"),
    "content": _("content"),
    "mode": _("learning mode"),
    "organisation": _("organisation"),
    "session_id": _("session"),
    "due_at": _("due time"),
}


def describe_changes(old: list[dict], new: list[dict]) -> list[str]:
    """Human-readable differences between two snapshots, matched by entry id."""
    if not old:
        return [_("First publication.")]
    before = {row["entry_id"]: row for row in old}
    after = {row["entry_id"]: row for row in new}
    changes = []
    for row in new:
        label = _("week %(week)s “%(content)s”") % {"week": row["week"], "content": row["content"]}
        previous = before.get(row["entry_id"])
        if previous is None:
            changes.append(_("Added: %(entry)s.") % {"entry": label})
            continue
        names = [str(name) for key, name in _COMPARED.items() if previous.get(key) != row.get(key)]
        if [i["page_id"] for i in previous["items"]] != [i["page_id"] for i in row["items"]]:
            names.append(_("online items"))
        if names:
            changes.append(
                _("Changed %(fields)s: %(entry)s.") % {"fields": ", ".join(names), "entry": label}
            )
    for row in old:
        if row["entry_id"] not in after:
            label = _("week %(week)s “%(content)s”") % {
                "week": row["week"],
                "content": row["content"],
            }
            changes.append(_("Removed: %(entry)s.") % {"entry": label})
    kept_old = [r["entry_id"] for r in old if r["entry_id"] in after]
    kept_new = [r["entry_id"] for r in new if r["entry_id"] in before]
    if kept_old != kept_new:
        changes.append(_("The order of entries changed."))
    return changes or [_("No changes.")]


@transaction.atomic
def publish_calendar(*, offering: Offering, by, now: datetime | None = None):
    """Publish the working calendar as the next numbered CalendarPublication.

    Stores a full snapshot and the list of changes since the previous publication; earlier
    publications are kept untouched. Atomic, numbered under a lock on the offering row.
    Refuses an empty calendar (ValidationError). Editors only.
    """
    _require_editor(by, offering)
    _lock(offering)
    entries = snapshot_entries(offering)
    if not entries:
        raise ValidationError(_("The calendar has no entries to publish."))
    previous = published_calendar(offering)
    number = (
        CalendarPublication.objects.filter(offering=offering).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    return CalendarPublication.objects.create(
        offering=offering,
        number=number,
        published_by=by,
        published_at=now or timezone.now(),
        entries=entries,
        changes=describe_changes(previous.entries if previous else [], entries),
    )


def published_calendar(offering: Offering) -> CalendarPublication | None:
    """The newest publication of ``offering`` (what students see), or None. One query."""
    return (
        CalendarPublication.objects.filter(offering=offering)
        .select_related("published_by")
        .order_by("-number")
        .first()
    )


# --- hours -----------------------------------------------------------------------------------
def _mode_and_hours(entry) -> tuple[str, Decimal]:
    if isinstance(entry, dict):
        return entry["mode"], Decimal(entry["class_hours"])
    return entry.mode, Decimal(entry.class_hours)


def hours_by_mode(entries: Iterable) -> dict[str, Decimal]:
    """Total class hours per learning mode, in LearningMode order, modes with hours only.

    ``entries`` are CalendarEntry rows or publication snapshot rows.
    """
    totals = {mode.value: Decimal("0") for mode in LearningMode}
    for entry in entries:
        mode, hours = _mode_and_hours(entry)
        totals[mode] = totals.get(mode, Decimal("0")) + hours
    return {mode: hours for mode, hours in totals.items() if hours}


def online_share(entries: Iterable) -> Decimal:
    """Online self-study hours as a percentage of all hours, to one decimal (0 if none)."""
    totals = hours_by_mode(entries)
    total = sum(totals.values(), Decimal("0"))
    if not total:
        return Decimal("0.0")
    return (totals.get(LearningMode.ONLINE.value, Decimal("0")) * 100 / total).quantize(
        Decimal("0.1")
    )
