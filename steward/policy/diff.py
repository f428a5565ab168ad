"""What changed between two versions of a policy, and which changes are material.

A change is material when it lets Steward do more with people's data, or do it on a
different footing: people must then be told and, where consent is the basis, asked again.
Changes that only narrow processing (shorter retention, a recipient removed) are not.
"""

from dataclasses import dataclass
from typing import Any

from steward.policy.schema import Policy


@dataclass(frozen=True)
class Change:
    area: str
    description: str
    material: bool


def diff(old: Policy, new: Policy) -> list[Change]:
    changes: list[Change] = []

    def added_removed(area: str, before: dict[str, Any], after: dict[str, Any],
                      material_added: bool = True, material_removed: bool = False) -> None:
        for key in after.keys() - before.keys():
            changes.append(Change(area, f"added '{key}'", material_added))
        for key in before.keys() - after.keys():
            changes.append(Change(area, f"removed '{key}'", material_removed))

    # Controller
    if old.controller != new.controller:
        changed = [f for f in type(old.controller).model_fields
                   if getattr(old.controller, f) != getattr(new.controller, f)]
        identity = {"legal_name", "country"} & set(changed)
        changes.append(Change("controller", "changed " + ", ".join(changed), bool(identity)))

    # Categories
    added_removed("categories", old.categories, new.categories)
    for key in old.categories.keys() & new.categories.keys():
        a, b = old.categories[key], new.categories[key]
        for purpose in sorted(set(b.purposes) - set(a.purposes)):
            changes.append(Change("categories", f"'{key}' now also used for '{purpose}'", True))
        for purpose in sorted(set(a.purposes) - set(b.purposes)):
            changes.append(Change("categories", f"'{key}' no longer used for '{purpose}'", False))
        if set(b.fields) - set(a.fields):
            more = ", ".join(sorted(set(b.fields) - set(a.fields)))
            changes.append(Change("categories", f"'{key}' now holds {more}", True))
        if set(b.subjects) - set(a.subjects):
            more = ", ".join(sorted(set(b.subjects) - set(a.subjects)))
            changes.append(Change("categories", f"'{key}' now covers {more}", True))
        if a.retention != b.retention:
            changes.append(_retention_change(key, a.retention, b.retention))

    # Purposes
    added_removed("purposes", old.purposes, new.purposes)
    for key in old.purposes.keys() & new.purposes.keys():
        a, b = old.purposes[key], new.purposes[key]
        if a.lawful_basis != b.lawful_basis:
            changes.append(Change("purposes", f"'{key}' lawful basis {a.lawful_basis} → "
                                  f"{b.lawful_basis}", True))
        if set(b.roles) - set(a.roles):
            more = ", ".join(sorted(set(b.roles) - set(a.roles)))
            changes.append(Change("purposes", f"'{key}' now open to roles {more}", False))

    # Processors
    added_removed("processors", old.processors, new.processors)
    for key in old.processors.keys() & new.processors.keys():
        a, b = old.processors[key], new.processors[key]
        if set(b.categories) - set(a.categories):
            more = ", ".join(sorted(set(b.categories) - set(a.categories)))
            changes.append(Change("processors", f"'{key}' now receives {more}", True))
        if set(a.categories) - set(b.categories):
            less = ", ".join(sorted(set(a.categories) - set(b.categories)))
            changes.append(Change("processors", f"'{key}' no longer receives {less}", False))
        if (a.location, a.transfer_safeguard) != (b.location, b.transfer_safeguard):
            changes.append(Change("processors", f"'{key}' now in {b.location} under "
                                  f"{b.transfer_safeguard or 'no transfer safeguard'}", True))
        if (a.contract_date, a.vetted_date) != (b.contract_date, b.vetted_date):
            changes.append(Change("processors", f"'{key}' contract or vetting date updated",
                                  False))

    # Rights
    for name in sorted(old.rights.keys() | new.rights.keys()):
        a, b = old.rights.get(name), new.rights.get(name)  # type: ignore[call-overload]
        if (a is None or not a.offered) and b is not None and b.offered:
            changes.append(Change("rights", f"'{name}' now offered", False))
        elif a is not None and a.offered and (b is None or not b.offered):
            changes.append(Change("rights", f"'{name}' no longer offered", True))
        elif a is not None and b is not None and a != b:
            slower = (b.deadline_days > a.deadline_days or b.extension_days > a.extension_days
                      or (b.day_kind == "business" and a.day_kind == "calendar"))
            changes.append(Change("rights", f"'{name}' deadline {a.deadline_days} → "
                                  f"{b.deadline_days} {b.day_kind} days, channels or "
                                  "verification changed", slower))
    if old.inquiries != new.inquiries:
        slower = new.inquiries.response_hours > old.inquiries.response_hours
        changes.append(Change("rights", f"inquiries answered within "
                              f"{new.inquiries.response_hours} hours", slower))

    # Cookies
    added_removed("cookies", old.cookies, new.cookies)
    for name in old.cookies.keys() & new.cookies.keys():
        before = {c.name for c in old.cookies[name].cookies}
        after = {c.name for c in new.cookies[name].cookies}
        for cookie in sorted(after - before):
            changes.append(Change("cookies", f"{name} cookie '{cookie}' added",
                                  name != "essential"))
        for cookie in sorted(before - after):
            changes.append(Change("cookies", f"{name} cookie '{cookie}' removed", False))

    # Sharing and children
    if old.disclosures != new.disclosures:
        more = ((new.disclosures.sells_personal_data and not old.disclosures.sells_personal_data)
                or (new.disclosures.shares_for_advertising
                    and not old.disclosures.shares_for_advertising))
        changes.append(Change("disclosures", "sale, sharing or disclosure terms changed",
                              bool(more) or new.disclosures.legal_orders !=
                              old.disclosures.legal_orders))
    if old.children != new.children:
        changes.append(Change("children", "rules for children's data changed", True))
    return changes


def _retention_change(key: str, a: Any, b: Any) -> Change:
    longer = (b.period.approx_days() > a.period.approx_days()
              or b.trigger != a.trigger
              or len(b.exceptions) > len(a.exceptions))
    return Change("retention", f"'{key}' kept {a.period.words()} → {b.period.words()} "
                  f"({b.trigger.replace('_', ' ')}, then {b.action})", longer)
