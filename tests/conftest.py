import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.factories import ReviewerFactory, StudentFactory, TeacherFactory


@pytest.fixture(autouse=True)
def _default_language():
    # A request in another language leaves that language active in the thread (Django
    # activates per request and never resets): start every test from the default.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2 is slow on purpose; tests need speed, not resistance to brute force.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _migrated_data(request):
    """Transactional tests empty every table when they end, including what data migrations
    made (role groups, the page tree): put it back before each transactional test."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from tests.factories.baseline import ensure_baseline

    ensure_baseline()


@pytest.fixture
def teacher(db):
    return TeacherFactory()


@pytest.fixture
def student(db):
    return StudentFactory()


@pytest.fixture
def reviewer(db):
    return ReviewerFactory()


def login_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
