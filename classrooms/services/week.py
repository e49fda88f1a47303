""" "My week": a student's sessions and online tasks, a teacher's sessions, seven days at a time.

Read-only. The number of queries is fixed whatever the number of offerings, sessions and
calendar entries: everything is fetched in bulk and grouped in Python.

Online tasks come from the *published* calendars only (the newest CalendarPublication of
each offering), never from the working draft. A snapshot entry is a dict with a "due_at"
ISO datetime and "items", each ``{"page_id", "title", "kind", "url"}``; missing or
malformed values are skipped rather than trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from wagtail.models import Page

from classrooms.models import (
    CalendarPublication,
    Enrolment,
    Offering,
    Session,
    SessionStatus,
)
from courses.models import LessonCompletion, LessonPage, QuizAttempt, QuizPage

DAYS = 7


class TaskState:
    DONE = "done"
    LATE = "late"
    TODO = "todo"


@dataclass
class WeekSession:
    """One in-person session as shown in a week."""

    session: Session
    offering: Offering
    course_title: str
    section: str
    starts_at: datetime
    ends_at: datetime
    room: str
    cancelled: bool
    moved: bool

    @property
    def is_upcoming(self) -> bool:
        """Not started yet (a student may still ask for leave)."""
        return not self.cancelled and timezone.now() < self.starts_at

    @property
    def is_current(self) -> bool:
        """From half an hour before the start to the end: time to check in and take part."""
        now = timezone.now()
        return not self.cancelled and self.starts_at - timedelta(minutes=30) <= now < self.ends_at


@dataclass
class WeekTask:
    """One online item (lesson, quiz or unit) due in the week, with its state for the student."""

    offering: Offering
    course_title: str
    page_id: int
    title: str
    kind: str
    url: str
    due_at: datetime
    state: str
    content: str = ""


@dataclass
class WeekDay:
    date: date
    is_today: bool
    sessions: list[WeekSession] = field(default_factory=list)
    tasks: list[WeekTask] = field(default_factory=list)


@dataclass
class Week:
    """Seven days from ``start``; ``previous``/``following`` are the starts of the next pages."""

    start: date
    days: list[WeekDay]

    @property
    def end(self) -> date:
        return self.start + timedelta(days=DAYS - 1)

    @property
    def previous(self) -> date:
        return self.start - timedelta(days=DAYS)

    @property
    def following(self) -> date:
        return self.start + timedelta(days=DAYS)

    @property
    def sessions(self) -> list[WeekSession]:
        return [s for day in self.days for s in day.sessions]

    @property
    def tasks(self) -> list[WeekTask]:
        return [t for day in self.days for t in day.tasks]


def _window(start: date | None, now: datetime) -> tuple[date, datetime, datetime, list[WeekDay]]:
    today = timezone.localdate(now)
    start = start or today
    tz = timezone.get_current_timezone()
    begins = timezone.make_aware(datetime.combine(start, datetime.min.time()), tz)
    ends = timezone.make_aware(
        datetime.combine(start + timedelta(days=DAYS), datetime.min.time()), tz
    )
    days = [
        WeekDay(date=start + timedelta(days=i), is_today=start + timedelta(days=i) == today)
        for i in range(DAYS)
    ]
    return start, begins, ends, days


def _week_session(session: Session, offering: Offering) -> WeekSession:
    return WeekSession(
        session=session,
        offering=offering,
        course_title=offering.course.title,
        section=offering.section,
        starts_at=timezone.localtime(session.starts_at),
        ends_at=timezone.localtime(session.ends_at),
        room=session.room,
        cancelled=session.status == SessionStatus.CANCELLED,
        moved=session.moved,
    )


def _place_sessions(days: list[WeekDay], sessions, offerings: dict[int, Offering]) -> None:
    by_date = {day.date: day for day in days}
    for session in sessions:
        day = by_date.get(timezone.localtime(session.starts_at).date())
        if day is not None:
            day.sessions.append(_week_session(session, offerings[session.offering_id]))


def latest_publications(offering_ids) -> dict[int, CalendarPublication]:
    """The newest publication of each offering, by offering id. One query."""
    newest = (
        CalendarPublication.objects.filter(offering_id=OuterRef("offering_id"))
        .order_by("-number")
        .values("number")[:1]
    )
    rows = CalendarPublication.objects.filter(
        offering_id__in=list(offering_ids), number=Subquery(newest)
    ).only("id", "offering_id", "number", "entries")
    return {publication.offering_id: publication for publication in rows}


def _parse_due(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return parsed


def due_items(publication: CalendarPublication):
    """Yield ``(entry, due_at, item)`` for every well-formed item with a due time."""
    entries = publication.entries if isinstance(publication.entries, list) else []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        due = _parse_due(entry.get("due_at"))
        items = entry.get("items")
        if due is None or not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("page_id"), int):
                yield entry, due, item


def _unit_children(unit_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    """Live lessons and quizzes of each unit: ``{unit_id: [(page_id, kind)]}``. Two queries."""
    if not unit_ids:
        return {}
    units = list(Page.objects.filter(pk__in=unit_ids).values_list("pk", "path", "depth"))
    if not units:
        return {}
    types = ContentType.objects.get_for_models(LessonPage, QuizPage)  # cached
    kinds = {types[LessonPage].pk: "lesson", types[QuizPage].pk: "quiz"}
    children = (
        Page.objects.live()
        .filter(
            reduce(or_, (Q(path__startswith=path, depth=depth + 1) for _, path, depth in units))
        )
        .filter(content_type_id__in=list(kinds))
        .values_list("pk", "path", "content_type_id")
    )
    found: dict[int, list[tuple[int, str]]] = {pk: [] for pk, _, _ in units}
    for pk, path, content_type_id in children:
        for unit_pk, unit_path, _ in units:
            if path.startswith(unit_path):
                found[unit_pk].append((pk, kinds[content_type_id]))
    return found


def _done_pages(student, lesson_ids: set[int], quiz_ids: set[int]) -> set[int]:
    done: set[int] = set()
    if lesson_ids:
        done.update(
            LessonCompletion.objects.filter(user=student, lesson_id__in=lesson_ids).values_list(
                "lesson_id", flat=True
            )
        )
    if quiz_ids:
        done.update(
            QuizAttempt.objects.for_student(student)
            .submitted()
            .filter(quiz_id__in=quiz_ids)
            .values_list("quiz_id", flat=True)
        )
    return done


def student_tasks(
    *, student, publications: dict[int, CalendarPublication], offerings, begins, ends, now
) -> list[WeekTask]:
    """The items due in ``[begins, ends)`` of the given publications, with their states.

    At most four queries whatever the number of publications and entries.
    """
    due: list[tuple[Offering, dict, datetime, dict]] = []
    for offering_id, publication in publications.items():
        for entry, due_at, item in due_items(publication):
            if begins <= due_at < ends:
                due.append((offerings[offering_id], entry, due_at, item))
    units = _unit_children({item["page_id"] for *_, item in due if item.get("kind") == "unit"})
    lesson_ids = {i["page_id"] for *_, i in due if i.get("kind") == "lesson"}
    quiz_ids = {i["page_id"] for *_, i in due if i.get("kind") == "quiz"}
    for children in units.values():
        lesson_ids.update(pk for pk, kind in children if kind == "lesson")
        quiz_ids.update(pk for pk, kind in children if kind == "quiz")
    done = _done_pages(student, lesson_ids, quiz_ids)

    tasks = []
    for offering, entry, due_at, item in due:
        page_id, kind = item["page_id"], item.get("kind", "")
        if kind == "unit":
            children = units.get(page_id, [])
            finished = bool(children) and all(pk in done for pk, _ in children)
        else:
            finished = page_id in done
        if finished:
            state = TaskState.DONE
        elif due_at <= now:
            state = TaskState.LATE
        else:
            state = TaskState.TODO
        tasks.append(
            WeekTask(
                offering=offering,
                course_title=offering.course.title,
                page_id=page_id,
                title=str(item.get("title", "")),
                kind=kind,
                url=str(item.get("url", "")),
                due_at=timezone.localtime(due_at),
                state=state,
                content=str(entry.get("content", "")),
            )
        )
    tasks.sort(key=lambda t: (t.due_at, t.course_title, t.title))
    return tasks


def student_week(*, student, start: date | None = None, now: datetime | None = None) -> Week:
    """A student's seven days from ``start`` (default today) across all active enrolments.

    Each day lists its in-person sessions in time order (cancelled and moved ones flagged) and
    the online items of the published calendars due that day, each done, late or to do.
    Read-only; at most seven queries whatever the number of offerings and entries. Callers
    pass the requesting user as ``student``: it only ever shows that user's own offerings.
    """
    now = now or timezone.now()
    start, begins, ends, days = _window(start, now)
    enrolments = (
        Enrolment.objects.active().filter(student=student).select_related("offering__course")
    )
    offerings = {e.offering.pk: e.offering for e in enrolments}
    if not offerings:
        return Week(start=start, days=days)
    sessions = Session.objects.filter(
        offering_id__in=list(offerings), starts_at__gte=begins, starts_at__lt=ends
    ).order_by("starts_at", "id")
    _place_sessions(days, sessions, offerings)
    tasks = student_tasks(
        student=student,
        publications=latest_publications(offerings),
        offerings=offerings,
        begins=begins,
        ends=ends,
        now=now,
    )
    by_date = {day.date: day for day in days}
    for task in tasks:
        by_date[task.due_at.date()].tasks.append(task)
    return Week(start=start, days=days)


def teacher_week(*, teacher, start: date | None = None, now: datetime | None = None) -> Week:
    """The sessions of the offerings ``teacher`` teaches or assists, seven days from ``start``.

    Read-only; two queries whatever the number of offerings.
    """
    now = now or timezone.now()
    start, begins, ends, days = _window(start, now)
    taught = Offering.objects.taught_by(teacher).values("pk")
    sessions = list(
        Session.objects.filter(offering_id__in=taught, starts_at__gte=begins, starts_at__lt=ends)
        .select_related("offering__course", "offering__term")
        .order_by("starts_at", "id")
    )
    _place_sessions(days, sessions, {s.offering_id: s.offering for s in sessions})
    return Week(start=start, days=days)
