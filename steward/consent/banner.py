"""What the cookie banner shows (C1, C2, R10): its texts from the policy's cookie categories,
and its configuration with the SHA-256 of those texts exactly as shown, which the banner
sends with every choice so the ledger can prove what the person saw."""

import hashlib
import json
from functools import cache
from typing import Any

from steward.policy.publish import name_of
from steward.policy.schema import Policy

LABELS = {
    "essential": "Essential",
    "functional": "Functional",
    "analytics": "Analytics",
    "performance": "Performance",
    "marketing": "Marketing",
}
# Categories a Global Privacy Control signal turns off and keeps off (R10): measuring,
# advertising and selling or sharing, whatever the category is called in the policy.
_GPC_NAMES = {"analytics", "marketing"}
_GPC_PURPOSES = ("analytics", "marketing", "sale", "advertising")


def _gpc_locked(name: str, purpose: str | None) -> bool:
    return name in _GPC_NAMES or (purpose or "").split(".")[0] in _GPC_PURPOSES


def texts(policy: Policy) -> dict[str, Any]:
    """Everything the banner shows, in the order it shows it."""
    business = name_of(policy)
    categories = [
        {
            "name": name,
            "label": LABELS.get(name, name.capitalize()),
            "description": category.description,
            "essential": name == "essential",
            "gpc_locked": _gpc_locked(name, category.purpose),
            "cookies": [
                {
                    "name": cookie.name,
                    "provider": cookie.provider,
                    "duration": cookie.duration,
                    "purpose": cookie.purpose,
                }
                for cookie in category.cookies
            ],
        }
        for name, category in policy.cookies.items()
    ]
    return {
        "text": {
            "title": "Cookies on this site",
            "intro": f"{business} uses essential cookies to make this site work. With your "
            "consent it also uses the optional cookies below. Choose which you allow; you "
            "can change your choice at any time with “Cookie settings”.",
            "accept": "Accept all",
            "reject": "Reject all",
            "customise": "Customise",
            "save": "Save my choices",
            "settings": "Cookie settings",
            "always_on": "Always on",
            "gpc": "Your browser sends a Global Privacy Control signal, so this category "
            "stays off.",
            "failed": "Your choice could not be saved. Please try again.",
            "policy": "Cookie policy",
        },
        "categories": categories,
    }


@cache
def _config_for(policy_json: str, version: str, holds_under: tuple[str, ...]) -> tuple[bytes, str]:
    shown = json.loads(policy_json)
    canonical = json.dumps(shown, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    config = {
        "policy_version": version,
        "consent_versions": list(holds_under),
        "text_sha256": digest,
        "policy_url": "/privacy/cookies",
        "consent_url": "/api/v1/consent",
        **shown,
    }
    return json.dumps(config, ensure_ascii=False).encode(), digest


def config(policy: Policy, holds_under: tuple[str, ...] = ()) -> tuple[bytes, str]:
    """The banner's configuration as JSON bytes, and the hash of the texts it shows;
    `holds_under` are the versions whose choices still hold (the active one by default)."""
    texts_json = json.dumps(texts(policy), ensure_ascii=False)
    return _config_for(texts_json, policy.version, holds_under or (policy.version,))
