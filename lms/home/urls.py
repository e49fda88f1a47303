from django.urls import path

from lms.home import views

app_name = "home"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("student/", views.student, name="student"),
    path("teacher/", views.teacher, name="teacher"),
    path("reviewer/", views.reviewer, name="reviewer"),
]
