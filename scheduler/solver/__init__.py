"""Placing meetings: requests, the instance, the objective, greedy, the CP-SAT model and solve, explanations.

Pure computation on data: may import ``rotas`` and the foundations, never the store, services or anything above.
"""
