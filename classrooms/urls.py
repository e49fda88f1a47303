from django.urls import path

from classrooms.views import calendar as calendar_views
from classrooms.views import offerings as offering_views
from classrooms.views import week as week_views

app_name = "classrooms"

urlpatterns: list = []

# --- my week and the iCalendar feed --------------------------------------------------------

urlpatterns += [
    path("week/", week_views.my_week, name="my_week"),
    path("feed/revoke/", week_views.revoke_feed, name="revoke_feed"),
    path("feed/<str:token>.ics", week_views.feed, name="feed"),
]

# --- teaching calendar ---------------------------------------------------------------------

urlpatterns += [
    path("<int:offering_id>/calendar/", calendar_views.calendar_table, name="calendar"),
    path("<int:offering_id>/calendar.xlsx", calendar_views.calendar_xlsx, name="calendar_xlsx"),
    path("<int:offering_id>/calendar/edit/", calendar_views.calendar_editor, name="calendar_edit"),
    path(
        "<int:offering_id>/calendar/generate/",
        calendar_views.calendar_generate,
        name="calendar_generate",
    ),
    path(
        "<int:offering_id>/calendar/publish/",
        calendar_views.calendar_publish,
        name="calendar_publish",
    ),
    path(
        "<int:offering_id>/calendar/entries/new/",
        calendar_views.calendar_entry,
        name="calendar_entry_add",
    ),
    path(
        "<int:offering_id>/calendar/entries/<int:entry_id>/",
        calendar_views.calendar_entry,
        name="calendar_entry_edit",
    ),
    path(
        "<int:offering_id>/calendar/entries/<int:entry_id>/delete/",
        calendar_views.calendar_entry_delete,
        name="calendar_entry_delete",
    ),
    path(
        "<int:offering_id>/calendar/entries/<int:entry_id>/move/",
        calendar_views.calendar_entry_move,
        name="calendar_entry_move",
    ),
]

# --- offerings: roster, timetable rules, sessions ------------------------------------------

urlpatterns += [
    path("", offering_views.offering_list, name="offering_list"),
    path("new/", offering_views.offering_create, name="offering_create"),
    path("<int:offering_id>/", offering_views.offering_detail, name="offering_detail"),
    path("<int:offering_id>/roster/add/", offering_views.roster_add, name="roster_add"),
    path("<int:offering_id>/roster/upload/", offering_views.roster_upload, name="roster_upload"),
    path(
        "<int:offering_id>/roster/<int:student_id>/drop/",
        offering_views.roster_drop,
        name="roster_drop",
    ),
    path("<int:offering_id>/rules/add/", offering_views.rule_add, name="rule_add"),
    path(
        "<int:offering_id>/rules/<int:rule_id>/edit/",
        offering_views.rule_edit,
        name="rule_edit",
    ),
    path(
        "<int:offering_id>/rules/<int:rule_id>/delete/",
        offering_views.rule_delete,
        name="rule_delete",
    ),
    path(
        "<int:offering_id>/sessions/generate/",
        offering_views.sessions_generate,
        name="sessions_generate",
    ),
    path(
        "<int:offering_id>/sessions/<int:session_id>/move/",
        offering_views.session_move,
        name="session_move",
    ),
    path(
        "<int:offering_id>/sessions/<int:session_id>/cancel/",
        offering_views.session_cancel,
        name="session_cancel",
    ),
]
