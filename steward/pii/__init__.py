"""Personal data in free text: where a person is named in someone else's record."""
