"""Storage for files that must only be served through a view that checks access."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import LazyObject


class ProtectedFileSystemStorage(FileSystemStorage):
    """Files under PROTECTED_MEDIA_ROOT, which no URL serves directly.

    ``url()`` names the managers' preview view (Django would otherwise fall back to
    MEDIA_URL), so the admin's "current file" link works for teachers and nobody else;
    students reach videos only through the lesson's access-checked view.
    """

    def url(self, name):
        from django.urls import reverse

        return reverse("courses:video_preview", args=[name])


class ProtectedStorage(LazyObject):
    def _setup(self):
        self._wrapped = ProtectedFileSystemStorage(location=settings.PROTECTED_MEDIA_ROOT)


protected_storage = ProtectedStorage()


def get_protected_storage():
    """The storage of protected files, given to FileField as a callable so that migrations
    name this function instead of freezing a machine's PROTECTED_MEDIA_ROOT path."""
    return protected_storage
