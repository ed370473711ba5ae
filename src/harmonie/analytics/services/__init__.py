"""Analytics services: one module per area."""
