"""The timetable scheduler: rules -> in-person sessions, conflicts, moves and cancellations.

A TimetableRule ("Tuesdays, periods 3-4, weeks 1-8,10-16, odd weeks, room A101") is turned
into Sessions over the term: holidays are skipped, and on a make-up day (调休) classes follow
the timetable of another date (its weekday and week), while that other date has none.

Generated sessions are keyed by (rule, scheduled_for). Running the scheduler again finds them
instead of creating more; sessions changed by hand (moved or cancelled) are left as they are;
sessions that no longer match are deleted only when nothing has been recorded against them.
Conflicts (a teacher or a room booked twice at overlapping times) are reported before
anything is saved.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from classrooms.models import (
    Offering,
    Session,
    SessionStatus,
    Term,
    TimetableRule,
    WeekParity,
)

# Fields the scheduler owns on an unmoved session; a difference means the rule changed.
GENERATED_FIELDS = (
    "week",
    "date",
    "starts_at",
    "ends_at",
    "room",
    "class_hours",
    "organisation",
)


# --- weeks -------------------------------------------------------------------------------------
_DASHES = re.compile(r"\s*[-–—~～－]\s*")
_SEPARATORS = re.compile(r"[,，、;；\s]+")


def parse_weeks(spec: str, *, weeks: int | None = None) -> set[int]:
    """The week numbers in ``spec`` ("1-8,10,12-16"); Chinese commas and dashes are accepted.

    With ``weeks`` (the term's length) every week must lie in 1..weeks. Raises
    ValidationError with a message naming the offending part.
    """
    text = _DASHES.sub("-", (spec or "").strip())
    parts = [p for p in _SEPARATORS.split(text) if p]
    if not parts:
        raise ValidationError(_("Give the weeks, for example 1-8,10,12-16."))
    result: set[int] = set()
    for part in parts:
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if match is None:
            raise ValidationError(
                _("“%(part)s” is not a week or a range of weeks (for example 1-8,10,12-16).")
                % {"part": part}
            )
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if first < 1:
            raise ValidationError(_("Weeks are numbered from 1 (“%(part)s”).") % {"part": part})
        if last < first:
            raise ValidationError(_("The range “%(part)s” ends before it starts.") % {"part": part})
        if weeks is not None and last > weeks:
            raise ValidationError(
                _("Week %(week)s is after the end of the term (%(weeks)s weeks).")
                % {"week": last, "weeks": weeks}
            )
        result.update(range(first, last + 1))
    return result


def rule_weeks(rule: TimetableRule, *, term: Term) -> set[int]:
    """The weeks a rule meets in: its weeks spec intersected with its parity."""
    weeks = parse_weeks(rule.weeks, weeks=term.weeks)
    if rule.parity == WeekParity.ODD:
        return {w for w in weeks if w % 2 == 1}
    if rule.parity == WeekParity.EVEN:
        return {w for w in weeks if w % 2 == 0}
    return weeks


def validate_rule(rule: TimetableRule) -> None:
    """Field validation plus the checks that need the term: periods exist, weeks fit."""
    rule.full_clean()
    term = rule.offering.term
    errors: dict[str, str] = {}
    if rule.last_period < rule.first_period:
        errors["last_period"] = _("The last period cannot come before the first.")
    numbers = set(term.periods.values_list("number", flat=True))
    for name in ("first_period", "last_period"):
        number = getattr(rule, name)
        if number not in numbers and name not in errors:
            errors[name] = _("Period %(number)s is not in the period table of %(term)s.") % {
                "number": number,
                "term": term.name,
            }
    try:
        parse_weeks(rule.weeks, weeks=term.weeks)
    except ValidationError as error:
        errors["weeks"] = error.messages[0]
    if errors:
        raise ValidationError(errors)


# --- planning ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlannedSession:
    """A session the rules call for; ``(rule.pk, scheduled_for)`` is its key."""

    rule: TimetableRule
    scheduled_for: date
    week: int
    date: date
    starts_at: datetime
    ends_at: datetime
    room: str
    class_hours: int
    organisation: str

    @property
    def key(self) -> tuple[int, date]:
        return (self.rule.pk, self.scheduled_for)


def _aware(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock), timezone.get_current_timezone())


def timetable_days(term: Term) -> list[tuple[date, date]]:
    """(date, timetable date) for each day that has classes: the timetable date is the day
    itself, or for a make-up day the date whose weekday and week it follows. Holidays and
    the dates that make-up days take over have no entry."""
    holidays = list(term.holidays.all())
    makeups = {m.date: m.follows_date for m in term.makeup_days.all()}
    taken_over = set(makeups.values())
    days = []
    for offset in range(7 * term.weeks):
        day = term.starts_on + timedelta(days=offset)
        if day in makeups:
            days.append((day, makeups[day]))
        elif day in taken_over or any(h.starts_on <= day <= h.ends_on for h in holidays):
            continue
        else:
            days.append((day, day))
    return days


def plan_sessions(*, offering: Offering, rules=None, days=None) -> list[PlannedSession]:
    """The sessions ``offering``'s timetable rules call for, in date order. Reads only.

    ``rules`` and ``days`` (from ``timetable_days``) may be passed in to save queries.
    Raises ValidationError when a rule names a period missing from the term's table or a
    malformed weeks spec.
    """
    term = offering.term
    if rules is None:
        rules = list(offering.rules.all())
    if days is None:
        days = timetable_days(term)
    periods = {p.number: p for p in term.periods.all()}
    planned = []
    for rule in rules:
        weeks = rule_weeks(rule, term=term)
        first, last = periods.get(rule.first_period), periods.get(rule.last_period)
        if first is None or last is None:
            raise ValidationError(
                _("Period %(number)s is not in the period table of %(term)s.")
                % {
                    "number": rule.first_period if first is None else rule.last_period,
                    "term": term.name,
                }
            )
        for day, follows in days:
            if follows.weekday() != rule.weekday or term.week_of(follows) not in weeks:
                continue
            planned.append(
                PlannedSession(
                    rule=rule,
                    scheduled_for=day,
                    week=term.week_of(day),
                    date=day,
                    starts_at=_aware(day, first.starts_at),
                    ends_at=_aware(day, last.ends_at),
                    room=rule.room,
                    class_hours=rule.class_hours,
                    organisation=rule.organisation,
                )
            )
    planned.sort(key=lambda p: (p.starts_at, p.rule.pk))
    return planned


# --- conflicts ---------------------------------------------------------------------------------
class ConflictKind:
    TEACHER = "teacher"
    ROOM = "room"


@dataclass(frozen=True)
class Slot:
    """A booking to check: when, where, and a label naming it in messages."""

    date: date
    starts_at: datetime
    ends_at: datetime
    room: str
    label: str
    session_id: int | None = None


@dataclass(frozen=True)
class Conflict:
    kind: str
    slot: Slot
    other: str  # the booking it clashes with
    teacher: str = ""

    @property
    def message(self) -> str:
        start, end = timezone.localtime(self.slot.starts_at), timezone.localtime(self.slot.ends_at)
        when = f"{self.slot.date.isoformat()} {start:%H:%M}–{end:%H:%M}"
        if self.kind == ConflictKind.ROOM:
            return _("Room %(room)s is booked twice on %(when)s: %(this)s and %(other)s.") % {
                "room": self.slot.room,
                "when": when,
                "this": self.slot.label,
                "other": self.other,
            }
        return _("%(teacher)s is booked twice on %(when)s: %(this)s and %(other)s.") % {
            "teacher": self.teacher,
            "when": when,
            "this": self.slot.label,
            "other": self.other,
        }


def _overlap(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def _session_label(offering: Offering, rule: TimetableRule | None = None) -> str:
    name = f"{offering.course.title} [{offering.section}]"
    return f"{name} ({rule})" if rule is not None else name


def _check_slots(slots: list[Slot], *, offering: Offering) -> list[Conflict]:
    """Clashes among ``slots`` (all the offering's own) and with other offerings' sessions."""
    conflicts: list[Conflict] = []
    teachers = list(offering.teachers.all())
    teacher_names = ", ".join(t.display_name for t in teachers) or _("The teacher")
    # Among the offering's own bookings: the same room, or else the same teachers.
    by_date: dict[date, list[Slot]] = defaultdict(list)
    for slot in slots:
        by_date[slot.date].append(slot)
    for day_slots in by_date.values():
        day_slots.sort(key=lambda s: s.starts_at)
        for i, a in enumerate(day_slots):
            for b in day_slots[i + 1 :]:
                if b.starts_at >= a.ends_at:
                    break
                if a.room == b.room:
                    conflicts.append(Conflict(ConflictKind.ROOM, b, a.label))
                elif teachers:
                    conflicts.append(Conflict(ConflictKind.TEACHER, b, a.label, teacher_names))
    if not slots:
        return conflicts
    # Against other offerings: one query for sessions sharing a room or a teacher.
    teacher_ids = {t.pk for t in teachers}
    rooms = {s.room for s in slots}
    others = (
        Session.objects.filter(date__in=by_date.keys(), status=SessionStatus.SCHEDULED)
        .exclude(offering=offering)
        .filter(models.Q(room__in=rooms) | models.Q(offering__teachers__in=teacher_ids))
        .select_related("offering__course", "rule")
        .distinct()
    )
    others = list(others)
    shared: dict[int, set[int]] = defaultdict(set)
    if teacher_ids and others:
        through = Offering.teachers.through.objects.filter(
            offering_id__in={s.offering_id for s in others}, user_id__in=teacher_ids
        )
        for offering_id, user_id in through.values_list("offering_id", "user_id"):
            shared[offering_id].add(user_id)
    names = {t.pk: t.display_name for t in teachers}
    others_by_date: dict[date, list[Session]] = defaultdict(list)
    for other in others:
        others_by_date[other.date].append(other)
    for slot in slots:
        for other in others_by_date.get(slot.date, ()):
            if not _overlap(slot.starts_at, slot.ends_at, other.starts_at, other.ends_at):
                continue
            label = _session_label(other.offering, other.rule)
            if other.room == slot.room:
                conflicts.append(Conflict(ConflictKind.ROOM, slot, label))
            for user_id in sorted(shared.get(other.offering_id, ())):
                conflicts.append(Conflict(ConflictKind.TEACHER, slot, label, names[user_id]))
    return conflicts


def find_conflicts(planned: list[PlannedSession], *, offering: Offering) -> list[Conflict]:
    """Clashes the planned sessions would cause. Reads only (two or three queries).

    Checked: two of the offering's own bookings at overlapping times (the planned sessions
    and its moved sessions, which regeneration keeps), a room booked by another offering's
    scheduled session, and a teacher of this offering teaching another offering then.
    """
    keep = {
        (s.rule_id, s.scheduled_for): s
        for s in offering.sessions.filter(moved=True, status=SessionStatus.SCHEDULED)
    }
    rules = {p.rule.pk: p.rule for p in planned}
    labels = {pk: _session_label(offering, rule) for pk, rule in rules.items()}
    slots = [
        Slot(p.date, p.starts_at, p.ends_at, p.room, labels[p.rule.pk])
        for p in planned
        if p.key not in keep
    ]
    slots += [
        Slot(s.date, s.starts_at, s.ends_at, s.room, _session_label(offering), s.pk)
        for s in keep.values()
    ]
    return _check_slots(slots, offering=offering)


# --- generation --------------------------------------------------------------------------------
@dataclass
class GenerationResult:
    conflicts: list[Conflict] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    kept: int = 0  # sessions hand-changed or holding records, left as they are

    @property
    def ok(self) -> bool:
        return not self.conflicts


def new_uid() -> str:
    """A stable iCalendar UID for a new session."""
    return f"session-{uuid.uuid4().hex}@rongke"


def _record_relations():
    """Relations that hold what happened in a session (attendance, answers...).

    Any model pointing at Session with CASCADE or PROTECT holds such records; SET_NULL
    relations (calendar entries) only refer to the session and survive its deletion, and a
    model that says ``holds_session_records = False`` (the check-in window's settings) goes
    with it.
    """
    return [
        rel
        for rel in Session._meta.related_objects
        if rel.on_delete in (models.CASCADE, models.PROTECT)
        and getattr(rel.related_model, "holds_session_records", True)
    ]


def sessions_with_records(session_ids) -> set[int]:
    """The ids among ``session_ids`` that have records: one query per record relation."""
    ids = set(session_ids)
    found: set[int] = set()
    if not ids:
        return found
    for rel in _record_relations():
        found.update(
            rel.related_model._default_manager.filter(**{f"{rel.field.name}__in": ids}).values_list(
                rel.field.attname, flat=True
            )
        )
    return found


def session_has_records(session: Session) -> bool:
    """Has anything been recorded against ``session`` (attendance, live answers)?"""
    return bool(sessions_with_records([session.pk]))


def _match_by_week(planned: list[PlannedSession], existing: dict, *, term: Term) -> dict:
    """Pair planned sessions with no session under their exact key to a leftover session of
    the same rule and week (the week its timetable date fell in), when the pairing is unique.

    A series edit that changes the weekday changes every key; pairing by week keeps each
    occurrence's session (its UID, so calendar applications update rather than duplicate it)
    and keeps a moved session standing for its week instead of adding a second one. Matched
    sessions are removed from ``existing``; returns {planned key: session}.
    """
    unmatched: dict[tuple[int, int], list[PlannedSession]] = defaultdict(list)
    for p in planned:
        if p.key not in existing:
            unmatched[(p.rule.pk, term.week_of(p.scheduled_for))].append(p)
    if not unmatched:
        return {}
    planned_keys = {p.key for p in planned}
    leftovers: dict[tuple[int, int], list[Session]] = defaultdict(list)
    for key, session in existing.items():
        if key not in planned_keys:
            leftovers[(key[0], term.week_of(key[1]))].append(session)
    matched = {}
    for group, candidates in unmatched.items():
        sessions = leftovers.get(group, [])
        if len(candidates) == 1 and len(sessions) == 1:
            session = sessions[0]
            matched[candidates[0].key] = existing.pop((session.rule_id, session.scheduled_for))
    return matched


def generate_sessions(*, offering: Offering) -> GenerationResult:
    """Create, update and delete ``offering``'s generated sessions to match its rules.

    One transaction, with the offering row locked so two runs cannot interleave. With any
    conflict nothing is saved and the result lists the conflicts. Otherwise: missing
    sessions are created with a new UID; unmoved, scheduled sessions whose rule changed get
    the new date, time or room and ``sequence + 1``; moved and cancelled sessions are left
    as they are; sessions the rules no longer call for are deleted unless they hold records.
    Idempotent: a second run changes nothing. Callers check who asks (the offering's
    teachers; see ``can_manage_offering``).
    """
    with transaction.atomic():
        offering = (
            Offering.objects.select_for_update()
            .select_related("term", "course")
            .get(pk=offering.pk)
        )
        planned = plan_sessions(offering=offering)
        result = GenerationResult(conflicts=find_conflicts(planned, offering=offering))
        if result.conflicts:
            return result
        existing = {
            (s.rule_id, s.scheduled_for): s for s in offering.sessions.filter(rule__isnull=False)
        }
        rekeyed = _match_by_week(planned, existing, term=offering.term)
        now = timezone.now()
        to_create, to_update = [], []
        for p in planned:
            session = existing.pop(p.key, None) or rekeyed.get(p.key)
            if session is None:
                to_create.append(
                    Session(
                        offering=offering,
                        rule=p.rule,
                        scheduled_for=p.scheduled_for,
                        uid=new_uid(),
                        **{name: getattr(p, name) for name in GENERATED_FIELDS},
                    )
                )
            elif session.moved or session.status != SessionStatus.SCHEDULED:
                result.kept += 1
            elif session.scheduled_for != p.scheduled_for or any(
                getattr(session, n) != getattr(p, n) for n in GENERATED_FIELDS
            ):
                for name in GENERATED_FIELDS:
                    setattr(session, name, getattr(p, name))
                session.scheduled_for = p.scheduled_for
                session.sequence += 1
                session.updated_at = now
                to_update.append(session)
            else:
                result.unchanged += 1
        stale = [s for s in existing.values() if not s.moved]
        result.kept += len(existing) - len(stale)
        recorded = sessions_with_records(s.pk for s in stale)
        result.kept += len(recorded)
        doomed = [s.pk for s in stale if s.pk not in recorded]
        if doomed:
            Session.objects.filter(pk__in=doomed).delete()
        if to_update:
            Session.objects.bulk_update(
                to_update,
                [*GENERATED_FIELDS, "scheduled_for", "sequence", "updated_at"],
                batch_size=500,
            )
        if to_create:
            Session.objects.bulk_create(to_create, batch_size=500)
        result.created, result.updated, result.deleted = (
            len(to_create),
            len(to_update),
            len(doomed),
        )
        return result


# --- rules -------------------------------------------------------------------------------------
class ConflictError(ValidationError):
    """A change refused because of conflicts; ``conflicts`` lists them."""

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        super().__init__([c.message for c in conflicts])


def add_rule(*, offering: Offering, **fields) -> tuple[TimetableRule, GenerationResult]:
    """Add a timetable rule and generate its sessions, atomically.

    Invalid fields raise ValidationError; conflicts raise ConflictError. Either way nothing
    is saved. Callers check who asks.
    """
    with transaction.atomic():
        rule = TimetableRule(offering=offering, **fields)
        validate_rule(rule)
        rule.save()
        result = generate_sessions(offering=offering)
        if result.conflicts:
            raise ConflictError(result.conflicts)
    return rule, result


def update_rule(*, rule: TimetableRule, **changes) -> GenerationResult:
    """Edit a whole series: change the rule, then regenerate; unmoved sessions follow.

    Atomic: invalid changes raise ValidationError and conflicts raise ConflictError, and in
    both cases the rule and its sessions stay as they were (``rule`` is reloaded).
    """
    try:
        with transaction.atomic():
            for name, value in changes.items():
                setattr(rule, name, value)
            validate_rule(rule)
            rule.save()
            result = generate_sessions(offering=rule.offering)
            if result.conflicts:
                raise ConflictError(result.conflicts)
    except ValidationError:
        rule.refresh_from_db()
        raise
    return result


def delete_rule(*, rule: TimetableRule) -> GenerationResult:
    """Delete a rule with its sessions, except moved ones and those holding records (kept,
    no longer tied to a rule). Atomic; callers check who asks."""
    with transaction.atomic():
        sessions = list(rule.sessions.all())
        recorded = sessions_with_records(s.pk for s in sessions)
        doomed = [s.pk for s in sessions if not s.moved and s.pk not in recorded]
        Session.objects.filter(pk__in=doomed).delete()
        rule.delete()
        return GenerationResult(deleted=len(doomed), kept=len(sessions) - len(doomed))


# --- single sessions ---------------------------------------------------------------------------
def _require_manager(user, offering: Offering) -> None:
    from classrooms.services.enrolment import can_manage_offering

    if user is not None and not can_manage_offering(user, offering):
        raise PermissionDenied(_("Only the offering's teachers may change its sessions."))


def move_session(
    *,
    session: Session,
    date: date,
    by,
    first_period: int | None = None,
    last_period: int | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    room: str | None = None,
) -> Session:
    """Move one session to another date, time (periods or clock times) and/or room.

    The session is marked moved (the scheduler leaves it be from now on) and its
    ``sequence`` grows so calendar applications update it. Checked for conflicts with the
    offering's other sessions and with other offerings; on a conflict ConflictError is
    raised and nothing changes. ``by`` must manage the offering. Atomic.
    """
    with transaction.atomic():
        session = (
            Session.objects.select_for_update().select_related("offering__term").get(pk=session.pk)
        )
        offering = session.offering
        _require_manager(by, offering)
        term = offering.term
        week = term.week_of(date)
        if week is None:
            raise ValidationError(
                {
                    "date": _("This date lies outside the term %(term)s (%(start)s to %(end)s).")
                    % {"term": term.name, "start": term.starts_on, "end": term.ends_on}
                }
            )
        if first_period is not None:
            last_period = last_period if last_period is not None else first_period
            periods = {p.number: p for p in term.periods.all()}
            if first_period not in periods or last_period not in periods:
                raise ValidationError(
                    {"first_period": _("These periods are not in the term's period table.")}
                )
            if last_period < first_period:
                raise ValidationError(
                    {"last_period": _("The last period cannot come before the first.")}
                )
            starts_at = _aware(date, periods[first_period].starts_at)
            ends_at = _aware(date, periods[last_period].ends_at)
            class_hours = last_period - first_period + 1
        else:
            if starts_at is None or ends_at is None:
                starts_at = _aware(date, timezone.localtime(session.starts_at).time())
                ends_at = _aware(date, timezone.localtime(session.ends_at).time())
            class_hours = session.class_hours
        if ends_at <= starts_at:
            raise ValidationError({"ends_at": _("A session must end after it starts.")})
        room = (room or session.room).strip()
        label = _session_label(offering)
        slot = Slot(date, starts_at, ends_at, room, label)
        conflicts = []
        for other in offering.sessions.filter(date=date, status=SessionStatus.SCHEDULED).exclude(
            pk=session.pk
        ):
            if _overlap(starts_at, ends_at, other.starts_at, other.ends_at):
                kind = ConflictKind.ROOM if other.room == room else ConflictKind.TEACHER
                names = ", ".join(t.display_name for t in offering.teachers.all())
                conflicts.append(Conflict(kind, slot, label, names if kind == "teacher" else ""))
        conflicts += _check_slots([slot], offering=offering)
        if conflicts:
            raise ConflictError(conflicts)
        session.date, session.week, session.room = date, week, room
        session.starts_at, session.ends_at, session.class_hours = starts_at, ends_at, class_hours
        session.moved = True
        session.sequence += 1
        session.save()
        return session


def cancel_session(*, session: Session, by) -> Session:
    """Cancel one session: status cancelled, ``sequence + 1``; the scheduler leaves it be.

    Idempotent (cancelling a cancelled session changes nothing). ``by`` must manage the
    offering. Atomic.
    """
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("offering").get(pk=session.pk)
        _require_manager(by, session.offering)
        if session.status != SessionStatus.CANCELLED:
            session.status = SessionStatus.CANCELLED
            session.sequence += 1
            session.save(update_fields=["status", "sequence", "updated_at"])
        return session
