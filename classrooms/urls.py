from django.urls import path

from classrooms.views import attendance as attendance_views
from classrooms.views import attendance_reports as report_views
from classrooms.views import calendar as calendar_views
from classrooms.views import checkin as checkin_views
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

# --- check-in: students scan or type a code; the teacher's projector page ------------------

urlpatterns += [
    path("check-in/", checkin_views.checkin_code, name="checkin_code"),
    path("check-in/complete/", checkin_views.checkin_complete, name="checkin_complete"),
    path(
        "check-in/<int:session_id>/<int:step>/<str:token>/",
        checkin_views.checkin_scan,
        name="checkin_scan",
    ),
    path(
        "sessions/<int:session_id>/projector/",
        checkin_views.checkin_projector,
        name="checkin_projector",
    ),
    path(
        "sessions/<int:session_id>/projector/state/",
        checkin_views.checkin_state,
        name="checkin_state",
    ),
    path(
        "sessions/<int:session_id>/check-in/open/", checkin_views.checkin_open, name="checkin_open"
    ),
    path(
        "sessions/<int:session_id>/check-in/close/",
        checkin_views.checkin_close,
        name="checkin_close",
    ),
]

# --- attendance: marking grid, leave requests, policy --------------------------------------

urlpatterns += [
    path(
        "sessions/<int:session_id>/attendance/",
        attendance_views.session_attendance,
        name="attendance_session",
    ),
    path(
        "sessions/<int:session_id>/attendance/close/",
        attendance_views.session_close,
        name="attendance_close",
    ),
    path("sessions/<int:session_id>/leave/", attendance_views.leave_request, name="leave_request"),
    path("leave/", attendance_views.my_leave_requests, name="my_leave_requests"),
    path(
        "leave/<int:request_id>/withdraw/",
        attendance_views.leave_withdraw,
        name="leave_withdraw",
    ),
    path("leave/<int:request_id>/decide/", attendance_views.leave_decide, name="leave_decide"),
    path(
        "leave/<int:request_id>/attachment/",
        attendance_views.leave_attachment,
        name="leave_attachment",
    ),
    path("<int:offering_id>/leave/", attendance_views.leave_requests, name="leave_requests"),
    path(
        "<int:offering_id>/attendance/settings/",
        attendance_views.attendance_policy,
        name="attendance_policy",
    ),
]

# --- attendance reports --------------------------------------------------------------------

urlpatterns += [
    path("<int:offering_id>/attendance/", report_views.offering_report, name="attendance_report"),
    path(
        "<int:offering_id>/attendance.xlsx",
        report_views.offering_report_xlsx,
        name="attendance_xlsx",
    ),
    path(
        "<int:offering_id>/attendance/students/<int:student_id>/",
        report_views.student_report,
        name="attendance_student",
    ),
    path(
        "sessions/<int:session_id>/sign-in-sheet/",
        report_views.sign_in_sheet,
        name="attendance_sheet",
    ),
]
