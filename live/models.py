"""The live classroom's state: one room per in-person session, its polls, bullet comments,
questions, raised hands and random calls.

Answers to polls are not kept here: they are ``classrooms.ClassAnswer`` rows written through
``classrooms.services.participation``, so grading reads them without knowing this app.
Every event broadcast to a room takes the next number of ``LiveRoom.seq``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LiveRoom(models.Model):
    """The live room of one session; ``seq`` is the number of the last event broadcast."""

    session = models.OneToOneField(
        "classrooms.Session", on_delete=models.PROTECT, related_name="live_room"
    )
    seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"live room of session {self.session_id}"


class PollKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    TEXT = "text", _("Short text")
    WORD_CLOUD = "word_cloud", _("Word cloud")


class PollSource(models.TextChoices):
    TYPED = "typed", _("Typed in class")
    BANK = "bank", _("From the question bank")
    PREPARED = "prepared", _("Prepared before class")


class PollStatus(models.TextChoices):
    DRAFT = "draft", _("Prepared")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Poll(models.Model):
    """A question put to the room. ``options`` is a list of strings (choice kinds);
    ``correct`` is a list of option indexes (choice kinds), a boolean (true or false), a list
    of accepted texts (short text), or None when there is no right answer."""

    room = models.ForeignKey(LiveRoom, on_delete=models.PROTECT, related_name="polls")
    kind = models.CharField(_("type"), max_length=12, choices=PollKind.choices)
    prompt = models.TextField(_("question"), max_length=1000)
    options = models.JSONField(default=list, blank=True)
    correct = models.JSONField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=PollSource.choices)
    question = models.ForeignKey(
        "courses.Question", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=PollStatus.choices, default=PollStatus.DRAFT)
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)  # countdown end, if any
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["room_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["room"], condition=models.Q(status="open"), name="one_open_poll_per_room"
            )
        ]

    def __str__(self):
        return self.prompt[:60]

    @property
    def activity(self) -> str:
        """The name of this poll's answers in ``classrooms.ClassAnswer``."""
        return f"poll:{self.pk}"


class Comment(models.Model):
    """A bullet comment (弹幕): anonymous to classmates, known to the teacher."""

    room = models.ForeignKey(LiveRoom, on_delete=models.PROTECT, related_name="comments")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["room_id", "created_at", "id"]

    def __str__(self):
        return self.text


class Mute(models.Model):
    """A student the teacher has muted in a room: their comments and questions are refused."""

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="mutes")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    muted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    muted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "student"], name="one_mute_per_student")
        ]

    def __str__(self):
        return f"{self.student_id} muted in {self.room_id}"


class RoomQuestion(models.Model):
    """A question asked by a student during class (Q&A), up-voted by classmates."""

    room = models.ForeignKey(LiveRoom, on_delete=models.PROTECT, related_name="questions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["room_id", "created_at", "id"]

    def __str__(self):
        return self.text[:60]


class QuestionVote(models.Model):
    question = models.ForeignKey(RoomQuestion, on_delete=models.CASCADE, related_name="votes")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    voted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "student"], name="one_vote_per_question")
        ]

    def __str__(self):
        return f"{self.student_id} votes for {self.question_id}"


class HandRaise(models.Model):
    """A raised hand; lowered by the student or the teacher. One raised hand at a time."""

    room = models.ForeignKey(LiveRoom, on_delete=models.PROTECT, related_name="hands")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    lowered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["room_id", "raised_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "student"],
                condition=models.Q(lowered_at__isnull=True),
                name="one_raised_hand",
            )
        ]

    def __str__(self):
        return f"hand of {self.student_id} in {self.room_id}"


class RandomCall(models.Model):
    """随机点名: a student called at random among those present."""

    room = models.ForeignKey(LiveRoom, on_delete=models.PROTECT, related_name="calls")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    called_at = models.DateTimeField()

    class Meta:
        ordering = ["room_id", "called_at", "id"]

    def __str__(self):
        return f"{self.student_id} called in {self.room_id}"
