"""What the migrations put in the database that tests rely on, put back on demand."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from lms.accounts.models import Role
from lms.home.models import HomePage


def ensure_baseline() -> None:
    """Put back what migrations made and these tests need (the role groups, Wagtail's page
    tree and default site): a transactional test empties every table when it ends, and
    ``post_migrate`` restores content types and permissions only."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    if HomePage.objects.exists():
        return
    locale, _ = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.objects.filter(depth=1).first() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    home = root.add_child(instance=HomePage(title="Rongke", slug="home", locale=locale))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
    )
