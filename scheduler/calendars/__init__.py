"""Calendars out and replies in: iCalendar builders, export to files, CalDAV publishing, reading replies.

May import ``services``, ``store``, ``solver``, ``rotas`` and the foundations; never the CLI or the UI.
"""
