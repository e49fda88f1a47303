from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import CoursePage, Question, QuestionKind
from courses.services.question_import import import_questions
from tests.conftest import login_client
from tests.factories import TeacherFactory
from tests.factories.courses import make_course

pytestmark = pytest.mark.django_db

IMPORT = "wagtailsnippets_courses_question:import"

GIFT = """// Data structures
::LIFO::Which structure is last in, first out? {=Stack ~Queue ~Heap}

Which are linear? {~%50%Array ~%50%Linked list ~%-100%Binary tree}

A queue is FIFO. {T}

The LIFO structure is a {=stack =a stack}.

log2(1024) = {#10}

Explain amortised analysis. {}
"""


@pytest.fixture
def course(teacher):
    # Fresh from the database: modelcluster's in-memory teachers cannot filter on "pk".
    return CoursePage.objects.get(pk=make_course(teachers=[teacher], title="Data Structures").pk)


def test_a_valid_gift_file_saves_every_question_with_its_tags(teacher, course):
    result = import_questions(
        course=course, text=GIFT, format="gift", tags=["week 1", " stacks ", ""], user=teacher
    )
    assert result.ok
    assert len(result.saved) == 6
    questions = list(Question.objects.order_by("id"))
    assert [q.kind for q in questions] == [
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.TRUE_FALSE,
        QuestionKind.FILL_BLANK,
        QuestionKind.NUMERIC,
        QuestionKind.SHORT_ANSWER,
    ]
    assert all(q.course == course for q in questions)
    assert questions[0].title == "LIFO"
    assert [(o.text, o.is_correct) for o in questions[0].options.all()] == [
        ("Stack", True),
        ("Queue", False),
        ("Heap", False),
    ]
    assert questions[1].partial_credit is True
    assert questions[2].correct_true is True
    assert questions[3].accepted_answers == "stack\na stack"
    assert questions[4].numeric_answer == Decimal("10")
    for q in questions:
        assert sorted(t.name for t in q.tags.all()) == ["stacks", "week 1"]


def test_one_invalid_question_anywhere_saves_nothing(teacher, course):
    text = GIFT + "\nPick one {~a ~b}\n"
    result = import_questions(course=course, text=text, format="gift", user=teacher)
    assert not result.ok
    assert [(e.line, e.message) for e in result.errors] == [
        (14, "A single-choice question needs exactly one correct option (it has 0).")
    ]
    assert result.saved == []
    assert Question.objects.count() == 0


def test_a_parse_error_saves_nothing(teacher, course):
    result = import_questions(
        course=course, text="Range {#1..2}\n\n" + GIFT, format="gift", user=teacher
    )
    assert [e.line for e in result.errors] == [1]
    assert Question.objects.count() == 0


def test_dry_run_saves_nothing(teacher, course):
    result = import_questions(course=course, text=GIFT, format="gift", user=teacher, dry_run=True)
    assert result.ok
    assert len(result.questions) == 6
    assert Question.objects.count() == 0


def test_aiken_import(teacher, course):
    text = "Which is LIFO?\nA. Queue\nB. Stack\nANSWER: B\n"
    result = import_questions(course=course, text=text, format="aiken", user=teacher)
    assert result.ok
    question = Question.objects.get()
    assert question.kind == QuestionKind.SINGLE
    assert [o.is_correct for o in question.options.all()] == [False, True]


def test_only_the_courses_teachers_may_import(course):
    with pytest.raises(PermissionDenied):
        import_questions(course=course, text=GIFT, format="gift", user=TeacherFactory())
    assert Question.objects.count() == 0


def test_empty_text_and_unknown_format_are_errors(teacher, course):
    assert [
        e.message
        for e in import_questions(
            course=course, text="// only a comment\n", format="gift", user=teacher
        ).errors
    ] == ["The file contains no question."]
    assert not import_questions(course=course, text=GIFT, format="xml", user=teacher).ok


# --- The admin screens ---------------------------------------------------------------------
def test_the_import_preview_shows_questions_and_saves_nothing(teacher, course):
    client = login_client(teacher)
    assert client.get(reverse(IMPORT)).status_code == 200
    upload = SimpleUploadedFile("quiz.gift", GIFT.encode(), content_type="text/plain")
    response = client.post(
        reverse(IMPORT),
        {
            "course": course.pk,
            "format": "gift",
            "file": upload,
            "tags": "week 1",
            "action": "preview",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Which structure is last in, first out?" in html
    assert "✔ Stack" in html
    assert "Import 6 questions" in html
    assert Question.objects.count() == 0


def test_the_import_preview_names_the_line_of_each_error(teacher, course):
    client = login_client(teacher)
    response = client.post(
        reverse(IMPORT),
        {
            "course": course.pk,
            "format": "gift",
            "text": "Good {T}\n\nMatch {=a -> 1 =b -> 2}",
            "action": "preview",
        },
    )
    html = response.content.decode()
    assert "Line 3:" in html
    assert "Matching questions (“-&gt;”) are not supported" in html
    assert "Import 1 question" not in html
    assert Question.objects.count() == 0


def test_confirming_saves_all_and_shows_the_course_listing(teacher, course):
    client = login_client(teacher)
    response = client.post(
        reverse(IMPORT),
        {
            "course": course.pk,
            "format": "gift",
            "text": GIFT,
            "tags": "week 1",
            "action": "confirm",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?course={course.pk}")
    assert Question.objects.filter(course=course).count() == 6


def test_a_teacher_cannot_import_into_another_teachers_course(teacher):
    theirs = make_course(teachers=[TeacherFactory()])
    make_course(teachers=[teacher])
    response = login_client(teacher).post(
        reverse(IMPORT),
        {"course": theirs.pk, "format": "gift", "text": GIFT, "action": "confirm"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Question.objects.count() == 0


def test_a_file_that_is_not_utf8_text_is_refused(teacher, course):
    upload = SimpleUploadedFile("quiz.gift", "Q {T}".encode("utf-16"), content_type="text/plain")
    response = login_client(teacher).post(
        reverse(IMPORT),
        {"course": course.pk, "format": "gift", "file": upload, "action": "preview"},
    )
    assert "The file is not UTF-8 text" in response.content.decode()
    assert Question.objects.count() == 0
