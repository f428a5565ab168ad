"""Every table of every domain, imported in one place. Entry points (the web app, the CLI,
the migrations) import this module; domains never do: the data map and backups walk
`Base.metadata`, which this import completes and marks complete."""

from steward.audit.models import (  # noqa: F401
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    AuditLink,
    AuditPending,
)
from steward.backup import models as backup_models  # noqa: F401
from steward.consent import models as consent_models  # noqa: F401
from steward.core.db import Base
from steward.core.shared import SharedState  # noqa: F401
from steward.desk import models as desk_models  # noqa: F401
from steward.identity import models as identity_models  # noqa: F401
from steward.incidents import models as incident_models  # noqa: F401
from steward.jobs import models as jobs_models  # noqa: F401
from steward.pii import mentions as pii_mentions  # noqa: F401
from steward.policy.models import PolicyVersion
from steward.retention import models as retention_models  # noqa: F401
from steward.rights import models as rights_models  # noqa: F401
from steward.transfer import models as transfer_models  # noqa: F401
from steward.vault.models import DataKey

Base.metadata.info["complete"] = True  # the data map refuses to work on fewer tables

__all__ = ["DataKey", "PolicyVersion"]
