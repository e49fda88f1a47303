"""Video snippets in the Wagtail admin: upload, duration read on the server, chooser.

The snippet chooser registered here is what LessonPage's "videos" inline panel uses.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.views.snippets import SnippetViewSet

from courses.models import Video
from courses.services.videos import read_duration


class VideoForm(WagtailAdminModelForm):
    """Reads the duration from a newly uploaded file; refuses files that are not videos."""

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
    edit_handler = ObjectList(
        [FieldPanel("title"), FieldPanel("file"), FieldPanel("poster"), FieldPanel("course")],
        base_form_class=VideoForm,
    )
