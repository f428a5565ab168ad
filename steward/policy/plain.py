"""Retention periods in the words a person reads them: "7 years after your account is closed".

One place for the phrases, so the policy pages, the privacy center, the access report and mail
never show an ISO 8601 duration (P7Y) or an internal trigger name (account_closure).
"""

from steward.policy.schema import Retention

TRIGGER = {
    "created": "after it is collected",
    "last_activity": "after your last activity with us",
    "account_closure": "after your account is closed",
    "contract_end": "after our contract with you ends",
}
ACTION = {
    "delete": "then it is deleted",
    "anonymise": "then it is anonymised so that it no longer identifies you",
}


def kept_for(rule: Retention) -> str:
    """How long, from when: '7 years after your account is closed'."""
    return f"{rule.period.words()} {TRIGGER[rule.trigger]}"


def kept_and_then(rule: Retention) -> str:
    """'7 years after your account is closed, then it is deleted'."""
    return f"{kept_for(rule)}, {ACTION[rule.action]}"
