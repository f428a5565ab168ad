"""JSON API under /api/v1: organisations, their members, and people the desk deals with."""

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from steward.core.actor import Actor
from steward.desk import directory, organisations
from steward.desk.organisation_input import (
    MemberChange,
    MemberIn,
    MemberKind,
    OrganisationChange,
    OrganisationIn,
    PersonChange,
    PersonIn,
)
from steward.web.auth import CurrentActor, csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(prefix="/api/v1", tags=["organisations"], dependencies=[Depends(csrf_guard)])

DeskActor = Annotated[Actor, Depends(require_roles("agent", "admin"))]
DirectoryActor = Annotated[Actor, Depends(require_roles("agent", "admin", "billing"))]
OrganisationReader = Annotated[
    Actor, Depends(require_roles("agent", "admin", "billing", "customer"))
]
MemberReader = Annotated[Actor, Depends(require_roles("agent", "admin", "customer"))]
Offset = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(ge=1, le=200)]


class OrganisationOut(BaseModel):
    id: str
    name: str
    domain: str | None
    created_at: datetime
    contract_ended_at: datetime | None
    time_zone: str | None  # its members' default; null: the business's


class OrganisationPage(BaseModel):
    items: list[OrganisationOut]
    next_offset: int | None


class MemberOut(BaseModel):
    organisation_id: str
    person_id: str
    kind: str
    name: str | None
    job_title: str | None
    created_at: datetime


class MemberPage(BaseModel):
    items: list[MemberOut]
    next_offset: int | None


class PersonSummaryOut(BaseModel):
    id: str
    kind: str
    name: str | None


class PersonPage(BaseModel):
    items: list[PersonSummaryOut]
    next_offset: int | None


class MembershipOut(BaseModel):
    organisation_id: str
    organisation_name: str
    kind: str


class PersonOut(BaseModel):
    """A field the policy does not let you read is null."""

    id: str
    kind: str
    name: str | None
    email: str | None
    phone: str | None
    company: str | None
    created_at: datetime
    organisations: list[MembershipOut]


def _organisation(view: organisations.OrganisationView) -> OrganisationOut:
    return OrganisationOut(**asdict(view))


def _member(view: organisations.MemberView) -> MemberOut:
    return MemberOut(**asdict(view))


def _person(view: organisations.PersonView) -> PersonOut:
    return PersonOut(
        id=view.id,
        kind=view.kind,
        name=view.fields.get("name"),
        email=view.fields.get("email"),
        phone=view.fields.get("phone"),
        company=view.fields.get("company"),
        created_at=view.created_at,
        organisations=[MembershipOut(**asdict(m)) for m in view.organisations],
    )


@router.get("/organisations")
def list_organisations(
    actor: OrganisationReader,
    session: SessionDep,
    text: Annotated[str | None, Query(max_length=200)] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> OrganisationPage:
    """Organisations by name; `text` matches part of the name. Customers see their own."""
    page = organisations.list_organisations(session, actor, text=text, offset=offset, limit=limit)
    return OrganisationPage(
        items=[_organisation(v) for v in page.items], next_offset=page.next_offset
    )


@router.post("/organisations", status_code=201)
def create_organisation(
    body: OrganisationIn, actor: DeskActor, session: SessionDep
) -> OrganisationOut:
    return _organisation(
        organisations.create_organisation(session, actor, name=body.name, domain=body.domain)
    )


@router.get("/organisations/{organisation_id}")
def get_organisation(
    organisation_id: str, actor: OrganisationReader, session: SessionDep
) -> OrganisationOut:
    return _organisation(organisations.get_organisation(session, actor, organisation_id))


@router.patch("/organisations/{organisation_id}")
def update_organisation(
    organisation_id: str, body: OrganisationChange, actor: DeskActor, session: SessionDep
) -> OrganisationOut:
    """Send only the fields to change; a null domain or time zone clears it."""
    changes = body.model_dump(exclude_unset=True)
    return _organisation(
        organisations.update_organisation(session, actor, organisation_id, changes)
    )


@router.delete("/organisations/{organisation_id}", status_code=204)
def delete_organisation(organisation_id: str, actor: DeskActor, session: SessionDep) -> None:
    """Only an organisation without tickets, devices, quotes, invoices or service records
    (409 otherwise: end its contract instead)."""
    organisations.delete_organisation(session, actor, organisation_id)


@router.post("/organisations/{organisation_id}/end-contract")
def end_contract(organisation_id: str, actor: DeskActor, session: SessionDep) -> OrganisationOut:
    return _organisation(organisations.end_contract(session, actor, organisation_id))


@router.get("/organisations/{organisation_id}/members")
def list_members(
    organisation_id: str,
    actor: MemberReader,
    session: SessionDep,
    kind: MemberKind | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> MemberPage:
    """Staff, or a contact of the organisation; a contact sees the names the policy lets a
    customer read (their own), and ids and kinds of the others."""
    page = organisations.list_members(
        session, actor, organisation_id, kind=kind, offset=offset, limit=limit
    )
    return MemberPage(items=[_member(v) for v in page.items], next_offset=page.next_offset)


@router.post("/organisations/{organisation_id}/members", status_code=201)
def add_member(
    organisation_id: str, body: MemberIn, actor: CurrentActor, session: SessionDep
) -> MemberOut:
    """Staff add a contact or end user; a contact of the organisation adds an end user by
    their details (D2)."""
    return _member(
        organisations.add_member(
            session,
            actor,
            organisation_id,
            kind=body.kind,
            person_id=body.person_id,
            name=body.name,
            email=body.email,
            phone=body.phone,
            job_title=body.job_title,
        )
    )


@router.patch("/organisations/{organisation_id}/members/{person_id}")
def change_member(
    organisation_id: str,
    person_id: str,
    body: MemberChange,
    actor: DeskActor,
    session: SessionDep,
) -> MemberOut:
    changes = body.model_dump(exclude_unset=True)
    return _member(organisations.change_member(session, actor, organisation_id, person_id, changes))


@router.delete("/organisations/{organisation_id}/members/{person_id}", status_code=204)
def remove_member(
    organisation_id: str, person_id: str, actor: DeskActor, session: SessionDep
) -> None:
    organisations.remove_member(session, actor, organisation_id, person_id)


@router.get("/people")
def find_people(
    actor: DirectoryActor,
    session: SessionDep,
    email: Annotated[str, Query(min_length=3, max_length=254)],
    offset: Offset = 0,
    limit: Limit = 50,
) -> PersonPage:
    """People with exactly this email address."""
    page = directory.find_people(session, actor, email=email, offset=offset, limit=limit)
    return PersonPage(
        items=[PersonSummaryOut(**asdict(v)) for v in page.items], next_offset=page.next_offset
    )


@router.post("/people", status_code=201)
def create_person(body: PersonIn, actor: DeskActor, session: SessionDep) -> PersonOut:
    """A phone number is stored in E.164 form; one without a country code is read as a
    number of the business's country."""
    return _person(
        directory.create_person(
            session, actor, kind=body.kind, name=body.name, email=body.email, phone=body.phone
        )
    )


@router.get("/people/{person_id}")
def get_person(person_id: str, actor: DirectoryActor, session: SessionDep) -> PersonOut:
    return _person(directory.get_person(session, actor, person_id))


@router.patch("/people/{person_id}")
def rectify_person(
    person_id: str, body: PersonChange, actor: DeskActor, session: SessionDep
) -> PersonOut:
    """Correct name, phone or company; send only the fields to change (null clears phone or
    company). Erasing a person is a rights request, not done here."""
    changes = body.model_dump(exclude_unset=True)
    return _person(directory.rectify_person(session, actor, person_id, changes))
