"""What the desk takes in about organisations, their members and the people it deals with:
the API's request bodies and the desk's forms alike, so both accept and refuse the same
input. The rules on how fields go together (a known person or a new one's details) stay in
the services."""

from typing import Annotated, Literal

from pydantic import Field

from steward.core.inputs import Body
from steward.identity.common import EmailText

MemberKind = Literal["contact", "end_user"]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Phone = Annotated[str, Field(max_length=50)]


class OrganisationIn(Body):
    name: Name
    domain: Annotated[str, Field(max_length=200)] | None = None


class OrganisationChange(Body):
    name: Name | None = None
    domain: Annotated[str, Field(max_length=200)] | None = None
    time_zone: Annotated[str, Field(max_length=64)] | None = None  # null: the business's


class MemberIn(Body):
    """An existing person by `person_id`, or a new one by name, email and/or phone."""

    kind: MemberKind
    person_id: Annotated[str, Field(max_length=36)] | None = None
    name: Name | None = None
    email: EmailText | None = None
    phone: Phone | None = None
    job_title: Annotated[str, Field(max_length=200)] | None = None


class MemberChange(Body):
    kind: MemberKind | None = None
    job_title: Annotated[str, Field(max_length=200)] | None = None


class PersonIn(Body):
    kind: Literal["customer", "business_contact", "end_user"]
    name: Name | None = None
    email: EmailText | None = None
    phone: Phone | None = None


class PersonChange(Body):
    name: Name | None = None
    phone: Phone | None = None
    company: Annotated[str, Field(max_length=200)] | None = None
