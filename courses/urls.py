from django.urls import path  # noqa: F401 - used by the blocks below as they arrive

app_name = "courses"

# Each part of the online course adds its routes in its own block.
urlpatterns: list = []

# --- videos and progress -------------------------------------------------------------------

# --- quizzes -------------------------------------------------------------------------------

# --- question bank import and teacher statistics -------------------------------------------
