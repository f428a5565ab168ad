"""JSON API under /api/v1: one router module per domain."""
