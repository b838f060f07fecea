"""The services the CLI and the UI share: load and check partnerships, manage requests, solve, move, deadlines.

May import ``store``, ``solver``, ``rotas`` and the foundations; never calendars, the CLI or the UI.
"""
