"""(method, path) -> who may call it, for steward/web/api/billing.py."""

BILLING = {"billing", "admin"}
READERS = {"customer", "billing", "admin"}  # customers: their own records only

WHO: dict[tuple[str, str], object] = {
    ("POST", "/api/v1/quotes"): BILLING,
    ("GET", "/api/v1/quotes"): READERS,
    ("GET", "/api/v1/quotes/{quote_id}"): READERS,
    ("PATCH", "/api/v1/quotes/{quote_id}"): BILLING,
    ("DELETE", "/api/v1/quotes/{quote_id}"): BILLING,  # drafts only, else 409
    ("POST", "/api/v1/invoices"): BILLING,
    ("GET", "/api/v1/invoices"): READERS,
    ("GET", "/api/v1/invoices/{invoice_id}"): READERS,
    ("GET", "/api/v1/invoices/{invoice_id}/pdf"): READERS,
    ("PATCH", "/api/v1/invoices/{invoice_id}"): BILLING,
    ("DELETE", "/api/v1/invoices/{invoice_id}"): BILLING,  # always 409: void instead
    ("POST", "/api/v1/payments"): BILLING,
    ("GET", "/api/v1/payments"): READERS,
    ("GET", "/api/v1/payments/{payment_id}"): READERS,
    ("POST", "/api/v1/warranty-claims"): BILLING,
    ("GET", "/api/v1/warranty-claims"): READERS,
    ("GET", "/api/v1/warranty-claims/{claim_id}"): READERS,
    ("PATCH", "/api/v1/warranty-claims/{claim_id}"): BILLING,
    ("DELETE", "/api/v1/warranty-claims/{claim_id}"): BILLING,
}
