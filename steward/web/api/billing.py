"""JSON API under /api/v1: quotes, invoices, payments and warranty claims."""

from fastapi import APIRouter, Depends

from steward.web.auth import csrf_guard

router = APIRouter(prefix="/api/v1", tags=["billing"], dependencies=[Depends(csrf_guard)])
