"""Core: settings, database, clock, errors. Imports nothing else of Steward's."""
