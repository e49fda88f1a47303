"""Public operations of the classrooms app; other apps call these, nothing else of it."""

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
    "Conflict",
    "ConflictError",
    "EntryChange",
    "GenerationResult",
    "RosterReport",
    "Week",
    "add_entry",
    "add_rule",
    "build_feed",
    "calendar_role",
    "can_edit_calendar",
    "can_manage_offering",
    "can_view_calendar",
    "can_view_draft_calendar",
    "can_view_offering",
    "cancel_session",
    "create_offering",
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
    "move_entry",
    "move_session",
    "offerings_for_staff",
    "offerings_for_student",
    "online_share",
    "parse_weeks",
    "plan_sessions",
    "publish_calendar",
    "published_calendar",
    "revoke_feed_token",
    "set_items",
    "student_week",
    "teacher_week",
    "update_entry",
    "update_rule",
    "user_for_token",
]
