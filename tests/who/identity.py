"""(method, path) -> who may call it, for accounts, the policy and the audit trail."""

from tests.who import PUBLIC, SIGNED_IN

WHO = {
    ("GET", "/api/v1/health"): PUBLIC,
    ("GET", "/api/v1/ready"): PUBLIC,
    ("GET", "/api/v1/policy"): PUBLIC,
    ("POST", "/api/v1/auth/register"): PUBLIC,
    ("POST", "/api/v1/auth/verify-email"): PUBLIC,
    ("POST", "/api/v1/auth/sign-in"): PUBLIC,
    ("POST", "/api/v1/auth/unlock"): PUBLIC,
    ("POST", "/api/v1/auth/set-password"): PUBLIC,
    ("POST", "/api/v1/me/email/confirm"): PUBLIC,  # the emailed token is the credential
    ("POST", "/api/v1/auth/mfa"): SIGNED_IN,
    ("POST", "/api/v1/auth/new-password"): SIGNED_IN,  # after a reset forced on the account
    ("POST", "/api/v1/auth/mfa/enrol"): SIGNED_IN,
    ("POST", "/api/v1/auth/mfa/verify"): SIGNED_IN,
    ("POST", "/api/v1/auth/sign-out"): SIGNED_IN,
    ("POST", "/api/v1/auth/sign-out-everywhere"): SIGNED_IN,
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("PATCH", "/api/v1/me"): SIGNED_IN,
    ("POST", "/api/v1/me/email"): SIGNED_IN,
    ("POST", "/api/v1/me/rights"): SIGNED_IN,  # a right the policy offers in the account
    ("GET", "/api/v1/me/close"): SIGNED_IN,
    ("POST", "/api/v1/me/close"): SIGNED_IN,  # staff are refused: an admin closes theirs
    ("POST", "/api/v1/me/erasure/cancel"): PUBLIC,  # the mailed token; the account is closed
    ("GET", "/api/v1/admin/accounts"): {"admin"},
    ("POST", "/api/v1/admin/accounts"): {"admin"},
    ("PATCH", "/api/v1/admin/accounts/{account_id}"): {"admin"},
    ("GET", "/api/v1/audit"): {"privacy_officer"},
}
