"""Reviewers add, change and view rooms (check-in restrictions) in the admin; teachers view."""

from django.db import migrations


def grant(apps, schema_editor):
    from classrooms.services.terms import ensure_term_permissions

    ensure_term_permissions(apps=apps, model="room")


class Migration(migrations.Migration):
    dependencies = [
        ("classrooms", "0003_attendance"),
        ("accounts", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
