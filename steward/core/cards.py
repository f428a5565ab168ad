"""Full payment card numbers: found, masked or refused, so that none reaches the database (D4).

A card number here is 12 to 19 digits, single spaces or hyphens allowed between them, that
passes the Luhn check and starts like a card of a known scheme. The scheme prefixes keep
serial and phone numbers that happen to pass the Luhn check from being taken for cards.
Digits inside an id (a UUID, whose groups are sometimes all digits) are never a card: the
forms echo ids back, and masking one would point the form at a record that does not exist.
"""

import re

from steward.core.errors import Invalid

_CANDIDATE = re.compile(r"(?<![\d])\d(?:[ -]?\d){11,18}(?![\d])")
_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_SCHEMES = re.compile(r"^(4|5[1-5]|2[2-7]|3[47]|3[0689]|35|6011|64[4-9]|65|62|50|5[6-9]|6[0-9])")


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_card(candidate: str) -> bool:
    digits = re.sub(r"[ -]", "", candidate)
    return 12 <= len(digits) <= 19 and bool(_SCHEMES.match(digits)) and _luhn(digits)


def _in_an_id(match: re.Match[str], text: str) -> bool:
    if "-" not in text:
        return False
    start, end = match.span()
    return any(s <= start and end <= e for s, e in (m.span() for m in _UUID.finditer(text)))


def _card(match: re.Match[str], text: str) -> bool:
    return _is_card(match.group()) and not _in_an_id(match, text)


def contains_card_number(text: str) -> bool:
    return any(_card(m, text) for m in _CANDIDATE.finditer(text))


def mask_card_numbers(text: str) -> tuple[str, int]:
    """The text with every card number replaced by its last four digits, and how many."""
    count = 0

    def mask(match: re.Match[str]) -> str:
        nonlocal count
        if not _card(match, text):
            return match.group()
        count += 1
        return "[card number removed, ending " + re.sub(r"[ -]", "", match.group())[-4:] + "]"

    return _CANDIDATE.sub(mask, text), count


class CardNumberRefused(Invalid):
    title = "Card numbers are not accepted"


def refuse_card_number(value: str, field: str) -> None:
    if contains_card_number(value):
        raise CardNumberRefused(
            f"The field '{field}' holds what looks like a full payment card number. We never "
            "store card numbers: pay through the payment page, and give at most the last four "
            "digits here."
        )
