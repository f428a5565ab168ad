"""Roles named in code, each for a reason the policy cannot carry.

- DUTIES: work no purpose of the policy names, because it is about the records rather than
  the data in them; `access.gate.check_role` accepts a duty where it accepts a purpose.
- The page sets: which staff roles a page of the desk offers itself to, so a role with no
  business there gets a 403 page with the nav before anything is looked up. They decide only
  what a page shows; the services behind the page ask the gate, which reads the policy.
"""

DUTIES = {
    "administration": frozenset({"admin"}),  # deleting records, sending notices to everyone
    "privacy": frozenset({"privacy_officer"}),  # deleting call recordings
    "staff": frozenset({"agent", "billing", "call_reviewer", "privacy_officer", "admin"}),
}

DESK_ROLES = frozenset({"agent", "admin"})  # the pages of the queue and its records
BILLING_ROLES = frozenset({"billing", "admin"})  # the billing pages
RECORDING_ROLES = frozenset({"call_reviewer", "privacy_officer"})  # D6: the recordings pages
