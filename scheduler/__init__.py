"""Quorum's scheduler: storage, services, solving, calendar export, the CLI and the UI.

Everything here builds on ``rotas``; only the ``ui`` subpackage imports Textual.
"""
