"""HTML pages (Jinja2, htmx where it helps, every form working without JavaScript), one module
per area as in `web/api/`. Pages share `kit` (and the desk's `desk_kit`, the preference form);
they never import each other or the JSON API. ROUTERS is the order the app mounts them in."""

from fastapi import APIRouter

from steward.web.pages import (
    account,
    admin,
    alerts,
    auth,
    billing,
    calls,
    consent,
    data_use,
    devices,
    guardians,
    history,
    me,
    people,
    policy,
    portal,
    retention,
    rights,
    rights_work,
    tickets,
    unsubscribe,
)

ROUTERS: tuple[APIRouter, ...] = (
    history.router,
    policy.router,
    auth.router,
    portal.router,
    me.router,
    account.router,
    tickets.router,
    calls.router,
    devices.router,
    people.router,
    billing.router,
    admin.router,
    data_use.router,
    rights.router,
    rights_work.router,
    retention.router,
    alerts.router,
    consent.router,
    unsubscribe.router,
    guardians.router,
)
