"""Audit: the append-only, keyed trail of access to and changes of personal data: entries, the
sequencer that links them, signed checkpoints kept outside the database too, verify."""
