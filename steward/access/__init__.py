"""Access: the one gate every read and write of personal data passes through."""
