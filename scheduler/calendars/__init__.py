"""Calendars out and replies in: iCalendar builders, the invite ledger, and the channels working from it
(files, CalDAV, e-mail), reading replies.

May import ``services``, ``store``, ``solver``, ``rotas`` and the foundations; never the CLI or the UI.
"""
