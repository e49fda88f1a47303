import factory
from django.contrib.auth.models import Group

from lms.accounts.models import Role, User

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    """A user without a role; the role factories below add one."""

    class Meta:
        model = User
        django_get_or_create = ("number",)
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"u{n:05d}")
    display_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda u: f"{u.number}@example.edu")
    password = factory.django.Password(PASSWORD)


def _role_factory(role: Role, prefix: str) -> type[UserFactory]:
    class RoleUserFactory(UserFactory):
        number = factory.Sequence(lambda n: f"{prefix}{n:05d}")

        @factory.post_generation
        def add_role(self, create, extracted, **kwargs):
            if create:
                # get_or_create: a transactional test flushes the groups the migration made.
                self.groups.add(Group.objects.get_or_create(name=role.value)[0])

    RoleUserFactory.__name__ = RoleUserFactory.__qualname__ = f"{role.name.title()}Factory"
    return RoleUserFactory


TeacherFactory = _role_factory(Role.TEACHER, "t")
StudentFactory = _role_factory(Role.STUDENT, "s")
ReviewerFactory = _role_factory(Role.REVIEWER, "r")
