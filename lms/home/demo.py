"""The demo: every capability adds its part here, so the demo always shows the product.

Each function is idempotent: running `seed_demo` again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from wagtail.models import Page, Site

from courses.services import ensure_teacher_permissions
from lms.accounts.models import Role, User
from lms.accounts.services import set_role
from lms.home.models import HomePage

PASSWORD = "rongke-demo"  # noqa: S105 - the published demo password
STUDENT_COUNT = 30
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "杰", "娟", "涛", "明", "超", "霞"]


@dataclass(frozen=True)
class DemoAccount:
    number: str
    name: str
    role: Role


def demo_accounts() -> list[DemoAccount]:
    accounts = [DemoAccount("teacher1", "王建国", Role.TEACHER)]
    for i in range(1, STUDENT_COUNT + 1):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[(i * 7) % len(GIVEN)]
        accounts.append(DemoAccount(f"student{i}", name, Role.STUDENT))
    accounts.append(DemoAccount("reviewer1", "李督导", Role.REVIEWER))
    return accounts


def ensure_site() -> HomePage:
    """The default Site's root is our HomePage (created by a migration; restored if gone)."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title="Rongke", slug="home"))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])
    return home


@transaction.atomic
def seed_accounts() -> list[DemoAccount]:
    accounts = demo_accounts()
    existing = set(
        User.objects.filter(number__in=[a.number for a in accounts]).values_list(
            "number", flat=True
        )
    )
    hashed = make_password(PASSWORD)  # hashed once: PBKDF2 per user would take seconds
    for account in accounts:
        if account.number in existing:
            continue
        user = User.objects.create(
            number=account.number, display_name=account.name, password=hashed
        )
        set_role(user=user, role=account.role)
    return accounts


def seed() -> list[DemoAccount]:
    from lms.home.demo_attendance import seed_attendance
    from lms.home.demo_classes import seed_classes
    from lms.home.demo_course import seed_activity, seed_course

    ensure_site()
    accounts = seed_accounts()
    users = {u.number: u for u in User.objects.filter(number__in=[a.number for a in accounts])}
    students = [users[a.number] for a in accounts if a.role == Role.STUDENT]
    course = seed_course(teacher=users["teacher1"], students=students)
    # Enrolment in the offering is what opens the course to the students.
    offering = seed_classes(teacher=users["teacher1"], students=students, course=course)
    seed_activity(course=course, students=students)
    seed_attendance(offering=offering, teacher=users["teacher1"], students=students)
    # Teachers' page permissions hang on the catalogue, which the course seed creates.
    ensure_teacher_permissions()
    return accounts
