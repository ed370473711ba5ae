"""Local stand-ins for the networks, for the end-to-end tests and the sandbox (no Django app)."""
