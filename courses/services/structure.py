"""Read-only views of a course's structure for other apps (classrooms builds calendars on it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page

from courses.models import CoursePage, LessonPage, QuizPage, UnitPage


@dataclass
class CourseItem:
    """A live lesson or quiz of a unit; ``kind`` is "lesson" or "quiz"."""

    page: Page
    kind: str


@dataclass
class CourseUnit:
    """A live unit of a course with its live lessons and quizzes in page order."""

    page: Page
    items: list[CourseItem] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "unit"


def course_units(course: CoursePage) -> list[CourseUnit]:
    """The course's live units in order, each with its live lessons and quizzes in order.

    One query whatever the size of the course; pages are plain ``Page`` objects (title, url).
    """
    types = ContentType.objects.get_for_models(UnitPage, LessonPage, QuizPage)  # cached
    kinds = {types[LessonPage].pk: "lesson", types[QuizPage].pk: "quiz"}
    pages = (
        Page.objects.live()
        .descendant_of(course)
        .filter(depth__lte=course.depth + 2)
        .order_by("path")
        .only("id", "title", "path", "depth", "url_path", "content_type_id", "slug", "locale_id")
    )
    units: list[CourseUnit] = []
    for page in pages:
        if page.depth == course.depth + 1:
            if page.content_type_id == types[UnitPage].pk:
                units.append(CourseUnit(page=page))
        elif units and page.path.startswith(units[-1].page.path) and page.content_type_id in kinds:
            units[-1].items.append(CourseItem(page=page, kind=kinds[page.content_type_id]))
    return units


def course_item_kinds(course: CoursePage) -> dict[int, tuple[Page, str]]:
    """Every live unit, lesson and quiz of ``course`` by page id: ``(page, kind)``. One query."""
    found: dict[int, tuple[Page, str]] = {}
    for unit in course_units(course):
        found[unit.page.pk] = (unit.page, "unit")
        for item in unit.items:
            found[item.page.pk] = (item.page, item.kind)
    return found
