from tests.factories.accounts import ReviewerFactory, StudentFactory, TeacherFactory, UserFactory

__all__ = ["ReviewerFactory", "StudentFactory", "TeacherFactory", "UserFactory"]
