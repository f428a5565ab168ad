"""JSON API under /api/v1: tickets, messages, attachments, saved views and canned replies."""

from fastapi import APIRouter, Depends

from steward.web.auth import csrf_guard

router = APIRouter(prefix="/api/v1", tags=["tickets"], dependencies=[Depends(csrf_guard)])
