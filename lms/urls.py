from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lms.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("lms.accounts.urls")),
    path("dashboard/", include("lms.home.urls")),
    path("learn/", include("courses.urls")),
    path("classes/", include("classrooms.urls")),
    path("live/", include("live.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.SERVE_MEDIA:
    # The embedded set-up serves uploads itself; at scale the proxy or object store does.
    # Documents are left out: Wagtail's document view serves them after checking access.
    urlpatterns.append(
        re_path(
            r"^media/(?!documents/)(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}
        )
    )

urlpatterns.append(path("", include(wagtail_urls)))
