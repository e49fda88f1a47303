"""Offerings and their rosters: who may manage them, creating them, enrolling and dropping.

Enrolment is what grants access to the course's online pages: every enrolment grants
access under the offering's ``access_source`` and every drop revokes that grant (grants
from other offerings of the same course stay).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from classrooms.models import Enrolment, Offering, Term
from courses.models import CoursePage
from courses.services import courses_for_teacher, grant_access, revoke_access
from lms.accounts.models import Role
from lms.accounts.services import person_problems, row_error
from lms.accounts.tables import Row

ROSTER_COLUMNS = {"number", "name"}
ROSTER_OPTIONAL_COLUMNS = {"email"}


# --- who may do what -----------------------------------------------------------------------
def can_manage_offering(user, offering: Offering) -> bool:
    """The offering's teachers and assistants (and superusers) manage roster and timetable."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Offering.objects.filter(pk=offering.pk).taught_by(user).exists()


def can_view_offering(user, offering: Offering) -> bool:
    """Managers, and reviewers (read only), see an offering's roster and sessions."""
    return can_manage_offering(user, offering) or (
        user.is_authenticated and user.has_role(Role.REVIEWER)
    )


def offerings_for_staff(user):
    """Offerings ``user`` teaches or assists; every offering for reviewers and superusers."""
    queryset = Offering.objects.select_related("course", "term")
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser or user.has_role(Role.REVIEWER):
        return queryset.order_by("-term__starts_on", "course__title", "section")
    return queryset.taught_by(user).order_by("-term__starts_on", "course__title", "section")


def offerings_for_student(user):
    """The offerings ``user`` is actively enrolled in, with course and term: one query."""
    if not user.is_authenticated:
        return Offering.objects.none()
    return (
        Offering.objects.for_student(user)
        .select_related("course", "term")
        .order_by("-term__starts_on", "course__title", "section")
    )


# --- offerings -----------------------------------------------------------------------------
def create_offering(
    *,
    course: CoursePage,
    term: Term,
    section: str,
    online_opens_on: date,
    online_closes_on: date,
    teachers: Iterable = (),
    assistants: Iterable = (),
    by=None,
) -> Offering:
    """Create an offering after full validation (the online window must lie in the term).

    With ``by``, a teacher may only offer a course they teach (reviewers and superusers any).
    Raises ValidationError with per-field messages and saves nothing. Atomic.
    """
    privileged = by is None or by.is_superuser or by.has_role(Role.REVIEWER)
    if not privileged and not courses_for_teacher(by).filter(pk=course.pk).exists():
        raise PermissionDenied(_("You can only offer courses you teach."))
    offering = Offering(
        course=course,
        term=term,
        section=section.strip(),
        online_opens_on=online_opens_on,
        online_closes_on=online_closes_on,
    )
    offering.full_clean()
    with transaction.atomic():
        offering.save()
        offering.teachers.set(list(teachers))
        offering.assistants.set(list(assistants))
    return offering


# --- single students -----------------------------------------------------------------------
def _require_student(user) -> None:
    if not user.has_role(Role.STUDENT):
        raise ValidationError(_("%(user)s is not a student.") % {"user": user})


def enrol_student(*, offering: Offering, student) -> Enrolment:
    """Put ``student`` on the roster (re-activating a dropped enrolment) and grant access.

    Idempotent; atomic; safe against a concurrent enrolment of the same student (unique
    constraint + get_or_create). Callers check who asks (``can_manage_offering``).
    """
    _require_student(student)
    with transaction.atomic():
        enrolment, created = Enrolment.objects.get_or_create(offering=offering, student=student)
        if not created and enrolment.dropped_at is not None:
            enrolment.dropped_at = None
            enrolment.save(update_fields=["dropped_at"])
        grant_access(course=offering.course, user=student, source=offering.access_source)
    return enrolment


def drop_student(*, offering: Offering, student) -> Enrolment | None:
    """Drop ``student``: the Enrolment row stays with ``dropped_at``; course access granted
    by this offering is revoked. Idempotent; atomic; None if never enrolled."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update().filter(offering=offering, student=student).first()
        )
        if enrolment is None:
            return None
        if enrolment.dropped_at is None:
            enrolment.dropped_at = timezone.now()
            enrolment.save(update_fields=["dropped_at"])
        revoke_access(course=offering.course, user=student, source=offering.access_source)
    return enrolment


# --- roster import -------------------------------------------------------------------------
@dataclass(frozen=True)
class RosterRow:
    row: int
    number: str
    name: str
    email: str


@dataclass
class RosterReport:
    """What an import did (or, with ``dry_run``, would do). Lists hold student numbers."""

    errors: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # new user accounts
    enrolled: list[str] = field(default_factory=list)  # newly on the roster
    reactivated: list[str] = field(default_factory=list)  # dropped, now back
    updated: list[str] = field(default_factory=list)  # name or email changed
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_roster(rows: Iterable[Row]) -> tuple[list[RosterRow], list[str]]:
    parsed, errors, seen = [], [], {}
    for row in rows:
        problems = person_problems(row, seen=seen)
        if problems:
            errors.append(row_error(row, problems))
        else:
            values = row.values
            parsed.append(
                RosterRow(
                    row=row.number,
                    number=values["number"],
                    name=values["name"],
                    email=values.get("email", ""),
                )
            )
    return parsed, errors


def import_roster(
    *, offering: Offering, rows: Iterable[Row], dry_run: bool = False
) -> RosterReport:
    """Enrol the students listed in ``rows`` (number, name, optional email) in ``offering``.

    All or nothing: any invalid row (with its row number), or a number that belongs to
    someone who is not a student, is reported and nothing is saved. Missing students get an
    account (Students role, no usable password until one is set). Importing the same file
    again updates names and emails in place, creates no duplicates and re-activates
    dropped students; students absent from the file stay enrolled (drop them one by one).
    ``dry_run`` computes the same report and saves nothing (the preview). Atomic. Callers
    check who asks (``can_manage_offering``).
    """
    User = get_user_model()
    parsed, errors = _parse_roster(rows)
    report = RosterReport(errors=errors, dry_run=dry_run)
    if not parsed and not errors:
        report.errors.append(_("The file lists no students."))
    if report.errors:
        return report
    existing = {
        u.number: u
        for u in User.objects.filter(number__in=[r.number for r in parsed]).prefetch_related(
            "groups"
        )
    }
    for row in parsed:
        user = existing.get(row.number)
        if user is not None and not user.has_role(Role.STUDENT):
            report.errors.append(
                _("Row %(row)s: %(number)s belongs to %(name)s, who is not a student.")
                % {"row": row.row, "number": row.number, "name": user.display_name}
            )
    if report.errors:
        return report
    enrolments = {
        e.student_id: e
        for e in Enrolment.objects.filter(offering=offering, student__in=existing.values())
    }
    with transaction.atomic():
        students_group = Group.objects.get(name=Role.STUDENT.value)
        new_users, to_update, to_enrol, to_reactivate = [], [], [], []
        for row in parsed:
            user = existing.get(row.number)
            if user is None:
                report.created.append(row.number)
                report.enrolled.append(row.number)
                if not dry_run:
                    user = User.objects.create_user(
                        row.number, display_name=row.name, email=row.email
                    )
                    new_users.append(user)
                    to_enrol.append(user)
                continue
            changed = (user.display_name, user.email) != (row.name, row.email)
            if changed:
                report.updated.append(row.number)
                user.display_name, user.email = row.name, row.email
                to_update.append(user)
            enrolment = enrolments.get(user.pk)
            if enrolment is None:
                report.enrolled.append(row.number)
                to_enrol.append(user)
            elif enrolment.dropped_at is not None:
                report.reactivated.append(row.number)
                enrolment.dropped_at = None
                to_reactivate.append(enrolment)
            elif not changed:
                report.unchanged.append(row.number)
        if dry_run:
            return report
        if new_users:
            students_group.user_set.add(*new_users)
        if to_update:
            User.objects.bulk_update(to_update, ["display_name", "email"])
        if to_enrol:
            Enrolment.objects.bulk_create(
                [Enrolment(offering=offering, student=u) for u in to_enrol]
            )
        if to_reactivate:
            Enrolment.objects.bulk_update(to_reactivate, ["dropped_at"])
        for user in [*to_enrol, *(e.student for e in to_reactivate)]:
            grant_access(course=offering.course, user=user, source=offering.access_source)
    return report


def enrol_by_number(*, offering: Offering, number: str, name: str = "", email: str = ""):
    """Add one student by number: an existing student is enrolled; an unknown number needs
    a name and gets a new student account. Raises ValidationError; atomic."""
    rows = [Row(number=0, values={"number": number.strip(), "name": name.strip(), "email": email})]
    User = get_user_model()
    user = User.objects.filter(number=number.strip()).first()
    if user is not None and not name.strip():
        return enrol_student(offering=offering, student=user)
    report = import_roster(offering=offering, rows=rows)
    if report.errors:
        # One row: drop the "Row 0:" prefix the table import uses.
        messages = [e.split(": ", 1)[-1] for e in report.errors]
        raise ValidationError([m[:1].upper() + m[1:] for m in messages])
    return Enrolment.objects.get(offering=offering, student__number=number.strip())
