"""Mail: outgoing messages over real SMTP (`steward.mail.send`)."""

from steward.mail.smtp import MailFailed, send

__all__ = ["MailFailed", "send"]
