"""JSON API under /api/v1: notification preferences and service messages (C5)."""

from fastapi import APIRouter, Depends

from steward.web.auth import csrf_guard

router = APIRouter(prefix="/api/v1", tags=["preferences"], dependencies=[Depends(csrf_guard)])
