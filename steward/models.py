"""Every table of every domain, imported in one place for migrations and the data map."""

from steward.audit.models import AuditCheckpoint, AuditEntry, AuditHead  # noqa: F401
from steward.consent import models as consent_models  # noqa: F401
from steward.desk import models as desk_models  # noqa: F401
from steward.identity import models as identity_models  # noqa: F401
from steward.jobs import models as jobs_models  # noqa: F401
from steward.pii import mentions as pii_mentions  # noqa: F401
from steward.policy.models import PolicyVersion
from steward.retention import models as retention_models  # noqa: F401
from steward.rights import models as rights_models  # noqa: F401
from steward.vault.models import DataKey

__all__ = ["DataKey", "PolicyVersion"]
