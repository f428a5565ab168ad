"""The Article 30 record of processing activities, as controller (30(1)) or processor (30(2))."""

import csv
import io
import json
from typing import Literal

from steward.policy.publish import BASIS, SAFEGUARD, retention_words
from steward.policy.schema import Policy

NONE = "None"

CONTROLLER_FIELDS = [
    "controller",
    "controller_contact",
    "dpo_contact",
    "purpose",
    "purpose_description",
    "lawful_basis",
    "data_subject_categories",
    "personal_data_categories",
    "recipients",
    "third_country_transfers",
    "transfer_safeguards",
    "erasure_time_limits",
    "security_measures",
]
PROCESSOR_FIELDS = [
    "processor",
    "processor_contact",
    "dpo_contact",
    "client_controller",
    "client_contact",
    "processing_categories",
    "personal_data_categories",
    "third_country_transfers",
    "security_measures",
]


def _contacts(policy: Policy) -> tuple[str, str]:
    c = policy.controller
    contact = f"{c.address}; {c.email}; privacy: {c.privacy_contact}"
    if c.phone:
        contact += f"; {c.phone}"
    dpo = (
        f"{c.dpo.name}, {c.dpo.email}"
        if c.dpo
        else f"No DPO appointed; privacy contact {c.privacy_contact}"
    )
    return contact, dpo


def controller_record(policy: Policy) -> list[dict[str, str]]:
    """Article 30(1): one row per purpose (processing activity)."""
    contact, dpo = _contacts(policy)
    security = "; ".join(policy.security)
    rows = []
    for key, purpose in policy.purposes.items():
        categories = {k: c for k, c in policy.categories.items() if key in c.purposes}
        subjects = sorted(
            {
                policy.subjects[s].name
                for c in categories.values()
                for s in c.subjects
                if s in policy.subjects
            }
        )
        processors = [
            p
            for p in policy.processors.values()
            if key in p.purposes and set(p.categories) & set(categories)
        ]
        abroad = [p for p in processors if p.transfer_safeguard]
        basis = BASIS[purpose.lawful_basis]
        if purpose.legitimate_interest:
            basis += f" ({purpose.legitimate_interest})"
        if purpose.legal_obligation:
            basis += f" ({purpose.legal_obligation})"
        rows.append(
            {
                "controller": policy.controller.legal_name,
                "controller_contact": contact,
                "dpo_contact": dpo,
                "purpose": f"{purpose.name} [{key}]",
                "purpose_description": purpose.description,
                "lawful_basis": basis,
                "data_subject_categories": "; ".join(subjects) or NONE,
                "personal_data_categories": "; ".join(
                    f"{c.name} [{k}]" for k, c in categories.items()
                ),
                "recipients": "; ".join(f"{p.name} ({p.kind}, {p.service})" for p in processors)
                or "No recipients outside the controller",
                "third_country_transfers": "; ".join(f"{p.name}: {p.location}" for p in abroad)
                or NONE,
                "transfer_safeguards": "; ".join(
                    f"{p.name}: {SAFEGUARD[p.transfer_safeguard]}"
                    for p in abroad
                    if p.transfer_safeguard
                )
                or "Not applicable: no transfers",
                "erasure_time_limits": "; ".join(
                    f"{c.name}: {retention_words(c.retention)}" for c in categories.values()
                ),
                "security_measures": security,
            }
        )
    return rows


def processor_record(policy: Policy) -> list[dict[str, str]]:
    """Article 30(2): one row per client controller on whose behalf we process."""
    contact, dpo = _contacts(policy)
    security = "; ".join(policy.security)
    return [
        {
            "processor": policy.controller.legal_name,
            "processor_contact": contact,
            "dpo_contact": dpo,
            "client_controller": client.client,
            "client_contact": client.contact,
            "processing_categories": "; ".join(client.processing),
            "personal_data_categories": "; ".join(client.categories),
            "third_country_transfers": client.transfers or NONE,
            "security_measures": security,
        }
        for client in policy.processing_for_clients
    ]


Role = Literal["controller", "processor"]


def record(policy: Policy, role: Role) -> tuple[list[str], list[dict[str, str]]]:
    if role == "processor":
        return PROCESSOR_FIELDS, processor_record(policy)
    return CONTROLLER_FIELDS, controller_record(policy)


def to_csv(fields: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_json(policy: Policy, role: Role, rows: list[dict[str, str]]) -> str:
    article = "30(2)" if role == "processor" else "30(1)"
    document = {
        "record": f"GDPR Article {article} record of processing activities",
        "role": role,
        "policy_version": policy.version,
        "effective_date": policy.effective_date.isoformat(),
        "activities": rows,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
