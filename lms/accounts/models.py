from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The three roles, each a Django group created by a data migration."""

    TEACHER = "Teachers", _("Teacher")
    STUDENT = "Students", _("Student")
    REVIEWER = "Reviewers", _("Reviewer")


number_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    _("A number may contain only letters, digits, dots, hyphens and underscores."),
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, number, password=None, **fields):
        if not number:
            raise ValueError("A user needs a number.")
        fields.setdefault("display_name", number)
        user = self.model(number=number, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, number, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(number, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their student or staff number (学号 / 工号)."""

    number = models.CharField(
        _("student or staff number"),
        max_length=32,
        unique=True,
        validators=[number_validator],
        error_messages={"unique": _("A user with this number already exists.")},
    )
    display_name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    is_staff = models.BooleanField(
        _("Django staff"),
        default=False,
        help_text=_("Unused by Rongke itself; Wagtail admin access goes by role."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "number"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["number"]

    def __str__(self):
        return f"{self.display_name} ({self.number})"

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name

    def has_role(self, role: Role) -> bool:
        # Reads the prefetched groups when they are there, so lists stay one query.
        return any(group.name == role.value for group in self.groups.all())

    @property
    def roles(self) -> list[Role]:
        names = {group.name for group in self.groups.all()}
        return [role for role in Role if role.value in names]
