"""Quorum's scheduler: the stages built on ``rotas``, one subpackage each, data flowing one way.

``store`` and ``solver`` (side by side) -> ``services`` -> ``calendars`` -> ``cli`` and ``ui``;
``synthetic`` (generator, benchmark) stands apart. ``errors``, ``paths`` and ``fastimport`` serve all.
"""
