"""What changed between two versions of a policy, and which changes are material.

A change is material when it lets Steward do more with people's data, or do it on a
different footing: people must then be told and, where consent is the basis, asked again.
Changes that only narrow processing (shorter retention, a recipient removed) are not.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from steward.policy import breach
from steward.policy.plain import kept_and_then
from steward.policy.schema import Category, Policy, Processor, Purpose, Retention, Right


@dataclass(frozen=True)
class Change:
    area: str
    description: str
    material: bool


def diff(old: Policy, new: Policy) -> list[Change]:
    return [
        *_controller(old, new),
        *_added_removed("categories", old.categories, new.categories),
        *_pairs("categories", old.categories, new.categories, _category),
        *_added_removed("purposes", old.purposes, new.purposes),
        *_pairs("purposes", old.purposes, new.purposes, _purpose),
        *_added_removed("processors", old.processors, new.processors),
        *_pairs("processors", old.processors, new.processors, _processor),
        *_rights(old, new),
        *_added_removed("cookies", old.cookies, new.cookies),
        *_cookies(old, new),
        *_sharing_and_children(old, new),
        *_transfer(old, new),
        *_incidents_and_watch(old, new),
    ]


def _added_removed(
    area: str, before: Mapping[Any, Any], after: Mapping[Any, Any]
) -> Iterator[Change]:
    for key in sorted(after.keys() - before.keys()):
        yield Change(area, f"added '{key}'", True)
    for key in sorted(before.keys() - after.keys()):
        yield Change(area, f"removed '{key}'", False)


def _pairs(
    area: str, before: Mapping[str, Any], after: Mapping[str, Any], compare: Any
) -> Iterator[Change]:
    """Compare entries present in both; any other difference is reported as wording."""
    for key in sorted(before.keys() & after.keys()):
        a, b = before[key], after[key]
        changes = list(compare(key, a, b))
        if a != b and not changes:
            changes.append(Change(area, f"'{key}' wording or contact details changed", False))
        yield from changes


def _more(before: list[str], after: list[str]) -> str:
    return ", ".join(sorted(set(after) - set(before)))


def _controller(old: Policy, new: Policy) -> Iterator[Change]:
    if old.controller != new.controller:
        changed = [
            f
            for f in type(old.controller).model_fields
            if getattr(old.controller, f) != getattr(new.controller, f)
        ]
        identity = {"legal_name", "country"} & set(changed)
        yield Change("controller", "changed " + ", ".join(changed), bool(identity))


def _category(key: str, a: Category, b: Category) -> Iterator[Change]:
    for purpose in sorted(set(b.purposes) - set(a.purposes)):
        yield Change("categories", f"'{key}' now also used for '{purpose}'", True)
    for purpose in sorted(set(a.purposes) - set(b.purposes)):
        yield Change("categories", f"'{key}' no longer used for '{purpose}'", False)
    if more := _more(a.fields, b.fields):
        yield Change("categories", f"'{key}' now holds {more}", True)
    if more := _more(a.subjects, b.subjects):
        yield Change("categories", f"'{key}' now covers {more}", True)
    if a.retention != b.retention:
        yield _retention(key, a.retention, b.retention)


def _retention(key: str, a: Retention, b: Retention) -> Change:
    longer = (
        b.period.approx_days() > a.period.approx_days()
        or b.trigger != a.trigger
        or len(b.exceptions) > len(a.exceptions)
    )
    return Change(
        "retention",
        f"'{key}' kept {a.period.words()} → {kept_and_then(b)}",
        longer,
    )


def _purpose(key: str, a: Purpose, b: Purpose) -> Iterator[Change]:
    if a.lawful_basis != b.lawful_basis:
        yield Change("purposes", f"'{key}' lawful basis {a.lawful_basis} → {b.lawful_basis}", True)
    if more := _more(list(a.roles), list(b.roles)):
        yield Change("purposes", f"'{key}' now open to roles {more}", False)


def _processor(key: str, a: Processor, b: Processor) -> Iterator[Change]:
    if more := _more(a.categories, b.categories):
        yield Change("processors", f"'{key}' now receives {more}", True)
    if less := _more(b.categories, a.categories):
        yield Change("processors", f"'{key}' no longer receives {less}", False)
    if (a.location, a.transfer_safeguard) != (b.location, b.transfer_safeguard):
        safeguard = b.transfer_safeguard or "no transfer safeguard"
        yield Change("processors", f"'{key}' now in {b.location} under {safeguard}", True)
    if (a.contract_date, a.vetted_date) != (b.contract_date, b.vetted_date):
        yield Change("processors", f"'{key}' contract or vetting date updated", False)


def _rights(old: Policy, new: Policy) -> Iterator[Change]:
    before: dict[str, Right] = {str(k): v for k, v in old.rights.items()}
    after: dict[str, Right] = {str(k): v for k, v in new.rights.items()}
    for name in sorted(before.keys() | after.keys()):
        a, b = before.get(name), after.get(name)
        if (a is None or not a.offered) and b is not None and b.offered:
            yield Change("rights", f"'{name}' now offered", False)
        elif a is not None and a.offered and (b is None or not b.offered):
            yield Change("rights", f"'{name}' no longer offered", True)
        elif a is not None and b is not None and a != b:
            slower = (
                b.deadline_days > a.deadline_days
                or b.extension_days > a.extension_days
                or (b.day_kind == "business" and a.day_kind == "calendar")
            )
            yield Change(
                "rights",
                f"'{name}' deadline {a.deadline_days} → {b.deadline_days} {b.day_kind} days, "
                "channels or verification changed",
                slower,
            )
    if old.inquiries != new.inquiries:
        slower = new.inquiries.response_hours > old.inquiries.response_hours
        hours = new.inquiries.response_hours
        yield Change("rights", f"inquiries answered within {hours} hours", slower)


def _cookies(old: Policy, new: Policy) -> Iterator[Change]:
    for name in sorted(old.cookies.keys() & new.cookies.keys()):
        before = {c.name for c in old.cookies[name].cookies}
        after = {c.name for c in new.cookies[name].cookies}
        for cookie in sorted(after - before):
            yield Change("cookies", f"{name} cookie '{cookie}' added", name != "essential")
        for cookie in sorted(before - after):
            yield Change("cookies", f"{name} cookie '{cookie}' removed", False)


def _sharing_and_children(old: Policy, new: Policy) -> Iterator[Change]:
    a, b = old.disclosures, new.disclosures
    if a != b:
        more = (
            (b.sells_personal_data and not a.sells_personal_data)
            or (b.shares_for_advertising and not a.shares_for_advertising)
            or b.legal_orders != a.legal_orders
        )
        yield Change("disclosures", "sale, sharing or disclosure terms changed", more)
    if old.children != new.children:
        yield Change("children", "rules for children's data changed", True)


def _transfer(old: Policy, new: Policy) -> Iterator[Change]:
    """A coming transfer to a new owner is material: the data is to pass to a new controller."""
    if new.transfer is not None and new.transfer != old.transfer:
        to = new.transfer.to.legal_name
        yield Change("transfer", f"the business passes to {to} on {new.transfer.date}", True)
    elif old.transfer is not None and new.transfer is None:
        yield Change("transfer", "the announced transfer is withdrawn", False)


def _incidents_and_watch(old: Policy, new: Policy) -> Iterator[Change]:
    """People told of a breach later than before is material; the rest of the breach terms
    and the watch's rules (never published: an attacker would keep under them) are minor."""
    before, after = breach.terms(old), breach.terms(new)
    for law, deadline in after.deadlines.items():
        was = before.deadlines.get(law)
        days, earlier = deadline.people_days, was.people_days if was else None
        if days is not None and earlier is not None and days > earlier:
            name = breach.LAW_NAMES.get(law, law)
            yield Change(
                "incidents",
                f"people told of a breach ({name}) within {days} days, was {earlier}",
                True,
            )
    if old.incidents != new.incidents:
        yield Change("incidents", "how breaches are reported and people told changed", False)
    if old.watch != new.watch:
        yield Change("watch", "the rules that watch for attacks changed", False)
