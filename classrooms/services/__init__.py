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

__all__ = [
    "EntryChange",
    "add_entry",
    "calendar_role",
    "can_edit_calendar",
    "can_view_calendar",
    "can_view_draft_calendar",
    "delete_entry",
    "generate_draft",
    "hours_by_mode",
    "move_entry",
    "online_share",
    "publish_calendar",
    "published_calendar",
    "set_items",
    "update_entry",
]
