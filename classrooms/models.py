"""The offline side and the link: terms, offerings, sessions and the teaching calendar.

An Offering (教学班) is a CoursePage taught in a Term to a roster. Its timetable rules
generate Sessions (in-person meetings). Its teaching calendar (教学日历) is edited as
CalendarEntry rows and published as immutable CalendarPublication snapshots, which is
what students see.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel

from classrooms.querysets import EnrolmentQuerySet, OfferingQuerySet, SessionQuerySet
from courses.storage import get_protected_storage

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class Organisation(models.TextChoices):
    LARGE_CLASS = "large", _("Large class")
    SMALL_CLASS = "small", _("Small class")
    GROUPS = "groups", _("Groups")
    INDIVIDUAL = "individual", _("Individual")


class LearningMode(models.TextChoices):
    ONLINE = "online", _("Online self-study")
    LECTURE = "lecture", _("Classroom lecture")
    PRACTICE = "practice", _("In-class practice")
    DISCUSSION = "discussion", _("Discussion")
    LAB = "lab", _("Lab")
    FLIPPED = "flipped", _("Flipped class")
    EXAM = "exam", _("Exam")
    OTHER = "other", _("Other")

    @classmethod
    def in_class(cls) -> set[str]:
        return {m.value for m in cls} - {cls.ONLINE.value}


# --- Term ----------------------------------------------------------------------------------
class Term(ClusterableModel):
    """A school term: week 1 starts on ``starts_on``; holidays, make-up days, periods."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    starts_on = models.DateField(_("first day of week 1"))
    weeks = models.PositiveSmallIntegerField(
        _("number of weeks"), default=16, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("weeks")]),
        InlinePanel("periods", label=_("periods (节次)")),
        InlinePanel("holidays", label=_("holidays")),
        InlinePanel("makeup_days", label=_("make-up days (调休)")),
    ]

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-starts_on"]

    def __str__(self):
        return self.name

    @property
    def ends_on(self):
        from datetime import timedelta

        return self.starts_on + timedelta(days=7 * self.weeks - 1)

    def contains(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on

    def week_of(self, day) -> int | None:
        """The week number (1-based) of ``day``, or None outside the term."""
        if not self.contains(day):
            return None
        return (day - self.starts_on).days // 7 + 1


class Period(models.Model):
    """A numbered class period (节次) with its clock times."""

    term = ParentalKey(Term, on_delete=models.CASCADE, related_name="periods")
    number = models.PositiveSmallIntegerField(_("period"), validators=[MinValueValidator(1)])
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))

    panels = [FieldRowPanel([FieldPanel("number"), FieldPanel("starts_at"), FieldPanel("ends_at")])]

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="unique_period_number")
        ]

    def __str__(self):
        return f"{self.number}: {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A period must end after it starts.")})


class Holiday(models.Model):
    term = ParentalKey(Term, on_delete=models.CASCADE, related_name="holidays")
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    panels = [FieldPanel("name"), FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")])]

    class Meta:
        ordering = ["starts_on"]

    def __str__(self):
        return f"{self.name} {self.starts_on}–{self.ends_on}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A holiday cannot end before it starts.")})


class MakeUpDay(models.Model):
    """调休: on ``date`` classes follow the timetable of ``follows_date`` (usually a holiday)."""

    term = ParentalKey(Term, on_delete=models.CASCADE, related_name="makeup_days")
    date = models.DateField(_("date"))
    follows_date = models.DateField(
        _("follows the timetable of"),
        help_text=_("The day whose classes are held on this date (its weekday and week)."),
    )

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("follows_date")])]

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["term", "date"], name="unique_makeup_day")]

    def __str__(self):
        return f"{self.date} ← {self.follows_date}"


# --- Offering and roster -------------------------------------------------------------------
class Offering(models.Model):
    """教学班: a course taught in a term, by teachers (and assistants), to a roster."""

    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="offerings",
    )
    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="offerings"
    )
    section = models.CharField(_("section"), max_length=32, default="01")
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("teachers"), related_name="offerings_taught"
    )
    assistants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teaching assistants"),
        blank=True,
        related_name="offerings_assisted",
    )
    online_opens_on = models.DateField(_("online part opens"))
    online_closes_on = models.DateField(_("online part closes"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OfferingQuerySet.as_manager()

    class Meta:
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        ordering = ["term_id", "course_id", "section"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "term", "section"], name="unique_offering_section"
            )
        ]

    def __str__(self):
        return f"{self.course.title} [{self.section}] {self.term.name}"

    def clean(self):
        errors = {}
        term = self.term if self.term_id else None
        opens, closes = self.online_opens_on, self.online_closes_on
        if opens and closes and closes < opens:
            errors["online_closes_on"] = _("The online part cannot close before it opens.")
        if term is not None:
            for field in ("online_opens_on", "online_closes_on"):
                day = getattr(self, field)
                if day and not term.contains(day) and field not in errors:
                    errors[field] = _(
                        "This date lies outside the term %(term)s (%(start)s to %(end)s)."
                    ) % {"term": term.name, "start": term.starts_on, "end": term.ends_on}
        if errors:
            raise ValidationError(errors)

    @property
    def access_source(self) -> str:
        """The name under which this offering grants access to its course's pages."""
        return f"offering:{self.pk}"


class Enrolment(models.Model):
    """A student on an offering's roster. Dropping keeps the row (with its date)."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="enrolments")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments"
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)
    dropped_at = models.DateTimeField(null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "student"], name="unique_enrolment_per_offering"
            )
        ]

    def __str__(self):
        return f"{self.student_id} in {self.offering_id}"


# --- Timetable and sessions ----------------------------------------------------------------
class WeekParity(models.TextChoices):
    ALL = "all", _("Every week")
    ODD = "odd", _("Odd weeks")
    EVEN = "even", _("Even weeks")


class TimetableRule(models.Model):
    """A weekly meeting: weekday, periods, weeks (e.g. "1-8,10-16"), parity, room."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="rules")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    first_period = models.PositiveSmallIntegerField(_("first period"))
    last_period = models.PositiveSmallIntegerField(_("last period"))
    weeks = models.CharField(
        _("weeks"), max_length=100, help_text=_("Week numbers and ranges, e.g. 1-8,10,12-16.")
    )
    parity = models.CharField(
        _("odd or even weeks"), max_length=4, choices=WeekParity.choices, default=WeekParity.ALL
    )
    room = models.CharField(_("room"), max_length=100)
    organisation = models.CharField(
        _("organisation"),
        max_length=16,
        choices=Organisation.choices,
        default=Organisation.LARGE_CLASS,
    )

    class Meta:
        ordering = ["offering_id", "weekday", "first_period"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.first_period}-{self.last_period} {self.room}"

    @property
    def class_hours(self) -> int:
        return self.last_period - self.first_period + 1


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Session(models.Model):
    """One in-person meeting of an offering.

    A session generated from a rule is keyed by (rule, scheduled_for): running the
    scheduler again finds it instead of creating another. Moving it changes date and times
    (and bumps ``sequence`` for calendar applications) but keeps the key.
    """

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="sessions")
    rule = models.ForeignKey(
        TimetableRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    scheduled_for = models.DateField(null=True, blank=True)  # the date the rule produced
    week = models.PositiveSmallIntegerField(_("week"))
    date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=100)
    class_hours = models.PositiveSmallIntegerField(_("class hours"))
    organisation = models.CharField(
        _("organisation"),
        max_length=16,
        choices=Organisation.choices,
        default=Organisation.LARGE_CLASS,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    moved = models.BooleanField(default=False)  # changed by hand: the scheduler leaves it be
    sequence = models.PositiveIntegerField(default=0)  # iCalendar SEQUENCE
    uid = models.CharField(max_length=64, unique=True)  # iCalendar UID, stable for life
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "scheduled_for"], name="unique_session_per_rule_date"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.offering_id} {self.starts_at:%Y-%m-%d %H:%M} {self.room}"


# --- Teaching calendar ---------------------------------------------------------------------
class CalendarEntry(models.Model):
    """One row of the working (draft) teaching calendar of an offering."""

    offering = models.ForeignKey(
        Offering, on_delete=models.CASCADE, related_name="calendar_entries"
    )
    position = models.PositiveIntegerField(_("order"))
    week = models.PositiveSmallIntegerField(_("week"))
    class_hours = models.DecimalField(_("class hours"), max_digits=4, decimal_places=1)
    content = models.TextField(_("content"))
    mode = models.CharField(_("learning mode"), max_length=16, choices=LearningMode.choices)
    organisation = models.CharField(
        _("organisation"), max_length=16, choices=Organisation.choices, blank=True
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calendar_entries",
    )
    # Prework due time; None means the start of the linked session.
    due_at = models.DateTimeField(_("prework due"), null=True, blank=True)
    items = models.ManyToManyField(
        "wagtailcore.Page",
        verbose_name=_("online items"),
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("calendar entry")
        verbose_name_plural = _("calendar entries")
        ordering = ["offering_id", "position"]

    def __str__(self):
        return f"{self.offering_id} #{self.position} w{self.week}"


class CalendarPublication(models.Model):
    """A published teaching calendar, kept for good: who, when, what, what changed.

    ``entries`` is the full snapshot students see; ``changes`` lists what differs from
    the previous publication. The newest publication of an offering is the current one.
    """

    offering = models.ForeignKey(
        Offering, on_delete=models.PROTECT, related_name="calendar_publications"
    )
    number = models.PositiveIntegerField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField()
    entries = models.JSONField(default=list)
    changes = models.JSONField(default=list)

    class Meta:
        ordering = ["offering_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "number"], name="unique_publication_number")
        ]

    def __str__(self):
        return f"{self.offering_id} v{self.number}"


class FeedToken(models.Model):
    """The secret in a user's private iCalendar feed URL; replaced to revoke the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"feed of {self.user_id}"


# --- Attendance and check-in ---------------------------------------------------------------
class Room(models.Model):
    """Optional check-in restrictions of a teaching room, matched to sessions by name.

    ``networks`` (one CIDR per line) refuses check-ins from elsewhere; a location (latitude,
    longitude, radius) only flags check-ins from farther away, since phones can lie.
    """

    name = models.CharField(_("room"), max_length=100, unique=True)
    networks = models.TextField(
        _("allowed networks"),
        blank=True,
        help_text=_("One IP network per line, e.g. 10.12.0.0/16. Empty: any network."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    radius_m = models.PositiveIntegerField(_("radius (metres)"), default=150)

    panels = [
        FieldPanel("name"),
        FieldPanel("networks"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude"), FieldPanel("radius_m")]),
    ]

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def ip_networks(self) -> list:
        """The allowed networks as ``ipaddress`` objects (lines that do not parse are skipped;
        ``clean`` refuses them on save)."""
        import ipaddress

        result = []
        for line in self.networks.splitlines():
            line = line.strip()
            if line:
                try:
                    result.append(ipaddress.ip_network(line, strict=False))
                except ValueError:
                    continue
        return result

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def clean(self):
        import ipaddress

        errors = {}
        for line in self.networks.splitlines():
            if line.strip():
                try:
                    ipaddress.ip_network(line.strip(), strict=False)
                except ValueError:
                    errors["networks"] = _("“%(line)s” is not an IP network.") % {"line": line}
                    break
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _("Give both latitude and longitude, or neither.")
        if errors:
            raise ValidationError(errors)


class SharedDevice(models.TextChoices):
    REFUSE = "refuse", _("Refuse the second student")
    FLAG = "flag", _("Accept and flag for the teacher")


class AttendancePolicy(models.Model):
    """How check-in works in an offering. Offerings without a row use the field defaults."""

    offering = models.OneToOneField(
        Offering, on_delete=models.CASCADE, related_name="attendance_policy"
    )
    opens_before_minutes = models.PositiveSmallIntegerField(
        _("check-in opens (minutes before the start)"),
        default=10,
        validators=[MaxValueValidator(120)],
    )
    late_after_minutes = models.PositiveSmallIntegerField(
        _("late after (minutes after the start)"), default=10, validators=[MaxValueValidator(240)]
    )
    closes_after_minutes = models.PositiveSmallIntegerField(
        _("check-in closes (minutes after the start)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(600)],
        help_text=_("Empty: at the end of the session."),
    )
    rotation_seconds = models.PositiveSmallIntegerField(
        _("code changes every (seconds)"),
        default=10,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
    )
    shared_device = models.CharField(
        _("one phone, several students"),
        max_length=8,
        choices=SharedDevice.choices,
        default=SharedDevice.REFUSE,
    )
    alert_below_percent = models.PositiveSmallIntegerField(
        _("warn below attendance (%)"), default=80, validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("attendance policy")
        verbose_name_plural = _("attendance policies")

    def __str__(self):
        return f"attendance policy of {self.offering_id}"

    def clean(self):
        closes, late = self.closes_after_minutes, self.late_after_minutes
        if closes is not None and late is not None and closes < late:
            raise ValidationError(
                {
                    "closes_after_minutes": _(
                        "Check-in would close before anyone counts as late: close it "
                        "%(late)s minutes after the start or later, or count students late "
                        "sooner."
                    )
                    % {"late": late}
                }
            )

    @classmethod
    def for_offering(cls, offering: Offering) -> AttendancePolicy:
        """The offering's policy, or an unsaved one with the defaults."""
        try:
            return offering.attendance_policy
        except cls.DoesNotExist:
            return cls(offering=offering)


class ManualState(models.TextChoices):
    AUTO = "", _("By the clock")
    OPEN = "open", _("Opened by hand")
    CLOSED = "closed", _("Closed by hand")


class CheckInWindow(models.Model):
    """A session's check-in: the secret its rotating codes derive from, and the teacher's
    overrides. Times come from the session and the offering's policy unless set here."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="checkin")
    secret = models.CharField(max_length=64)
    closes_at = models.DateTimeField(_("check-in closes at"), null=True, blank=True)
    manual = models.CharField(max_length=8, choices=ManualState.choices, blank=True, default="")
    manual_at = models.DateTimeField(null=True, blank=True)
    manual_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    holds_session_records = False  # settings, not records: the scheduler may delete it

    def __str__(self):
        return f"check-in of session {self.session_id}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class CheckInMethod(models.TextChoices):
    QR = "qr", _("QR code")
    CODE = "code", _("Typed code")
    MANUAL = "manual", _("Marked by the teacher")
    LOCATION = "location", _("Location")


class AttendanceFlag(models.TextChoices):
    SHARED_DEVICE = "shared_device", _("Phone already used by another student")
    FAR_AWAY = "far_away", _("Location far from the room")
    NO_LOCATION = "no_location", _("No location given")


class Attendance(models.Model):
    """One student's attendance at one session: the record grading reads. Never deleted."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(_("status"), max_length=8, choices=AttendanceStatus.choices)
    method = models.CharField(_("method"), max_length=8, choices=CheckInMethod.choices)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    device = models.CharField(_("device"), max_length=64, blank=True, db_index=True)
    user_agent = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)  # AttendanceFlag values
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["session_id", "student_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "student"], name="unique_attendance_per_session"
            )
        ]

    def __str__(self):
        return f"{self.student_id} at {self.session_id}: {self.status}"

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


class AttendanceChange(models.Model):
    """Every change made by a person (teacher, or a leave approval): who, when, old, new."""

    attendance = models.ForeignKey(Attendance, on_delete=models.PROTECT, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    old_status = models.CharField(max_length=8, choices=AttendanceStatus.choices, blank=True)
    new_status = models.CharField(max_length=8, choices=AttendanceStatus.choices)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["attendance_id", "changed_at", "id"]

    def __str__(self):
        return f"{self.attendance_id}: {self.old_status or '-'} -> {self.new_status}"


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the teacher")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def _leave_upload_to(instance, filename):
    """A random name (the student's own file name may say more than needed), same suffix."""
    import uuid
    from pathlib import PurePath

    return f"leave/{instance.session_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class LeaveRequest(models.Model):
    """请假: a student asks to be excused from a session; a teacher decides."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="leave_requests")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="leave_requests"
    )
    reason = models.TextField(_("reason"), max_length=2000)
    attachment = models.FileField(
        _("attachment"), storage=get_protected_storage, upload_to=_leave_upload_to, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note to the student"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "student"],
                condition=models.Q(status__in=["pending", "approved"]),
                name="one_open_leave_request",
            )
        ]

    def __str__(self):
        return f"leave of {self.student_id} for {self.session_id}: {self.status}"


# --- In-class participation ----------------------------------------------------------------
class ClassAnswer(models.Model):
    """A student's answer to an in-class activity (a live poll), kept for grading.

    Written once: unique per (session, student, activity), and per (student, key) where
    ``key`` is generated by the client so that a retry after a lost acknowledgement finds
    the first write. ``activity`` names the activity in the app that ran it ("poll:12");
    ``correct`` is None when the activity has no right answer.
    """

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="answers")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="class_answers"
    )
    activity = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    value = models.JSONField()
    correct = models.BooleanField(null=True)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["session_id", "answered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "student", "activity"], name="one_answer_per_activity"
            ),
            models.UniqueConstraint(fields=["student", "key"], name="unique_answer_key"),
        ]
        indexes = [models.Index(fields=["session", "activity"])]

    def __str__(self):
        return f"{self.student_id} {self.activity}@{self.session_id}"
