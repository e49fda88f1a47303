import pytest

from courses.services import grant_access
from tests.factories.courses import make_course, make_unit


@pytest.fixture
def course(teacher):
    """A course taught by the ``teacher`` fixture."""
    return make_course(teachers=[teacher])


@pytest.fixture
def unit(course):
    return make_unit(course)


@pytest.fixture
def enrolled(student, course):
    """The ``student`` fixture, with access to ``course``."""
    grant_access(course=course, user=student, source="test")
    return student
