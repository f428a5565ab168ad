"""Incident response (X6): the breach register, its clocks and severity, the people affected
computed from the audit trail, containment, the authority's report and the people's notices."""
