import io

import pytest
from django.core.management import call_command
from wagtail.models import Site

from lms.accounts.models import Role, User
from lms.home.models import HomePage

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_the_site_and_every_demo_account():
    output = _seed()
    numbers = set(User.objects.values_list("number", flat=True))
    expected = {"teacher1", "reviewer1"} | {f"student{i}" for i in range(1, 31)}
    assert numbers == expected
    assert User.objects.get(number="teacher1").roles == [Role.TEACHER]
    assert User.objects.get(number="reviewer1").roles == [Role.REVIEWER]
    assert User.objects.get(number="student17").roles == [Role.STUDENT]
    assert User.objects.get(number="student30").check_password("rongke-demo")
    assert "rongke-demo" in output
    assert "teacher1" in output and "reviewer1" in output and "student30" in output
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)


def test_seed_demo_run_twice_changes_nothing():
    _seed()
    before = list(User.objects.order_by("number").values_list("number", "password", "display_name"))
    _seed()
    after = list(User.objects.order_by("number").values_list("number", "password", "display_name"))
    assert after == before
    assert HomePage.objects.count() == 1


def test_demo_teacher_can_log_in_and_reach_the_admin(client):
    _seed()
    assert client.login(username="teacher1", password="rongke-demo")
    assert client.get("/admin/").status_code == 200
