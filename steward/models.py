"""Every table of every domain, imported in one place for migrations and the data map."""

from steward.policy.models import PolicyVersion
from steward.vault.models import DataKey

__all__ = ["DataKey", "PolicyVersion"]
