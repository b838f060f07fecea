"""Synthetic partnerships and the benchmark that solves them: tools for measuring, not product code.

May import ``solver``, ``services``, ``store``, ``rotas`` and the foundations; nothing imports it but the CLI.
"""
