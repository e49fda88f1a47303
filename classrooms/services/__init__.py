"""Public operations of the classrooms app; other apps call these, nothing else of it."""
