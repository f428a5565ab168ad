"""What people send to register, sign in, pass MFA, follow a mailed link and set a password:
the API's bodies and the account pages' forms are checked by these same models."""

import datetime as dt

from pydantic import Field

from steward.core.inputs import Body
from steward.identity.common import EmailText

PASSWORD_MAX = 1000


class RegisterIn(Body):
    email: EmailText
    password: str = Field(max_length=PASSWORD_MAX)
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=50)
    company: str | None = Field(None, max_length=200)
    birth_date: dt.date | None = None
    guardian_name: str | None = Field(None, max_length=200)
    guardian_email: EmailText | None = None


class SignInIn(Body):
    email: EmailText
    password: str = Field(max_length=PASSWORD_MAX)


class TokenIn(Body):
    """The token of a mailed link."""

    token: str = Field(max_length=200)


class CodeIn(Body):
    """A code from an authenticator app, or a recovery code."""

    code: str = Field(min_length=1, max_length=40)


class SetPasswordIn(Body):
    token: str = Field(max_length=200)
    password: str = Field(max_length=PASSWORD_MAX)


class NewPasswordIn(Body):
    """The new password a reset forced on the account asks for."""

    password: str = Field(max_length=PASSWORD_MAX)
