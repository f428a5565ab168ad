"""Vault: per-person data keys, field encryption, blind indexes and crypto-shredding."""
