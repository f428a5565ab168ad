"""Consent: the append-only ledger of consent events, the cookie banner, GPC, and analytics
kept only where consent allows."""
