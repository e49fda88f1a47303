import pytest
from django.urls import reverse

from tests.conftest import login_client
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["teacher", "reviewer"])
def test_teachers_and_reviewers_reach_the_wagtail_admin(role, request):
    user = request.getfixturevalue(role)
    response = login_client(user).get("/admin/")
    assert response.status_code == 200
    assert b"wagtail" in response.content.lower()


def test_a_student_who_opens_the_admin_is_refused_clearly(student):
    client = login_client(student)
    for path in ("/admin/", "/admin/pages/", "/admin/users/"):
        response = client.get(path)
        assert response.status_code == 403
        assert b"The course admin is not available for your role" in response.content
        assert reverse("home:dashboard").encode() in response.content


def test_the_refusal_is_in_the_students_language(student):
    response = login_client(student).get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 403
    assert "您的角色无法使用课程管理后台" in response.content.decode()


def test_a_teacher_cannot_manage_users(teacher):
    response = login_client(teacher).get("/admin/users/")
    # Wagtail turns away a user without the permission: never the user list.
    assert response.status_code in (302, 403)
    assert b"student or staff number" not in response.content.lower()


def test_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_login_by_number_lands_on_the_role_dashboard(client, student):
    response = client.post(
        reverse("accounts:login"), {"username": student.number, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home:dashboard")
    assert client.get(reverse("home:dashboard"))["Location"] == reverse("home:student")


def test_wrong_password_says_so_and_logs_nobody_in(client, student):
    response = client.post(
        reverse("accounts:login"), {"username": student.number, "password": "nope"}
    )
    assert response.status_code == 200
    assert b"That number and password do not match" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("role", "dashboard", "marker"),
    [
        ("student", "home:student", b'id="due-soon"'),
        ("teacher", "home:teacher", b'id="offerings"'),
        ("reviewer", "home:reviewer", b'id="reviews"'),
    ],
)
def test_each_role_lands_on_its_own_dashboard(role, dashboard, marker, request):
    client = login_client(request.getfixturevalue(role))
    response = client.get(reverse("home:dashboard"))
    assert response["Location"] == reverse(dashboard)
    page = client.get(reverse(dashboard))
    assert page.status_code == 200
    assert marker in page.content


def test_a_student_cannot_open_the_teacher_dashboard(student):
    assert login_client(student).get(reverse("home:teacher")).status_code == 403


def test_a_user_without_role_is_told_to_ask_for_one(db):
    response = login_client(UserFactory()).get(reverse("home:dashboard"))
    assert response.status_code == 200
    assert b"Your account has no role yet" in response.content


def test_dashboard_requires_login(client):
    response = client.get(reverse("home:student"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_logout_and_password_change(client, student):
    client.force_login(student)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a much better secret 42",
            "new_password2": "a much better secret 42",
        },
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    student.refresh_from_db()
    assert student.check_password("a much better secret 42")

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_page_is_built_for_phones(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'autocomplete="username"' in html


def test_dashboards_list_the_courses_of_each_role(student, teacher):
    from courses.services import grant_access
    from tests.factories.courses import make_course

    taught = make_course(teachers=[teacher], title="Data Structures")
    make_course(title="Someone else's course")
    grant_access(course=taught, user=student, source="test")

    html = login_client(student).get(reverse("home:student")).content.decode()
    assert "Data Structures" in html and taught.url in html
    assert "Someone else&#x27;s course" not in html

    html = login_client(teacher).get(reverse("home:teacher")).content.decode()
    assert "Data Structures" in html
    assert reverse("courses:course_stats", args=[taught.pk]) in html
    assert "Someone else&#x27;s course" not in html
