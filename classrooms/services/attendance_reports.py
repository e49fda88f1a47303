"""Attendance reports: the offering's students × sessions matrix, one student's record, the
teacher's alerts, the xlsx export, and the public read of attendance for grading.

Read-only. Every function runs a fixed number of queries whatever the size of the roster
and the number of sessions: rows are fetched in bulk and grouped in Python.

The rules (shared with check-in and marking):

- A session is *counted* when it is not cancelled and has started (``starts_at <= now``).
  Future sessions are listed but not counted; cancelled sessions are not listed at all.
- A session is counted for a student from their enrolment on: one that started before the
  student joined the roster is not counted for them (nor shown as an absence), unless they
  have a record at it (they checked in, or the teacher marked them).
- A student *attended* a counted session when their status is present or late. A counted
  session with no Attendance row counts as absent ("not checked in").
- Rate = attended / (counted sessions − excused ones); None when that is 0.
- Only the active roster (``Enrolment.objects.active()``) appears; dropped students do not.
- A student is *below the threshold* when their rate is under the offering's
  ``AttendancePolicy.alert_below_percent`` (compared in integers, so 80 % of 5 is exact).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from io import BytesIO

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from classrooms.models import (
    Attendance,
    AttendancePolicy,
    AttendanceStatus,
    CheckInMethod,
    Enrolment,
    Offering,
    Session,
    SessionStatus,
)

STATUSES = [s.value for s in AttendanceStatus]  # present, late, excused, absent
ATTENDED = {AttendanceStatus.PRESENT.value, AttendanceStatus.LATE.value}
UNMARKED = "unmarked"  # a counted session without a record: counts as absent
FUTURE = "future"  # not started yet: not counted
NOT_ENROLLED = "not_enrolled"  # started before the student enrolled, no record: not counted
# Shown in the grid beside the colour, so that the marks survive a black-and-white print.
SYMBOLS = {
    AttendanceStatus.PRESENT.value: "✓",
    AttendanceStatus.LATE.value: "◔",
    AttendanceStatus.EXCUSED.value: "○",
    AttendanceStatus.ABSENT.value: "✗",
    UNMARKED: "–",
    FUTURE: "·",
    NOT_ENROLLED: "/",
}


def _rate(attended: int, counted: int, excused: int) -> float | None:
    denominator = counted - excused
    return attended / denominator if denominator > 0 else None


def _below(attended: int, counted: int, excused: int, threshold: int) -> bool:
    denominator = counted - excused
    return denominator > 0 and attended * 100 < threshold * denominator


def _percent(rate: float | None) -> int | None:
    return None if rate is None else round(rate * 100)


# --- the offering matrix -------------------------------------------------------------------
@dataclass
class SessionColumn:
    """One listed session with the totals of the active roster at it (students enrolled
    after it started and without a record are in no total)."""

    session: Session
    counted: bool
    totals: dict[str, int] = field(default_factory=dict)  # each status, and "unmarked"

    @property
    def starts_at(self) -> datetime:
        return timezone.localtime(self.session.starts_at)


@dataclass(frozen=True)
class Mark:
    """One cell as shown: ``key`` is a status, "unmarked" (counted, no record), "future" or
    "not_enrolled" (started before the student enrolled, no record)."""

    status: str | None
    key: str
    label: str

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.key]


class _Tally:
    """Totals and rate of one student from ``counts`` (each status and "unmarked", over the
    sessions counted for them), ``counted`` and ``threshold``, which the class provides."""

    @property
    def attended(self) -> int:
        return self.counts[AttendanceStatus.PRESENT] + self.counts[AttendanceStatus.LATE]

    @property
    def absent(self) -> int:
        """Absent sessions, recorded or not checked in."""
        return self.counts[AttendanceStatus.ABSENT] + self.counts[UNMARKED]

    @property
    def rate(self) -> float | None:
        return _rate(self.attended, self.counted, self.counts[AttendanceStatus.EXCUSED])

    @property
    def percent(self) -> int | None:
        return _percent(self.rate)

    @property
    def below_threshold(self) -> bool:
        return _below(
            self.attended, self.counted, self.counts[AttendanceStatus.EXCUSED], self.threshold
        )


@dataclass
class StudentRow(_Tally):
    """One student across the listed sessions. ``counts`` cover counted sessions only."""

    student: object  # the User
    cells: list[str | None]  # per listed session: the recorded status, or None
    counts: dict[str, int]  # present, late, excused, absent (recorded), unmarked
    counted: int  # sessions counted for this student
    threshold: int
    marks: list[Mark] = field(default_factory=list)


@dataclass
class AttendanceMatrix:
    offering: Offering
    now: datetime
    threshold: int  # alert_below_percent of the offering's policy
    sessions: list[SessionColumn]
    rows: list[StudentRow]

    @property
    def counted(self) -> int:
        return sum(1 for column in self.sessions if column.counted)

    @property
    def below(self) -> list[StudentRow]:
        return [row for row in self.rows if row.below_threshold]


def _labels() -> dict[str, str]:
    return {
        **{s.value: str(s.label) for s in AttendanceStatus},
        UNMARKED: _("Not checked in"),
        FUTURE: _("Not yet"),
        NOT_ENROLLED: _("Before enrolment"),
    }


def legend() -> list[Mark]:
    """Every kind of cell, in the order a legend lists them."""
    labels = _labels()
    return [
        Mark(key if key in STATUSES else None, key, labels[key])
        for key in (*STATUSES, UNMARKED, FUTURE, NOT_ENROLLED)
    ]


def _mark(
    status: str | None, counted: bool, labels: dict[str, str], *, enrolled: bool = True
) -> Mark:
    if status is not None:
        return Mark(status, status, labels[status])
    key = (UNMARKED if counted else FUTURE) if enrolled else NOT_ENROLLED
    return Mark(None, key, labels[key])


def _counts_for(starts_at: datetime, enrolled_at: datetime | None, status: str | None) -> bool:
    """Does a session starting at ``starts_at`` concern a student enrolled at ``enrolled_at``
    (None: unknown, so yes) who has ``status`` there (None: no record)?"""
    return status is not None or enrolled_at is None or starts_at >= enrolled_at


def _listed_sessions(offering: Offering) -> list[Session]:
    return list(
        Session.objects.filter(offering=offering)
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("starts_at", "pk")
    )


def _active_enrolments(offering: Offering):
    return Enrolment.objects.active().filter(offering=offering)


def offering_matrix(offering: Offering, *, now: datetime | None = None) -> AttendanceMatrix:
    """Students × sessions of ``offering`` with counts, rates and per-session totals.

    Lists the non-cancelled sessions in order (future ones shown, not counted) and one row
    per actively enrolled student ordered by number. Four queries (policy, sessions,
    roster, records) whatever the size. Read-only; callers check who asks
    (``can_view_offering``).
    """
    now = now or timezone.now()
    threshold = AttendancePolicy.for_offering(offering).alert_below_percent
    sessions = _listed_sessions(offering)
    enrolments = list(
        _active_enrolments(offering).select_related("student").order_by("student__number")
    )
    records = Attendance.objects.filter(
        session__offering=offering,
        session__status=SessionStatus.SCHEDULED,
        student_id__in=_active_enrolments(offering).values("student_id"),
    ).values_list("session_id", "student_id", "status")
    by_student: dict[int, dict[int, str]] = defaultdict(dict)
    for session_id, student_id, status in records:
        by_student[student_id][session_id] = status

    labels = _labels()
    columns = [
        SessionColumn(
            session=s,
            counted=s.starts_at <= now,
            totals=dict.fromkeys([*STATUSES, UNMARKED], 0),
        )
        for s in sessions
    ]
    rows = []
    for enrolment in enrolments:
        statuses = by_student.get(enrolment.student_id, {})
        counts = dict.fromkeys([*STATUSES, UNMARKED], 0)
        cells, marks = [], []
        counted = 0
        for column in columns:
            status = statuses.get(column.session.pk)
            enrolled = _counts_for(column.session.starts_at, enrolment.enrolled_at, status)
            cells.append(status)
            marks.append(_mark(status, column.counted, labels, enrolled=enrolled))
            if not enrolled:
                continue
            key = status or UNMARKED
            column.totals[key] += 1
            if column.counted:
                counts[key] += 1
                counted += 1
        rows.append(
            StudentRow(
                student=enrolment.student,
                cells=cells,
                counts=counts,
                counted=counted,
                threshold=threshold,
                marks=marks,
            )
        )
    return AttendanceMatrix(
        offering=offering, now=now, threshold=threshold, sessions=columns, rows=rows
    )


# --- one student ---------------------------------------------------------------------------
@dataclass
class RecordEntry:
    """One listed session of one student: the record (or None) and how it is shown."""

    session: Session
    attendance: Attendance | None
    counted: bool
    mark: Mark

    @property
    def status(self) -> str | None:
        return self.attendance.status if self.attendance else None

    @property
    def method_label(self) -> str:
        if self.attendance is None or not self.attendance.method:
            return ""
        return str(CheckInMethod(self.attendance.method).label)

    @property
    def checked_in_at(self) -> datetime | None:
        """When the student checked in; None unless they attended (a time beside "absent"
        or "excused" would only mislead)."""
        if self.attendance is None or self.attendance.status not in ATTENDED:
            return None
        when = self.attendance.checked_in_at
        return timezone.localtime(when) if when else None


@dataclass
class StudentRecord(_Tally):
    offering: Offering
    student: object
    now: datetime
    threshold: int
    entries: list[RecordEntry]
    counts: dict[str, int]  # over counted sessions, as in StudentRow

    @property
    def counted(self) -> int:
        return sum(1 for entry in self.entries if entry.counted)


def student_record(offering: Offering, student, *, now: datetime | None = None) -> StudentRecord:
    """``student``'s listed sessions in ``offering`` with status, method, time and rate.

    Same rules as :func:`offering_matrix`. Four queries. Read-only; callers check who asks
    (the student themself, or ``can_view_offering``).
    """
    now = now or timezone.now()
    threshold = AttendancePolicy.for_offering(offering).alert_below_percent
    sessions = _listed_sessions(offering)
    enrolled_at = (
        Enrolment.objects.filter(offering=offering, student=student)
        .values_list("enrolled_at", flat=True)
        .first()
    )
    records = {
        a.session_id: a
        for a in Attendance.objects.filter(
            session__offering=offering,
            session__status=SessionStatus.SCHEDULED,
            student=student,
        )
    }
    labels = _labels()
    counts = dict.fromkeys([*STATUSES, UNMARKED], 0)
    entries = []
    for session in sessions:
        attendance = records.get(session.pk)
        status = attendance.status if attendance else None
        enrolled = _counts_for(session.starts_at, enrolled_at, status)
        counted = enrolled and session.starts_at <= now
        if counted:
            counts[status or UNMARKED] += 1
        mark = _mark(status, counted, labels, enrolled=enrolled)
        entries.append(RecordEntry(session, attendance, counted, mark))
    return StudentRecord(
        offering=offering,
        student=student,
        now=now,
        threshold=threshold,
        entries=entries,
        counts=counts,
    )


# --- for the gradebook ---------------------------------------------------------------------
def attendance_for_grading(
    offering: Offering, *, now: datetime | None = None
) -> dict[int, dict[int, str]]:
    """{student_id: {session_id: status}} over the counted sessions of ``offering``.

    The public read of attendance for the gradebook (ROADMAP point 1: attendance points per
    status). Every actively enrolled student gets every counted session (not cancelled,
    started by ``now``) from their enrolment on, and any earlier one they have a record at;
    a counted session without a record is "absent". Future and cancelled sessions and
    dropped students are left out. Statuses are AttendanceStatus values. Three queries,
    read-only.
    """
    now = now or timezone.now()
    sessions = list(
        Session.objects.filter(
            offering=offering, status=SessionStatus.SCHEDULED, starts_at__lte=now
        ).values_list("pk", "starts_at")
    )
    enrolled = dict(_active_enrolments(offering).values_list("student_id", "enrolled_at"))
    result = {
        student_id: {
            session_id: AttendanceStatus.ABSENT.value
            for session_id, starts_at in sessions
            if _counts_for(starts_at, enrolled_at, None)
        }
        for student_id, enrolled_at in enrolled.items()
    }
    records = Attendance.objects.filter(
        session_id__in=[pk for pk, _starts in sessions], student_id__in=list(enrolled)
    ).values_list("student_id", "session_id", "status")
    for student_id, session_id, status in records:
        result[student_id][session_id] = status
    return result


# --- rates across offerings (dashboards) ---------------------------------------------------
@dataclass(frozen=True)
class OfferingRate:
    """One student's attendance in one offering, as the dashboards show it."""

    offering: Offering
    student: object
    attended: int
    counted: int
    excused: int
    threshold: int

    @property
    def rate(self) -> float | None:
        return _rate(self.attended, self.counted, self.excused)

    @property
    def percent(self) -> int | None:
        return _percent(self.rate)

    @property
    def below_threshold(self) -> bool:
        return _below(self.attended, self.counted, self.excused, self.threshold)


def _count(queryset, group: str):
    """A subquery counting the rows of ``queryset`` (filtered on OuterRef values, grouped by
    the one field ``group`` it is filtered on); 0 when there are none."""
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted), Value(0))


def _rate_annotations(now: datetime) -> dict:
    """counted, attended and excused for each row of an Enrolment queryset: the counted
    sessions of its offering from the enrolment on, plus earlier ones the student has a
    record at, and the student's records at them."""
    offering, student, enrolled_at = (
        OuterRef("offering_id"),
        OuterRef("student_id"),
        OuterRef("enrolled_at"),
    )
    since_enrolment = Session.objects.filter(
        offering=offering,
        status=SessionStatus.SCHEDULED,
        starts_at__lte=now,
        starts_at__gte=enrolled_at,
    )
    records = Attendance.objects.filter(
        session__offering=offering,
        session__status=SessionStatus.SCHEDULED,
        session__starts_at__lte=now,
        student=student,
    )
    before_enrolment = records.filter(session__starts_at__lt=enrolled_at)
    return {
        "counted_sessions": _count(since_enrolment, "offering")
        + _count(before_enrolment, "student"),
        "attended_sessions": _count(records.filter(status__in=ATTENDED), "student"),
        "excused_sessions": _count(records.filter(status=AttendanceStatus.EXCUSED), "student"),
    }


def _threshold(offering: Offering) -> int:
    return AttendancePolicy.for_offering(offering).alert_below_percent


def students_below_threshold(user, *, now: datetime | None = None) -> list[OfferingRate]:
    """The students under their offering's threshold, across every offering of a current
    term (one that contains today) that ``user`` teaches or assists.

    Ordered by course, section, rate (lowest first) and number. One query whatever the
    number of offerings, students and sessions (the active enrolments, with their offering,
    policy and student, and their counts as subqueries). Read-only.
    """
    now = now or timezone.now()
    if not user.is_authenticated:
        return []
    today = timezone.localdate(now)
    offerings = Offering.objects.taught_by(user).filter(
        # Terms last at most 30 weeks: this narrows the rows, term.contains() decides.
        term__starts_on__lte=today,
        term__starts_on__gt=today - timedelta(weeks=31),
    )
    enrolments = (
        Enrolment.objects.active()
        .filter(offering_id__in=offerings.values("pk"))
        .select_related(
            "student", "offering__course", "offering__term", "offering__attendance_policy"
        )
        .annotate(**_rate_annotations(now))
    )
    alerts = []
    for enrolment in enrolments:
        offering = enrolment.offering
        if not offering.term.contains(today):
            continue
        rate = OfferingRate(
            offering=offering,
            student=enrolment.student,
            attended=enrolment.attended_sessions,
            counted=enrolment.counted_sessions,
            excused=enrolment.excused_sessions,
            threshold=_threshold(offering),
        )
        if rate.below_threshold:
            alerts.append(rate)
    alerts.sort(
        key=lambda a: (a.offering.course.title, a.offering.section, a.rate, a.student.number)
    )
    return alerts


def rates_for_student(student, *, now: datetime | None = None) -> list[OfferingRate]:
    """``student``'s rate in each offering they are actively enrolled in (newest term first,
    then course and section). One query whatever the number of offerings. Read-only."""
    now = now or timezone.now()
    if not student.is_authenticated:
        return []
    enrolments = (
        Enrolment.objects.active()
        .filter(student=student)
        .select_related("offering__course", "offering__term", "offering__attendance_policy")
        .annotate(**_rate_annotations(now))
        .order_by("-offering__term__starts_on", "offering__course__title", "offering__section")
    )
    return [
        OfferingRate(
            offering=enrolment.offering,
            student=student,
            attended=enrolment.attended_sessions,
            counted=enrolment.counted_sessions,
            excused=enrolment.excused_sessions,
            threshold=_threshold(enrolment.offering),
        )
        for enrolment in enrolments
    ]


# --- xlsx ----------------------------------------------------------------------------------
def _cell_word(mark: Mark) -> str | None:
    """A cell of the xlsx grid: the mark's words, or nothing for a session not held yet."""
    return None if mark.key == FUTURE else mark.label


def build_workbook(matrix: AttendanceMatrix):
    """An openpyxl Workbook of ``matrix``: sheet "Attendance" (number, name, one column per
    session headed with its date and time, statuses as translated words, totals, rate as a
    percentage) and sheet "Sessions" (date, time, room and the totals of each status).
    Sheet names, headers and words are in the user's language. Reads nothing."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    offering = matrix.offering
    bold = Font(bold=True)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Attendance")
    sheet.append([f"{offering.course.title} [{offering.section}] {offering.term.name}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [
            _("As of %(when)s; warn below %(threshold)s %%.")
            % {
                "when": timezone.localtime(matrix.now).strftime("%Y-%m-%d %H:%M"),
                "threshold": matrix.threshold,
            }
        ]
    )
    headers = [
        _("Number"),
        _("Name"),
        *[f"{c.starts_at:%Y-%m-%d}\n{c.starts_at:%H:%M}" for c in matrix.sessions],
        _("Present"),
        _("Late"),
        _("Excused"),
        _("Absent"),
        _("Counted sessions"),
        _("Attendance rate"),
    ]
    sheet.append([str(h) for h in headers])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    warn = PatternFill("solid", fgColor="FDE2E1")
    for row in matrix.rows:
        sheet.append(
            [
                row.student.number,
                row.student.display_name,
                *[_cell_word(mark) for mark in row.marks],
                row.counts[AttendanceStatus.PRESENT],
                row.counts[AttendanceStatus.LATE],
                row.counts[AttendanceStatus.EXCUSED],
                row.absent,
                row.counted,
                row.rate,
            ]
        )
        rate_cell = sheet.cell(row=sheet.max_row, column=len(headers))
        rate_cell.number_format = "0%"
        if row.below_threshold:
            for cell in sheet[sheet.max_row]:
                cell.fill = warn
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 18
    for index in range(3, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12

    sessions = book.create_sheet(_("Sessions"))
    sessions.append(
        [
            str(h)
            for h in (
                _("Date"),
                _("Time"),
                _("Room"),
                _("Present"),
                _("Late"),
                _("Excused"),
                _("Absent"),
                _("Unmarked"),
            )
        ]
    )
    for cell in sessions[1]:
        cell.font = bold
    for column in matrix.sessions:
        ends = timezone.localtime(column.session.ends_at)
        sessions.append(
            [
                f"{column.starts_at:%Y-%m-%d}",
                f"{column.starts_at:%H:%M}–{ends:%H:%M}",
                column.session.room,
                column.totals[AttendanceStatus.PRESENT],
                column.totals[AttendanceStatus.LATE],
                column.totals[AttendanceStatus.EXCUSED],
                column.totals[AttendanceStatus.ABSENT],
                column.totals[UNMARKED],
            ]
        )
    for letter, width in zip("ABCDEFGH", (12, 14, 16, 10, 10, 10, 10, 16), strict=True):
        sessions.column_dimensions[letter].width = width
    return book


def workbook_bytes(matrix: AttendanceMatrix) -> bytes:
    """:func:`build_workbook` saved to bytes, for an HTTP response."""
    out = BytesIO()
    build_workbook(matrix).save(out)
    return out.getvalue()
