"""Widgets shared by screens, grouped by feature."""
