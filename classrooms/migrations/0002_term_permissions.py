"""Reviewers add, change and view terms in the admin; teachers view them."""

from django.db import migrations


def grant(apps, schema_editor):
    from classrooms.services.terms import ensure_term_permissions

    ensure_term_permissions(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("classrooms", "0001_initial"),
        ("accounts", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
