"""Storage for files that must only be served through a view that checks access."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import LazyObject


class ProtectedFileSystemStorage(FileSystemStorage):
    """Files under PROTECTED_MEDIA_ROOT, which no URL serves directly.

    ``url()`` refuses, so that no template or serializer can hand out a direct link by
    accident (Django would otherwise fall back to MEDIA_URL); views stream the files.
    """

    def url(self, name):
        raise ValueError("Protected files have no public URL; serve them through a view.")


class ProtectedStorage(LazyObject):
    def _setup(self):
        self._wrapped = ProtectedFileSystemStorage(location=settings.PROTECTED_MEDIA_ROOT)


protected_storage = ProtectedStorage()
