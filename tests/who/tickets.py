"""(method, path) -> who may call it, for steward/web/api/tickets.py.

Reads that customers and desk staff share are listed with their roles, so the access test
proves billing, call reviewers and privacy officers get 403; unsafe calls customers may make
are "signed in" (their refusals for the other roles are proven in tests/desk)."""

from tests.who import SIGNED_IN, STAFF

DESK = {"agent", "admin"}
TICKETS = {"customer", "agent", "admin"}

WHO = {
    ("GET", "/api/v1/tickets"): TICKETS,
    ("POST", "/api/v1/tickets"): SIGNED_IN,
    ("GET", "/api/v1/tickets/{ticket_id}"): TICKETS,
    ("PATCH", "/api/v1/tickets/{ticket_id}"): SIGNED_IN,
    ("DELETE", "/api/v1/tickets/{ticket_id}"): {"admin"},
    ("DELETE", "/api/v1/tickets/{ticket_id}/messages/{message_id}"): {"admin"},
    ("GET", "/api/v1/tickets/{ticket_id}/messages"): TICKETS,
    ("POST", "/api/v1/tickets/{ticket_id}/messages"): SIGNED_IN,
    ("GET", "/api/v1/attachments/{attachment_id}"): TICKETS,
    ("GET", "/api/v1/saved-views"): DESK,
    ("POST", "/api/v1/saved-views"): DESK,
    ("DELETE", "/api/v1/saved-views/{view_id}"): DESK,
    ("GET", "/api/v1/canned-replies"): STAFF,
    ("POST", "/api/v1/canned-replies"): DESK,
    ("PATCH", "/api/v1/canned-replies/{reply_id}"): DESK,
    ("DELETE", "/api/v1/canned-replies/{reply_id}"): DESK,
}
