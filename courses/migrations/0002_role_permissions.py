"""Admin permissions for the Teachers and Reviewers groups (see courses.services.setup)."""

from django.db import migrations


def grant(apps, schema_editor):
    from courses.services.setup import ensure_teacher_permissions

    ensure_teacher_permissions(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("accounts", "0002_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
