"""Storage for files that must only be served through a view that checks access."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import LazyObject


class ProtectedStorage(LazyObject):
    """Files under PROTECTED_MEDIA_ROOT, which no URL serves directly (base_url is None)."""

    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.PROTECTED_MEDIA_ROOT, base_url=None)


protected_storage = ProtectedStorage()
