"""Public operations on accounts: roles and bulk import."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from lms.accounts.models import Role, User, number_validator
from lms.accounts.tables import Row

ROLE_ALIASES = {
    "teacher": Role.TEACHER,
    "teachers": Role.TEACHER,
    "教师": Role.TEACHER,
    "老师": Role.TEACHER,
    "student": Role.STUDENT,
    "students": Role.STUDENT,
    "学生": Role.STUDENT,
    "reviewer": Role.REVIEWER,
    "reviewers": Role.REVIEWER,
    "督导": Role.REVIEWER,
    "教务": Role.REVIEWER,
}
USER_COLUMNS = {"number", "name", "role"}
USER_OPTIONAL_COLUMNS = {"email"}


def set_role(*, user: User, role: Role) -> None:
    """Give ``user`` the role's group, keeping any other groups. Idempotent."""
    user.groups.add(Group.objects.get(name=role.value))


@dataclass(frozen=True)
class UserRow:
    number: str
    name: str
    email: str
    role: Role


@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def person_problems(row: Row, *, seen: dict[str, int]) -> list[str]:
    """What is wrong with a row's number, name and optional email, in the user's language.

    ``seen`` maps the numbers met so far to their row numbers; it is updated, so that a
    number repeated in the file is reported on its second row. Shared by every import of
    people (users here, class rosters in classrooms).
    """
    number = row.values.get("number", "")
    name = row.values.get("name", "")
    email = row.values.get("email", "")
    problems = []
    if not number:
        problems.append(_("the number is empty"))
    else:
        try:
            number_validator(number)
        except ValidationError as exc:
            problems.extend(exc.messages)
        if len(number) > 32:
            problems.append(_("the number is longer than 32 characters"))
        if number in seen:
            problems.append(
                _("number %(number)s already appears in row %(row)s")
                % {"number": number, "row": seen[number]}
            )
        seen.setdefault(number, row.number)
    if not name:
        problems.append(_("the name is empty"))
    elif len(name) > 100:
        problems.append(_("the name is longer than 100 characters"))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("“%(email)s” is not a valid email address") % {"email": email})
    return problems


def row_error(row: Row, problems: list[str]) -> str:
    return _("Row %(row)s: %(problems)s.") % {"row": row.number, "problems": "; ".join(problems)}


def _parse_user_rows(rows: Iterable[Row]) -> tuple[list[UserRow], list[str]]:
    parsed, errors, seen = [], [], {}
    for row in rows:
        problems = person_problems(row, seen=seen)
        role_text = row.values.get("role", "")
        role = ROLE_ALIASES.get(role_text.strip().lower())
        if role is None:
            problems.append(
                _("unknown role “%(role)s” (use teacher, student or reviewer)")
                % {"role": role_text}
            )
        if problems:
            errors.append(row_error(row, problems))
        else:
            values = row.values
            parsed.append(
                UserRow(
                    number=values["number"],
                    name=values["name"],
                    email=values.get("email", ""),
                    role=role,
                )
            )
    return parsed, errors


def import_users(*, rows: Iterable[Row], dry_run: bool = False) -> ImportReport:
    """Create or update users from table rows (number, name, role, optional email).

    All or nothing: if any row is invalid, every error is reported with its row number and
    nothing is saved. Running the same file again updates names, emails and roles in place
    and creates no duplicates; existing passwords are never touched. New users get no
    usable password until one is set (the demo and the admin set them).
    """
    parsed, errors = _parse_user_rows(rows)
    report = ImportReport(errors=errors, dry_run=dry_run)
    if errors:
        return report
    numbers = [r.number for r in parsed]
    existing = {
        u.number: u for u in User.objects.filter(number__in=numbers).prefetch_related("groups")
    }
    with transaction.atomic():
        groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}
        for row in parsed:
            user = existing.get(row.number)
            if user is None:
                report.created.append(row.number)
                if dry_run:
                    continue
                user = User.objects.create_user(row.number, display_name=row.name, email=row.email)
            elif (user.display_name, user.email) != (row.name, row.email) or not user.has_role(
                row.role
            ):
                report.updated.append(row.number)
                if dry_run:
                    continue
                user.display_name, user.email = row.name, row.email
                user.full_clean()
                user.save(update_fields=["display_name", "email"])
            else:
                report.unchanged.append(row.number)
                continue
            user.groups.add(groups[row.role.value])
    return report
