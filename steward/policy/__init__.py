"""Policy-as-code: the schema of policy.yaml, its loader, and what is published from it."""
