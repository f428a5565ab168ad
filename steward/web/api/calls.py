"""JSON API under /api/v1: calls, call recordings and remote-access sessions."""

from fastapi import APIRouter, Depends

from steward.web.auth import csrf_guard

router = APIRouter(prefix="/api/v1", tags=["calls"], dependencies=[Depends(csrf_guard)])
