"""Terms: the checks that tie holidays and make-up days to the term, and admin permissions.

``ensure_term_permissions`` takes an app registry so that a data migration can call it with
its historical models (like courses.services.setup); everyone else calls it without arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.apps import apps as global_apps
from django.db import transaction
from django.utils.translation import gettext as _

# A typical Chinese university period table (节次): a starting point for a new term.
STANDARD_PERIODS = [
    (1, time(8, 0), time(8, 45)),
    (2, time(8, 55), time(9, 40)),
    (3, time(10, 0), time(10, 45)),
    (4, time(10, 55), time(11, 40)),
    (5, time(14, 0), time(14, 45)),
    (6, time(14, 55), time(15, 40)),
    (7, time(16, 0), time(16, 45)),
    (8, time(16, 55), time(17, 40)),
    (9, time(19, 0), time(19, 45)),
    (10, time(19, 55), time(20, 40)),
]

TERM_ACTIONS = {
    "Reviewers": ("add", "change", "view"),
    "Teachers": ("view",),
}


@dataclass(frozen=True)
class TermItemError:
    """A problem with one holiday or make-up day: which list, which item, which field."""

    relation: str  # "holidays" or "makeup_days"
    index: int
    field: str
    message: str


def check_term_dates(
    *,
    starts_on: date,
    weeks: int,
    holidays: list[tuple[date, date]],
    makeup_days: list[tuple[date, date]],
) -> list[TermItemError]:
    """Holidays and make-up days (date, follows_date) must lie inside the term; a make-up day
    cannot follow its own date. Reads nothing; returns every problem found."""
    ends_on = starts_on + timedelta(days=7 * weeks - 1)
    outside = _("This date lies outside the term (%(start)s to %(end)s).") % {
        "start": starts_on,
        "end": ends_on,
    }
    errors = []
    for index, (first, last) in enumerate(holidays):
        for name, day in (("starts_on", first), ("ends_on", last)):
            if day and not starts_on <= day <= ends_on:
                errors.append(TermItemError("holidays", index, name, outside))
    for index, (day, follows) in enumerate(makeup_days):
        for name, value in (("date", day), ("follows_date", follows)):
            if value and not starts_on <= value <= ends_on:
                errors.append(TermItemError("makeup_days", index, name, outside))
        if day and follows and day == follows:
            errors.append(
                TermItemError(
                    "makeup_days", index, "follows_date", _("A make-up day follows another date.")
                )
            )
    return errors


def ensure_term_permissions(*, apps=global_apps, model: str = "term") -> None:
    """Reviewers add, change and view terms (or, with ``model="room"``, rooms) in the admin;
    teachers view them. Idempotent; one transaction; missing groups are skipped. Setup code
    only (migrations, seed)."""
    Group = apps.get_model("auth", "Group")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    with transaction.atomic():
        content_type, _created = ContentType.objects.get_or_create(
            app_label="classrooms", model=model
        )
        for group in Group.objects.filter(name__in=TERM_ACTIONS):
            for action in TERM_ACTIONS[group.name]:
                permission, _created = Permission.objects.get_or_create(
                    content_type=content_type,
                    codename=f"{action}_{model}",
                    defaults={"name": f"Can {action} {model}"},
                )
                group.permissions.add(permission)
