"""The web layer: FastAPI app, JSON API under /api/v1 and HTML pages. Thin over the domains."""
