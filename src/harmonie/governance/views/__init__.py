"""The governance pages: dashboard, markets, teams, members, dimensions, the matrix, channels, budgets, audit.

Each view parses input, calls one selector or service, and renders; see ``common`` for the shared parts.
"""
