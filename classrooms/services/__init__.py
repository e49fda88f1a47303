"""Public operations of the classrooms app; other apps call these, nothing else of it."""

# --- attendance: marking, leave requests, reports -----------------------------------------
from classrooms.services.attendance import (
    mark,
    mark_many,
    mark_unmarked_absent,
    session_roster,
    set_policy,
)
from classrooms.services.attendance_reports import (
    attendance_for_grading,
    build_workbook,
    offering_matrix,
    rates_for_student,
    student_record,
    students_below_threshold,
)

# --- teaching calendar ---------------------------------------------------------------------
from classrooms.services.calendar import (
    EntryChange,
    add_entry,
    calendar_role,
    can_edit_calendar,
    can_view_calendar,
    can_view_draft_calendar,
    delete_entry,
    generate_draft,
    hours_by_mode,
    move_entry,
    online_share,
    publish_calendar,
    published_calendar,
    set_items,
    update_entry,
)

# --- check-in ------------------------------------------------------------------------------
from classrooms.services.checkin import (
    CheckInResult,
    CurrentCode,
    Location,
    Reason,
    check_in,
    check_in_with_code,
    checkin_summary,
    close_checkin,
    current_code,
    open_checkin,
    verify_token,
    window_state,
)

# --- offerings and rosters -----------------------------------------------------------------
from classrooms.services.enrolment import (
    RosterReport,
    can_manage_offering,
    can_view_offering,
    create_offering,
    drop_student,
    enrol_by_number,
    enrol_student,
    import_roster,
    offerings_for_staff,
    offerings_for_student,
)

# --- iCalendar feed ------------------------------------------------------------------------
from classrooms.services.feeds import (
    build_feed,
    feed_token_for,
    revoke_feed_token,
    user_for_token,
)

# --- leave requests and in-class participation ---------------------------------------------
from classrooms.services.leave import decide_leave, request_leave, withdraw_leave
from classrooms.services.participation import participation_for_grading, record_answer

# --- timetable scheduler -------------------------------------------------------------------
from classrooms.services.scheduling import (
    Conflict,
    ConflictError,
    GenerationResult,
    add_rule,
    cancel_session,
    delete_rule,
    generate_sessions,
    move_session,
    parse_weeks,
    plan_sessions,
    update_rule,
)

# --- my week -------------------------------------------------------------------------------
from classrooms.services.week import Week, student_week, teacher_week

__all__ = [
    "CheckInResult",
    "Conflict",
    "ConflictError",
    "CurrentCode",
    "EntryChange",
    "GenerationResult",
    "Location",
    "Reason",
    "RosterReport",
    "Week",
    "add_entry",
    "add_rule",
    "attendance_for_grading",
    "build_feed",
    "build_workbook",
    "calendar_role",
    "can_edit_calendar",
    "can_manage_offering",
    "can_view_calendar",
    "can_view_draft_calendar",
    "can_view_offering",
    "cancel_session",
    "check_in",
    "check_in_with_code",
    "checkin_summary",
    "close_checkin",
    "create_offering",
    "current_code",
    "decide_leave",
    "delete_entry",
    "delete_rule",
    "drop_student",
    "enrol_by_number",
    "enrol_student",
    "feed_token_for",
    "generate_draft",
    "generate_sessions",
    "hours_by_mode",
    "import_roster",
    "mark",
    "mark_many",
    "mark_unmarked_absent",
    "move_entry",
    "move_session",
    "offering_matrix",
    "offerings_for_staff",
    "offerings_for_student",
    "online_share",
    "open_checkin",
    "parse_weeks",
    "participation_for_grading",
    "plan_sessions",
    "publish_calendar",
    "published_calendar",
    "rates_for_student",
    "record_answer",
    "request_leave",
    "revoke_feed_token",
    "session_roster",
    "set_items",
    "set_policy",
    "student_record",
    "student_week",
    "students_below_threshold",
    "teacher_week",
    "update_entry",
    "update_rule",
    "user_for_token",
    "verify_token",
    "window_state",
    "withdraw_leave",
]
