"""Identity: people, accounts, roles, passwords, MFA and sessions. Services, one per use case."""
