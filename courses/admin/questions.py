"""The question bank in the Wagtail admin: listing, editing with the bank's rules, import.

A teacher lists and edits only the questions of the courses they teach; reviewers and
superusers list the whole bank (reviewers read only: they have no add/change/delete
permission). The rules themselves live in ``courses.services.questions``.
"""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View
from taggit.models import Tag
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views import chooser as chooser_views
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from courses.models import CoursePage, Question, QuestionKind
from courses.services.question_import import FORMATS, MAX_TEXT_LENGTH, import_questions
from courses.services.questions import (
    OptionDraft,
    QuestionDraft,
    can_edit_question,
    can_view_all_questions,
    courses_taught_by,
    question_problems,
    questions_visible_to,
    split_accepted_answers,
)


# --- Permissions ---------------------------------------------------------------------------
class QuestionPermissionPolicy(ModelPermissionPolicy):
    """Django model permissions, narrowed per question to the courses a teacher teaches."""

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if action == "view" and can_view_all_questions(user):
            return True
        return can_edit_question(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Question.objects.none()
        if set(actions) <= {"view"}:
            return questions_visible_to(user)
        if user.is_superuser:
            return Question.objects.all()
        return Question.objects.filter(course__in=courses_taught_by(user).values("pk"))


question_permission_policy = QuestionPermissionPolicy(Question)
register_permission_policy(Question, question_permission_policy, exact_class=True)


class _ReadableQuestionMixin:
    """Refuse a question the user may not read (another teacher's course)."""

    required_action = "view"

    def get_object(self, *args, **kwargs):
        question = super().get_object(*args, **kwargs)
        action = self.required_action
        user = self.request.user
        if not question_permission_policy.user_has_permission_for_instance(user, action, question):
            raise PermissionDenied
        return question


class _EditableQuestionMixin(_ReadableQuestionMixin):
    required_action = "change"


class QuestionEditView(_EditableQuestionMixin, snippet_views.EditView):
    pass


class QuestionDeleteView(_EditableQuestionMixin, snippet_views.DeleteView):
    required_action = "delete"


class QuestionCopyView(_EditableQuestionMixin, snippet_views.CopyView):
    pass


class QuestionInspectView(_ReadableQuestionMixin, snippet_views.InspectView):
    pass


class QuestionHistoryView(_ReadableQuestionMixin, snippet_views.HistoryView):
    pass


class QuestionUsageView(_ReadableQuestionMixin, snippet_views.UsageView):
    pass


# --- Form ----------------------------------------------------------------------------------
class QuestionAdminForm(WagtailAdminModelForm):
    """Checks a question with the bank's rules (the same the importers use) before saving."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is not None and "course" in self.fields:
            self.fields["course"].queryset = courses_taught_by(user)
            self.fields["course"].required = not user.is_superuser

    def _option_drafts(self) -> list[OptionDraft]:
        formset = self.formsets.get("options")
        if formset is None or not formset.is_valid():
            return []
        drafts = []
        for form in formset.forms:
            if formset.can_delete and formset._should_delete_form(form):
                continue
            data = form.cleaned_data
            if data and (data.get("text") or "").strip():
                drafts.append(OptionDraft(text=data["text"], is_correct=bool(data["is_correct"])))
        return drafts

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("kind") or "text" not in cleaned:
            return cleaned  # the field errors already say what is missing
        draft = QuestionDraft(
            kind=cleaned["kind"],
            text=cleaned["text"],
            title=cleaned.get("title") or "",
            options=self._option_drafts(),
            partial_credit=bool(cleaned.get("partial_credit")),
            correct_true=cleaned.get("correct_true"),
            accepted_answers=split_accepted_answers(cleaned.get("accepted_answers") or ""),
            numeric_answer=cleaned.get("numeric_answer"),
            tolerance=cleaned.get("tolerance") or Decimal(0),
            points=cleaned.get("points") or Decimal(0),
        )
        for problem in question_problems(draft):
            field = problem.field if problem.field in self.fields else None
            if field is None or field in self.cleaned_data:
                self.add_error(field, problem.message)
        return cleaned


# --- Listing -------------------------------------------------------------------------------
class QuestionFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Course"), queryset=CoursePage.objects.none()
    )
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Type"), choices=QuestionKind.choices)
    tag = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Tag"),
        queryset=Tag.objects.none(),
        method="filter_tag",
    )

    class Meta:
        model = Question
        fields = ["course", "kind"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user
        visible = questions_visible_to(user)
        self.filters["course"].queryset = CoursePage.objects.filter(
            pk__in=visible.values("course")
        ).order_by("title")
        self.filters["tag"].queryset = (
            Tag.objects.filter(courses_taggedquestion_items__content_object__in=visible)
            .distinct()
            .order_by("name")
        )

    def filter_tag(self, queryset, name, value):
        # A subquery on pks keeps the join with the tags table out of the search query.
        return queryset.filter(pk__in=Question.objects.filter(tags=value).values("pk"))


class QuestionIndexView(snippet_views.IndexView):
    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.can_import:
            buttons.append(
                HeaderButton(
                    _("Import questions"),
                    url=reverse(QuestionViewSet.import_url_name),
                    icon_name="upload",
                )
            )
        return buttons

    @cached_property
    def can_import(self) -> bool:
        return can_import_questions(self.request.user)


def can_import_questions(user) -> bool:
    return question_permission_policy.user_has_permission(user, "add") and (
        courses_taught_by(user).exists()
    )


class _VisibleQuestionsMixin:
    def get_object_list(self):
        return questions_visible_to(self.request.user)


class QuestionChooseView(_VisibleQuestionsMixin, chooser_views.ChooseView):
    pass


class QuestionChooseResultsView(_VisibleQuestionsMixin, chooser_views.ChooseResultsView):
    pass


class QuestionChooserViewSet(chooser_views.SnippetChooserViewSet):
    """The quiz editor's question chooser lists only the teacher's own courses' questions."""

    choose_view_class = QuestionChooseView
    choose_results_view_class = QuestionChooseResultsView


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = gettext_lazy("Question bank")
    menu_name = "question-bank"
    add_to_admin_menu = True
    menu_order = 210
    inspect_view_enabled = True
    search_fields = ["text", "title"]
    search_backend_name = None  # plain database search: finds Chinese substrings too
    filterset_class = QuestionFilterSet
    list_display = [
        "__str__",
        Column("kind", label=gettext_lazy("Type"), accessor="get_kind_display"),
        Column("course", label=gettext_lazy("Course")),
        "points",
        "updated_at",
    ]
    list_per_page = 50
    ordering = ["course_id", "id"]
    index_view_class = QuestionIndexView
    edit_view_class = QuestionEditView
    delete_view_class = QuestionDeleteView
    copy_view_class = QuestionCopyView
    inspect_view_class = QuestionInspectView
    history_view_class = QuestionHistoryView
    usage_view_class = QuestionUsageView
    edit_handler = ObjectList(Question.panels, base_form_class=QuestionAdminForm)
    import_url_name = "wagtailsnippets_courses_question:import"
    chooser_viewset_class = QuestionChooserViewSet

    def get_queryset(self, request):
        return questions_visible_to(request.user).select_related("course")

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("import/", QuestionImportView.as_view(), name="import"),
        ]


# --- Import --------------------------------------------------------------------------------
class QuestionImportForm(forms.Form):
    course = forms.ModelChoiceField(
        label=gettext_lazy("Course"), queryset=CoursePage.objects.none()
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[(key, label) for key, (label, _parser) in FORMATS.items()],
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        required=False,
        help_text=gettext_lazy("A .txt or .gift file in UTF-8."),
    )
    text = forms.CharField(
        label=gettext_lazy("Or paste the questions here"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
    )
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        help_text=gettext_lazy("Comma-separated; added to every imported question."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses_taught_by(user).order_by("title")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        if not upload.name.lower().endswith((".txt", ".gift")):
            raise forms.ValidationError(_("Choose a .txt or .gift file."))
        if upload.size > MAX_TEXT_LENGTH:
            raise forms.ValidationError(_("The file is too large (at most 1 MB)."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not UTF-8 text; save it as UTF-8 and try again.")
            ) from None

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("file") or cleaned.get("text") or ""
        if not text.strip() and not self.errors:
            raise forms.ValidationError(_("Choose a file or paste the questions."))
        cleaned["source"] = text
        cleaned["tag_list"] = [t.strip() for t in (cleaned.get("tags") or "").split(",")]
        return cleaned


class QuestionImportView(WagtailAdminTemplateMixin, View):
    """Step 1 (``preview``) parses and shows every question and error, saving nothing;
    step 2 (``confirm``) resends the same text and saves all of it, or nothing."""

    template_name = "courses/admin/question_import.html"
    page_title = gettext_lazy("Import questions")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not can_import_questions(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailsnippets_courses_question:list"),
                "label": _("Question bank"),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request):
        return self.render_to_response(
            self.get_context_data(form=QuestionImportForm(user=request.user))
        )

    def post(self, request):
        form = QuestionImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        confirm = request.POST.get("action") == "confirm"
        result = import_questions(
            course=data["course"],
            text=data["source"],
            format=data["format"],
            tags=data["tag_list"],
            user=request.user,
            dry_run=not confirm,
        )
        if confirm and result.ok:
            messages.success(
                request,
                _("%(count)d questions imported into “%(course)s”.")
                % {"count": len(result.saved), "course": data["course"].title},
            )
            url = reverse("wagtailsnippets_courses_question:list")
            return redirect(f"{url}?course={data['course'].pk}")
        # The text travels back in a hidden field so the confirmation saves what was shown.
        confirm_form = QuestionImportForm(
            initial={
                "course": data["course"].pk,
                "format": data["format"],
                "text": data["source"],
                "tags": data["tags"],
            },
            user=request.user,
        )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                confirm_form=confirm_form,
                result=result,
                rows=[
                    {"draft": d, "kind": QuestionKind(d.kind).label, "kind_value": str(d.kind)}
                    for d in result.questions
                ],
            )
        )
