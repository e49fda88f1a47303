from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from courses.models import Question, QuestionKind
from tests.conftest import login_client
from tests.factories import TeacherFactory
from tests.factories.courses import make_course, numeric, single_choice, true_false

pytestmark = pytest.mark.django_db

LIST = "wagtailsnippets_courses_question:list"
ADD = "wagtailsnippets_courses_question:add"
EDIT = "wagtailsnippets_courses_question:edit"
DELETE = "wagtailsnippets_courses_question:delete"
IMPORT = "wagtailsnippets_courses_question:import"


@pytest.fixture
def course(teacher):
    return make_course(teachers=[teacher], title="Data Structures")


@pytest.fixture
def other_course():
    return make_course(teachers=[TeacherFactory()], title="Compilers")


def refused(response):
    """Wagtail turns a PermissionDenied into a redirect to the admin home with a message."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def question_form(course, *, kind="single", text="Which is LIFO?", options=(), **fields):
    return nested_form_data(
        {
            "course": course.pk,
            "kind": kind,
            "points": "1",
            "title": "",
            "text": text,
            "options": inline_formset(
                [{"text": t, "is_correct": c, "feedback": ""} for t, c in options]
            ),
            "partial_credit": "",
            "correct_true": fields.pop("correct_true", ""),
            "accepted_answers": fields.pop("accepted_answers", ""),
            "numeric_answer": fields.pop("numeric_answer", ""),
            "tolerance": fields.pop("tolerance", "0"),
            "model_answer": "",
            "feedback": "",
            "tags": fields.pop("tags", ""),
        }
    )


def test_a_teacher_lists_only_the_questions_of_courses_they_teach(teacher, course, other_course):
    mine = single_choice(text="Mine: which is LIFO?", course=course)
    single_choice(text="Theirs: which is a parser?", course=other_course)
    single_choice(text="Orphan without a course")
    response = login_client(teacher).get(reverse(LIST))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mine: which is LIFO?" in html
    assert "Theirs" not in html
    assert "Orphan" not in html
    assert reverse(EDIT, args=[mine.pk]) in html
    assert reverse(IMPORT) in html


def test_a_teacher_cannot_open_or_delete_another_courses_question(teacher, other_course):
    theirs = single_choice(course=other_course)
    client = login_client(teacher)
    assert refused(client.get(reverse(EDIT, args=[theirs.pk])))
    assert refused(client.post(reverse(EDIT, args=[theirs.pk]), question_form(other_course)))
    assert refused(client.post(reverse(DELETE, args=[theirs.pk])))
    assert Question.objects.filter(pk=theirs.pk).exists()


def test_listing_filters_by_course_kind_and_tag_and_searches(teacher, course):
    other = make_course(teachers=[teacher], title="Algorithms")
    a = single_choice(text="Stack question", course=course)
    a.tags.add("stacks")
    a.save()
    true_false(text="Queue question", course=course)
    numeric(text="Heap numeric", course=other)
    client = login_client(teacher)

    def texts(**params):
        html = client.get(reverse(LIST), params).content.decode()
        return sorted(t for t in ("Stack question", "Queue question", "Heap numeric") if t in html)

    assert texts(course=other.pk) == ["Heap numeric"]
    assert texts(kind="true_false") == ["Queue question"]
    assert texts(tag=a.tags.get().pk) == ["Stack question"]
    assert texts(q="queue") == ["Queue question"]


def test_a_reviewer_lists_every_question_but_cannot_edit(reviewer, course, other_course):
    q = single_choice(text="Reviewable", course=other_course)
    client = login_client(reviewer)
    response = client.get(reverse(LIST))
    assert response.status_code == 200
    assert "Reviewable" in response.content.decode()
    assert refused(client.get(reverse(EDIT, args=[q.pk])))
    assert refused(client.get(reverse(IMPORT)))


def test_students_are_refused_the_bank_and_the_import(student):
    client = login_client(student)
    assert client.get(reverse(LIST)).status_code == 403
    assert client.get(reverse(IMPORT)).status_code == 403


def test_a_valid_single_choice_question_is_saved_from_the_admin(teacher, course):
    data = question_form(course, options=[("Queue", False), ("Stack", True)], tags="stacks")
    response = login_client(teacher).post(reverse(ADD), data)
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.course == course
    assert [(o.text, o.is_correct) for o in question.options.all()] == [
        ("Queue", False),
        ("Stack", True),
    ]
    assert [t.name for t in question.tags.all()] == ["stacks"]


@pytest.mark.parametrize(
    ("kind", "options", "fields", "message"),
    [
        ("single", [("Only one", True)], {}, "A choice question needs at least two options."),
        (
            "single",
            [("A", True), ("B", True)],
            {},
            "A single-choice question needs exactly one correct option (it has 2).",
        ),
        (
            "multiple",
            [("A", False), ("B", False)],
            {},
            "A multiple-choice question needs at least one correct option.",
        ),
        ("true_false", [], {}, "A true-or-false question needs its answer: true or false."),
        (
            "fill_blank",
            [],
            {"accepted_answers": "  \n "},
            "A fill-in-the-blank question needs at least one accepted answer.",
        ),
        ("numeric", [], {}, "A numeric question needs its numeric answer."),
    ],
)
def test_the_admin_refuses_an_invalid_question_and_saves_nothing(
    teacher, course, kind, options, fields, message
):
    data = question_form(course, kind=kind, options=options, **fields)
    response = login_client(teacher).post(reverse(ADD), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Question.objects.count() == 0


def test_the_admin_saves_true_false_fill_blank_and_numeric(teacher, course):
    client = login_client(teacher)
    for kind, fields in [
        ("true_false", {"correct_true": "true"}),
        ("fill_blank", {"accepted_answers": "stack\na stack"}),
        ("numeric", {"numeric_answer": "3.14", "tolerance": "0.01"}),
    ]:
        response = client.post(reverse(ADD), question_form(course, kind=kind, **fields))
        assert response.status_code == 302, kind
    by_kind = {q.kind: q for q in Question.objects.all()}
    assert by_kind[QuestionKind.TRUE_FALSE].correct_true is True
    assert by_kind[QuestionKind.FILL_BLANK].accepted_answers == "stack\na stack"
    assert by_kind[QuestionKind.NUMERIC].numeric_answer == Decimal("3.14")


def test_a_teacher_cannot_put_a_question_in_a_course_they_do_not_teach(teacher, other_course):
    data = question_form(other_course, options=[("A", True), ("B", False)])
    response = login_client(teacher).post(reverse(ADD), data)
    assert response.status_code == 200
    assert Question.objects.count() == 0


def test_editing_keeps_the_rules(teacher, course):
    q = single_choice(course=course, options=("3", "4"), correct=(1,))
    options = list(q.options.all())
    data = question_form(course, text="2 + 2 = ?", options=[])
    data.update(
        nested_form_data(
            {
                "options": inline_formset(
                    [
                        {"id": options[0].pk, "text": "3", "is_correct": "on", "feedback": ""},
                        {"id": options[1].pk, "text": "4", "is_correct": "on", "feedback": ""},
                    ],
                    initial=2,
                )
            }
        )
    )
    response = login_client(teacher).post(reverse(EDIT, args=[q.pk]), data)
    assert response.status_code == 200
    assert "exactly one correct option (it has 2)" in response.content.decode()
    assert [o.is_correct for o in q.options.all()] == [False, True]


def test_teachers_get_page_and_collection_permissions_once(teacher, course):
    from django.contrib.auth.models import Group
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    from courses.services.setup import ensure_teacher_permissions

    ensure_teacher_permissions()
    ensure_teacher_permissions()
    teachers = Group.objects.get(name="Teachers")
    pages = GroupPagePermission.objects.filter(group=teachers, page=course.get_parent())
    assert sorted(p.permission.codename for p in pages) == [
        "add_page",
        "change_page",
        "publish_page",
    ]
    assert sorted(
        p.permission.codename for p in GroupCollectionPermission.objects.filter(group=teachers)
    ) == [
        "add_document",
        "add_image",
        "change_document",
        "change_image",
        "choose_document",
        "choose_image",
    ]
    assert teacher.has_perm("courses.add_question")
    reviewers = Group.objects.get(name="Reviewers")
    assert sorted(
        p.codename for p in reviewers.permissions.filter(content_type__app_label="courses")
    ) == ["view_question", "view_video"]
