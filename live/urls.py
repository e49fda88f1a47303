"""The live classroom's pages, included by lms/urls.py under "live/" (namespace "live")."""

from django.urls import path

from live import views

app_name = "live"

urlpatterns = [
    path("<int:session_id>/", views.console, name="console"),
    path("<int:session_id>/projector/", views.projector, name="projector"),
    path("<int:session_id>/me/", views.student, name="student"),
    path("<int:session_id>/bank.json", views.bank, name="bank"),
    path("<int:session_id>/prepare/", views.prepare_list, name="prepare"),
    path("<int:session_id>/prepare/<int:poll_id>/", views.prepare_edit, name="prepare_edit"),
    path(
        "<int:session_id>/prepare/<int:poll_id>/delete/",
        views.prepare_delete,
        name="prepare_delete",
    ),
]
