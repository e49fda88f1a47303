"""The online course: Wagtail pages for content, plain models for what people do.

CourseIndexPage > CoursePage > UnitPage > LessonPage | QuizPage.
Videos and questions are snippets (reusable, no URL). Progress, completions, attempts and
answers are plain records with timestamps; they point at pages, never the other way.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from courses.blocks import LessonBodyBlock
from courses.querysets import (
    AttemptQuerySet,
    CourseAccessQuerySet,
    QuestionQuerySet,
    VideoProgressQuerySet,
)
from courses.storage import get_protected_storage

BASIC_RICH_TEXT = ["bold", "italic", "ol", "ul", "link", "code", "superscript", "subscript"]


# --- Pages ---------------------------------------------------------------------------------
class CourseIndexPage(Page):
    """The public catalogue of courses."""

    intro = RichTextField(_("introduction"), blank=True, features=BASIC_RICH_TEXT)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("course catalogue")


class CoursePage(Page):
    """A course's online half. Its overview is public; everything below it is not."""

    code = models.CharField(_("course code"), max_length=32)
    summary = models.TextField(_("summary"), blank=True)
    objectives = RichTextField(_("learning objectives"), blank=True, features=BASIC_RICH_TEXT)
    credits = models.DecimalField(
        _("credits"), max_digits=3, decimal_places=1, default=2, validators=[MinValueValidator(0)]
    )
    class_hours = models.PositiveSmallIntegerField(_("class hours"), default=32)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    teachers = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teachers"),
        blank=True,
        related_name="taught_courses",
        limit_choices_to={"groups__name": "Teachers"},
    )

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("code"), FieldPanel("credits"), FieldPanel("class_hours")]),
        FieldPanel("summary"),
        FieldPanel("objectives"),
        FieldPanel("cover_image"),
        FieldPanel("teachers"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("code"), index.SearchField("summary")]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.UnitPage"]

    class Meta:
        verbose_name = _("course")


class UnitPage(Page):
    objectives = RichTextField(_("learning objectives"), blank=True, features=BASIC_RICH_TEXT)
    study_minutes = models.PositiveIntegerField(
        _("estimated study time (minutes)"), default=60, validators=[MaxValueValidator(6000)]
    )

    content_panels = [*Page.content_panels, FieldPanel("objectives"), FieldPanel("study_minutes")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage", "courses.QuizPage"]

    class Meta:
        verbose_name = _("unit")


class LessonPage(Page):
    """A video lesson: one or more videos, then a body of text, images, code and more."""

    body = StreamField(LessonBodyBlock(), verbose_name=_("body"), blank=True)
    completion_threshold = models.PositiveSmallIntegerField(
        _("completion threshold (%)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("A video counts as watched when this share of it has really been played."),
    )

    content_panels = [
        *Page.content_panels,
        InlinePanel("lesson_videos", label=_("videos")),
        FieldPanel("body"),
        FieldPanel("completion_threshold"),
    ]
    parent_page_types = ["courses.UnitPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("video lesson")


class LessonVideo(Orderable):
    lesson = ParentalKey(LessonPage, on_delete=models.CASCADE, related_name="lesson_videos")
    video = models.ForeignKey(
        "courses.Video", verbose_name=_("video"), on_delete=models.PROTECT, related_name="+"
    )

    panels = [FieldPanel("video")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["lesson", "video"], name="unique_video_per_lesson")
        ]


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("Highest attempt")
    LAST = "last", _("Last attempt")
    AVERAGE = "average", _("Average of attempts")


class ShowAnswers(models.TextChoices):
    AFTER_SUBMIT = "after_submit", _("After the attempt is submitted")
    AFTER_CLOSE = "after_close", _("After the quiz closes")
    NEVER = "never", _("Never")


class QuestionSelection(models.TextChoices):
    FIXED = "fixed", _("The questions listed below")
    RANDOM = "random", _("Random questions with a tag")


class QuizPage(Page):
    intro = RichTextField(_("instructions"), blank=True, features=BASIC_RICH_TEXT)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no time limit."),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=1, validators=[MinValueValidator(1)]
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=16,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_options = models.BooleanField(_("shuffle options"), default=False)
    show_answers = models.CharField(
        _("show correct answers"),
        max_length=16,
        choices=ShowAnswers.choices,
        default=ShowAnswers.AFTER_SUBMIT,
    )
    selection = models.CharField(
        _("questions"), max_length=8, choices=QuestionSelection.choices, default="fixed"
    )
    random_tag = models.ForeignKey(
        "taggit.Tag",
        verbose_name=_("tag to draw from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    random_count = models.PositiveSmallIntegerField(
        _("number of random questions"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("attempts_allowed")]),
                FieldPanel("grading_method"),
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_options")]),
                FieldPanel("show_answers"),
            ],
            heading=_("Settings"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("selection"),
                InlinePanel("quiz_questions", label=_("questions")),
                FieldRowPanel([FieldPanel("random_tag"), FieldPanel("random_count")]),
            ],
            heading=_("Questions"),
        ),
    ]
    parent_page_types = ["courses.UnitPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("quiz")

    def get_context(self, request, *args, **kwargs):
        # The quiz page shows the visitor's attempts; the engine lives in the services.
        from courses.services.quizzes import quiz_overview

        context = super().get_context(request, *args, **kwargs)
        context["overview"] = quiz_overview(quiz=self, user=request.user)
        return context


class QuizQuestion(Orderable):
    quiz = ParentalKey(QuizPage, on_delete=models.CASCADE, related_name="quiz_questions")
    question = models.ForeignKey(
        "courses.Question",
        verbose_name=_("question"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    panels = [FieldPanel("question")]


# --- Snippets ------------------------------------------------------------------------------
class Video(index.Indexed, models.Model):
    """An uploaded video. Its file sits in protected storage: no public URL reaches it."""

    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("file"), storage=get_protected_storage, upload_to="videos/%Y/%m/")
    poster = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("poster image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Read from the file on the server when it is uploaded; never typed by hand.
    duration = models.FloatField(_("duration (seconds)"), default=0, editable=False)
    course = models.ForeignKey(
        CoursePage,
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="videos",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]
    panels = [FieldPanel("title"), FieldPanel("file"), FieldPanel("poster"), FieldPanel("course")]

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    FILL_BLANK = "fill_blank", _("Fill in the blank")
    NUMERIC = "numeric", _("Numeric")
    SHORT_ANSWER = "short_answer", _("Short answer (graded by the teacher)")


class TaggedQuestion(TaggedItemBase):
    content_object = ParentalKey("courses.Question", related_name="tagged_items")


class Question(index.Indexed, ClusterableModel):
    """A reusable question in a course's bank.

    The answer key lives in the fields below and in the options; it is copied into each
    attempt's snapshot when the attempt starts, so later edits never regrade history.
    """

    course = models.ForeignKey(
        CoursePage,
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    title = models.CharField(_("short title"), max_length=255, blank=True)
    kind = models.CharField(_("type"), max_length=16, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    points = models.DecimalField(
        _("points"), max_digits=6, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    partial_credit = models.BooleanField(
        _("partial credit"),
        default=False,
        help_text=_("Multiple choice: credit for each right choice, minus wrong ones."),
    )
    correct_true = models.BooleanField(_("the statement is true"), null=True, blank=True)
    accepted_answers = models.TextField(
        _("accepted answers"),
        blank=True,
        help_text=_("Fill in the blank: one accepted answer per line (case and spaces ignored)."),
    )
    numeric_answer = models.DecimalField(
        _("numeric answer"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    tolerance = models.DecimalField(
        _("tolerance"),
        max_digits=18,
        decimal_places=6,
        default=0,
        validators=[MinValueValidator(0)],
    )
    model_answer = models.TextField(
        _("model answer"), blank=True, help_text=_("Short answer: shown to the teacher grading.")
    )
    feedback = models.TextField(_("feedback shown with the answers"), blank=True)
    tags = ClusterTaggableManager(through=TaggedQuestion, blank=True, verbose_name=_("tags"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    search_fields = [index.SearchField("text"), index.SearchField("title")]
    panels = [
        FieldRowPanel([FieldPanel("course"), FieldPanel("kind"), FieldPanel("points")]),
        FieldPanel("title"),
        FieldPanel("text"),
        InlinePanel("options", label=_("options (single and multiple choice)")),
        FieldPanel("partial_credit"),
        FieldPanel("correct_true"),
        FieldPanel("accepted_answers"),
        FieldRowPanel([FieldPanel("numeric_answer"), FieldPanel("tolerance")]),
        FieldPanel("model_answer"),
        FieldPanel("feedback"),
        FieldPanel("tags"),
    ]

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["course_id", "id"]

    def __str__(self):
        return self.title or self.text[:80]


class QuestionOption(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.CharField(_("feedback"), max_length=500, blank=True)

    panels = [FieldPanel("text"), FieldPanel("is_correct"), FieldPanel("feedback")]

    def __str__(self):
        return self.text


# --- What people do ------------------------------------------------------------------------
class CourseAccess(models.Model):
    """A grant of access to a course's units, lessons, quizzes and files.

    `courses` does not know about offerings: whoever enrols students (the classrooms app)
    writes grants through `courses.services.grant_access`, naming itself as the source, so
    that a student enrolled through two offerings keeps access when dropped from one.
    """

    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="access")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_access"
    )
    source = models.CharField(max_length=64)
    granted_at = models.DateTimeField(auto_now_add=True)

    objects = CourseAccessQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user", "source"], name="unique_course_access_per_source"
            )
        ]

    def __str__(self):
        return f"{self.user_id} -> {self.course_id} ({self.source})"


class VideoProgress(models.Model):
    """What a student has really watched of one video: merged, clamped intervals."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="video_progress"
    )
    video = models.ForeignKey(Video, on_delete=models.PROTECT, related_name="progress")
    intervals = models.JSONField(default=list)  # [[start, end], ...] sorted, disjoint, seconds
    watched_seconds = models.FloatField(default=0)
    position = models.FloatField(default=0)  # where to resume
    last_report_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VideoProgressQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "video"], name="unique_progress_per_video")
        ]

    def __str__(self):
        return f"{self.user_id} watched {self.watched_seconds:.0f}s of {self.video_id}"

    def fraction(self) -> float:
        duration = self.video.duration
        return min(1.0, self.watched_seconds / duration) if duration else 0.0


class LessonCompletion(models.Model):
    """The moment a student completed a lesson (all its videos covered to the threshold)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lesson_completions"
    )
    lesson = models.ForeignKey(LessonPage, on_delete=models.PROTECT, related_name="completions")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="unique_completion_per_lesson")
        ]

    def __str__(self):
        return f"{self.user_id} completed {self.lesson_id}"


class QuizAttempt(models.Model):
    """One attempt at a quiz, with a snapshot of exactly what was asked.

    `snapshot` holds the questions in the order shown (shuffled once, at the start),
    each with its answer key, so that grading never depends on the bank's current state.
    Only the grading code reads the keys; student views use the public part.
    """

    quiz = models.ForeignKey(QuizPage, on_delete=models.PROTECT, related_name="attempts")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    number = models.PositiveSmallIntegerField()  # 1, 2, ... per student and quiz
    revision_id = models.PositiveIntegerField(null=True, blank=True)
    snapshot = models.JSONField(default=list)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)  # time limit or quiz close
    submitted_at = models.DateTimeField(null=True, blank=True)
    auto_submitted = models.BooleanField(default=False)  # submitted by the server at deadline
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    needs_grading = models.BooleanField(default=False)  # short answers await the teacher

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["quiz_id", "student_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "student", "number"], name="unique_attempt_number"
            ),
            models.UniqueConstraint(
                fields=["quiz", "student"],
                condition=Q(submitted_at__isnull=True),
                name="one_open_attempt_per_student",
            ),
        ]

    def __str__(self):
        return f"{self.quiz_id}/{self.student_id}#{self.number}"


class AttemptAnswer(models.Model):
    """A student's answer to one question of an attempt; saved as they go (autosave)."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.PROTECT, related_name="answers")
    question_key = models.CharField(max_length=32)  # the key of the question in the snapshot
    response = models.JSONField(null=True, blank=True)
    saved_at = models.DateTimeField()
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    teacher_comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question_key"], name="unique_answer_per_question"
            )
        ]

    def __str__(self):
        return f"{self.attempt} {self.question_key}"


class AnswerGradeChange(models.Model):
    """Append-only history of every manual grade given to an answer: who, when, old, new."""

    answer = models.ForeignKey(
        AttemptAnswer, on_delete=models.PROTECT, related_name="grade_changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    old_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    new_score = models.DecimalField(max_digits=8, decimal_places=2)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.answer_id}: {self.old_score} -> {self.new_score}"
