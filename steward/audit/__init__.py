"""Audit: the append-only, hash-chained trail of access to and changes of personal data."""
