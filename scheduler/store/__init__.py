"""The SQLite store: schema migrations, the partnership as rows, and the ``Store`` that reads and writes them.

May import ``rotas`` and the package's foundations (``scheduler.errors``, ``fastimport``); nothing above it.
"""
