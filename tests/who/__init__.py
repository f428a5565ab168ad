"""Who may call each API endpoint, one file per area; tests/web/test_access_control.py
checks every endpoint of the app against the union of these tables."""

PUBLIC = "anyone"
SIGNED_IN = "signed in"
STAFF = {"agent", "billing", "call_reviewer", "privacy_officer", "admin"}
