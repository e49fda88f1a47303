"""Wagtail admin viewsets of the online course, one module per area."""
