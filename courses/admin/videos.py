"""Video snippets in the Wagtail admin: upload, duration read on the server, chooser.

The snippet chooser registered here is what LessonPage's "videos" inline panel uses.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.views import chooser as chooser_views
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from courses.models import Video
from courses.services.questions import courses_taught_by
from courses.services.videos import can_edit_video, read_duration, videos_visible_to


class _OwnVideoMixin:
    """Refuse another teacher's video (Django's model permissions are per model only)."""

    def get_object(self, *args, **kwargs):
        video = super().get_object(*args, **kwargs)
        if not can_edit_video(self.request.user, video):
            raise PermissionDenied
        return video


class VideoEditView(_OwnVideoMixin, snippet_views.EditView):
    pass


class VideoDeleteView(_OwnVideoMixin, snippet_views.DeleteView):
    pass


class VideoCopyView(_OwnVideoMixin, snippet_views.CopyView):
    pass


class _VisibleVideosMixin:
    def get_object_list(self):
        return videos_visible_to(self.request.user)


class VideoChooseView(_VisibleVideosMixin, chooser_views.ChooseView):
    pass


class VideoChooseResultsView(_VisibleVideosMixin, chooser_views.ChooseResultsView):
    pass


class VideoChooserViewSet(chooser_views.SnippetChooserViewSet):
    choose_view_class = VideoChooseView
    choose_results_view_class = VideoChooseResultsView


class VideoForm(WagtailAdminModelForm):
    """Reads the duration from a newly uploaded file; refuses files that are not videos."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is not None and not user.is_superuser and "course" in self.fields:
            self.fields["course"].queryset = courses_taught_by(user)

    def clean(self):
        cleaned_data = super().clean()
        file = cleaned_data.get("file")
        # A new upload is an UploadedFile; an unchanged file is the stored FieldFile.
        if isinstance(file, UploadedFile):
            try:
                self._duration = read_duration(file)
            except ValidationError as error:
                self.add_error("file", error)
        return cleaned_data

    def save(self, commit=True):
        if getattr(self, "_duration", None) is not None:
            self.instance.duration = self._duration
        if self.instance.uploaded_by_id is None and self.for_user is not None:
            self.instance.uploaded_by = self.for_user
        return super().save(commit=commit)


class VideoViewSet(SnippetViewSet):
    model = Video
    icon = "media"
    menu_label = _("Videos")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["title", "course", "duration", "created_at"]
    list_filter = ["course"]
    edit_view_class = VideoEditView
    delete_view_class = VideoDeleteView
    copy_view_class = VideoCopyView
    chooser_viewset_class = VideoChooserViewSet

    def get_queryset(self, request):
        return videos_visible_to(request.user).select_related("course")

    edit_handler = ObjectList(
        [FieldPanel("title"), FieldPanel("file"), FieldPanel("poster"), FieldPanel("course")],
        base_form_class=VideoForm,
    )
