"""Admin permissions that fit each role, granted in code so every database gets the same.

Teachers build courses: they add, change and publish pages under every course catalogue,
upload and choose images and documents, and manage videos and the question bank (the
question bank narrows each teacher to the courses they teach; see courses.admin.questions).
Reviewers enter the admin to read: they view questions and videos and change nothing.

``ensure_teacher_permissions`` takes an app registry so that a data migration can call it with
its historical models; everyone else calls it without arguments (for example ``seed_demo``
after it creates a catalogue page, since page permissions hang on existing pages).
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import transaction

SNIPPET_ACTIONS = {
    "Teachers": ("add", "change", "delete", "view"),
    "Reviewers": ("view",),
}
SNIPPET_MODELS = (("courses", "question"), ("courses", "video"))
COLLECTION_PERMISSIONS = (
    ("wagtailimages", "image", ("add", "change", "choose")),
    ("wagtaildocs", "document", ("add", "change", "choose")),
)
PAGE_ACTIONS = ("add", "change", "publish")


def _permission(apps, app_label: str, model: str, codename: str):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _created = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": f"Can {codename.replace('_', ' ')}"},
    )
    return permission


def ensure_teacher_permissions(*, apps=global_apps) -> None:
    """Grant the role groups their admin permissions. Idempotent; one transaction.

    Teachers: add/change/delete/view on Question and Video; add/change/choose images and
    documents in the root collection (hence in every collection); add/change/publish pages
    on every CourseIndexPage that exists now. Reviewers: view on Question and Video.
    Missing groups (a database without the roles) are skipped. Callable by setup code
    only (migrations, seed commands), never from a request.
    """
    Group = apps.get_model("auth", "Group")
    with transaction.atomic():
        groups = {group.name: group for group in Group.objects.filter(name__in=SNIPPET_ACTIONS)}
        for name, actions in SNIPPET_ACTIONS.items():
            group = groups.get(name)
            if group is None:
                continue
            group.permissions.add(
                *(
                    _permission(apps, app_label, model, f"{action}_{model}")
                    for app_label, model in SNIPPET_MODELS
                    for action in actions
                )
            )
        teachers = groups.get("Teachers")
        if teachers is None:
            return
        _grant_collections(apps, teachers)
        _grant_catalogue_pages(apps, teachers)


def _grant_collections(apps, group) -> None:
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root = Collection.objects.filter(depth=1).first()
    if root is None:
        return
    for app_label, model, actions in COLLECTION_PERMISSIONS:
        for action in actions:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=root,
                permission=_permission(apps, app_label, model, f"{action}_{model}"),
            )


def _grant_catalogue_pages(apps, group) -> None:
    CourseIndexPage = apps.get_model("courses", "CourseIndexPage")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    permissions = [_permission(apps, "wagtailcore", "page", f"{a}_page") for a in PAGE_ACTIONS]
    for catalogue in CourseIndexPage.objects.all():
        for permission in permissions:
            GroupPagePermission.objects.get_or_create(
                group=group, page_id=catalogue.pk, permission=permission
            )
