"""The trade of the demo business, read from the active policy, and what differs by trade.

`steward demo` speaks the business the policy describes, and writes only what it holds. A
category counts as held when the policy uses it for the purpose the desk works with it
(support; billing for money; quality review for call recordings), as the gate decides.
The trade is the first of these whose categories the policy holds:

- generator runtime logs: generator sales and service (like houston-generator.yaml);
- print-job metadata: managed print (printo-gens.yaml);
- a device inventory with logs and service records: managed IT services (compustores.yaml);
- remote-session details without an inventory: IT support (it-support-shop.yaml);
- otherwise a help desk by ticket, chat and phone (emergencysupport.yaml): the fallback,
  which needs nothing beyond people and their messages.

Money is in the policy's currency (`controller.currency`, else the country's), names and addresses in its locale.
"""

import re
from dataclasses import dataclass, field

from steward.demo.topics import (
    EQUIPMENT,
    GENERATORS,
    HELP_DESK,
    INVOICE,
    IT_SUPPORT,
    PORTAL,
    PRINT,
    Topic,
)
from steward.policy.active import resolve
from steward.policy.local import Local as BusinessLocal
from steward.policy.schema import Policy

SUPPORT = "essential.service.support"
# The purpose the desk uses each category for where it is not support.
DESK_PURPOSES = {
    "user.communications.call_recording": "essential.service.quality",
    "user.authorization.credentials": "essential.service",
    "user.demographic.date_of_birth": "essential.service",
    "user.financial": "essential.service.billing",
}
DEVICES = (
    "user.device.configuration",
    "user.device.hostname",
    "user.device.ip_address",
    "user.device.mac_address",
    "user.device.serial_number",
)
LOCALES = {"GB": "en_GB", "US": "en_US", "CA": "en_CA", "AU": "en_AU", "NZ": "en_NZ", "IE": "en_IE"}


def holds(policy: Policy, category: str) -> bool:
    """Whether the policy holds a column category for the purpose the desk uses it for."""
    key = resolve(policy, category)
    if key is None:
        return False
    purpose = next(
        (p for prefix, p in DESK_PURPOSES.items() if category.startswith(prefix)), SUPPORT
    )
    return purpose in policy.categories[key].purposes


@dataclass(frozen=True)
class Trade:
    key: str
    name: str  # as the demo's report says it: "managed print"
    needs: tuple[str, ...]  # the categories the policy must hold for this trade
    org_devices: dict[str, tuple[int, int]]  # per organisation: kind -> (fewest, most)
    own_devices: dict[str, float]  # per individual customer: kind -> chance of one
    topics: tuple[Topic, ...]
    call_notes: tuple[str, ...]
    quote_items: tuple[tuple[str, int], ...]  # description, unit price in cents
    warranty: tuple[str, ...]
    contested: str  # what a demo restriction request contests
    leaving: str  # why a demo customer asks for erasure
    individuals: bool = True  # serves private customers as well as organisations
    canned: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True)
class Local:
    currency: str
    locale: str
    phone: str  # a format with {n} for the number's last digits, in a fictional range
    digits: int


def _kinds(*kinds: str | None) -> tuple[Topic, ...]:
    return tuple(t for t in EQUIPMENT if t.kind in kinds)


GENERATOR_TRADE = Trade(
    key="generators",
    name="generator sales and service",
    needs=(*DEVICES, "system.runtime_log"),
    org_devices={"generator": (1, 2)},
    own_devices={"generator": 0.8},
    topics=(*_kinds("generator"), *GENERATORS, INVOICE, PORTAL),
    call_notes=(
        "Caller asked when the next generator service is due.",
        "Caller reported a power cut; generator took the load as expected.",
        "Booked an on-site visit for Thursday morning.",
        "Caller asked for a copy of the last invoice.",
        "Talked the caller through switching the generator back to auto.",
    ),
    quote_items=(
        ("Standby generator 22 kW, installed", 1450000),
        ("Automatic transfer switch, installed", 210000),
        ("Generator annual service plan", 64000),
        ("Replacement generator battery", 21500),
        ("On-site visit, first hour", 12500),
    ),
    warranty=(
        "Generator controller display went blank within the warranty period.",
        "Transfer switch motor failed in its second year.",
    ),
    contested="the service history you hold about my generator",
    leaving="I have sold the generator",
    canned=(
        (
            "Generator safety",
            "Please keep clear of the generator and do not open any panels while "
            "it is hot. We are on our way.",
        ),
    ),
)
PRINT_TRADE = Trade(
    key="print",
    name="managed print",
    needs=(*DEVICES, "system.print_job_metadata"),
    org_devices={"printer": (2, 6)},
    own_devices={"printer": 0.8},
    topics=(*_kinds("printer", None), *PRINT, INVOICE, PORTAL),
    call_notes=(
        "Walked the caller through clearing a paper jam.",
        "Caller read out the page counters for the monthly meter reading.",
        "Caller asked for a toner delivery; sent under the contract.",
        "Booked an on-site visit for Thursday morning.",
        "Caller asked for a copy of the last invoice.",
    ),
    quote_items=(
        ("Colour multifunction printer, installed", 289000),
        ("Managed-print contract, per printer per month", 3900),
        ("Black toner cartridge, high yield", 14900),
        ("Colour toner set", 38500),
        ("Printer maintenance kit, fitted", 27500),
        ("On-site visit, first hour", 12500),
    ),
    warranty=(
        "Fuser unit failed after four months.",
        "Duplex unit jams on every page; printer is under warranty.",
    ),
    contested="the print job records you hold about me",
    leaving="our office has closed",
)
MANAGED_IT_TRADE = Trade(
    key="managed_it",
    name="managed IT services",
    needs=(*DEVICES, "system.logs", "system.service_record"),
    org_devices={"workstation": (2, 5), "server": (1, 2), "network_device": (1, 2)},
    own_devices={"workstation": 0.6},
    topics=(*_kinds("workstation", "server", "network_device"), INVOICE, PORTAL),
    call_notes=(
        "Reset the caller's VPN token and confirmed access.",
        "Caller asked about last night's backup report.",
        "Booked an on-site visit for Thursday morning.",
        "Caller asked for a copy of the last invoice.",
    ),
    quote_items=(
        ("Workstation with Windows 11 Pro, imaged", 115000),
        ("Managed firewall, 12 months", 78000),
        ("Server disk, 4 TB enterprise", 32000),
        ("Managed IT, per user per month", 8500),
        ("On-site visit, first hour", 12500),
    ),
    warranty=(
        "Laptop battery swells and will not hold a charge.",
        "Server power supply failed; unit is under the 3-year warranty.",
    ),
    contested="the logs you hold about my workstation",
    leaving="I have left the company",
    individuals=False,
)
IT_SUPPORT_TRADE = Trade(
    key="it_support",
    name="IT support",
    needs=("user.device.remote_session",),
    org_devices={},
    own_devices={},
    topics=(*IT_SUPPORT, INVOICE, PORTAL),
    call_notes=(
        "Talked the caller through restarting the router.",
        "Caller asked us to look at a slow laptop; remote session booked.",
        "Caller received a suspicious email; told them not to open the link.",
        "Booked an on-site visit for Thursday morning.",
        "Caller asked for a copy of the last invoice.",
    ),
    quote_items=(
        ("Laptop with Windows 11 Pro, set up", 89900),
        ("Virus and adware clean-up", 7500),
        ("Remote support, per half hour", 3500),
        ("On-site visit, first hour", 8500),
        ("Wi-Fi router, installed", 19900),
    ),
    warranty=("Laptop we supplied will not charge after three months.",),
    contested="the notes you hold about my remote support sessions",
    leaving="I no longer need IT support",
)
HELP_DESK_TRADE = Trade(
    key="help_desk",
    name="a help desk by ticket, chat and phone",
    needs=(),
    org_devices={},
    own_devices={},
    topics=(*HELP_DESK, PORTAL),
    call_notes=(
        "Caller could not sign in; unlocked the account after checking their details.",
        "Caller asked for an update on their open ticket.",
        "Caller reported the website down; opened a ticket.",
    ),
    quote_items=(("Support plan, 12 months", 48000),),
    warranty=(),
    contested="the chat transcripts you hold about me",
    leaving="I no longer use your support service",
)
TRADES = (GENERATOR_TRADE, PRINT_TRADE, MANAGED_IT_TRADE, IT_SUPPORT_TRADE, HELP_DESK_TRADE)


def trade_of(policy: Policy) -> Trade:
    """The first trade whose categories the policy holds; the help desk needs none."""
    return next(t for t in TRADES if all(holds(policy, c) for c in t.needs))


def local_of(policy: Policy) -> Local:
    """The policy's currency (the one quotes and invoices default to); names and phone
    numbers of the controller's country (US ones otherwise)."""
    country = policy.controller.country
    currency = BusinessLocal.of(policy.controller).currency
    locale = LOCALES.get(country, "en_US")
    if country == "GB":  # Ofcom keeps 07700 900000-900999 for drama: no one answers. In
        # national form: "+44 7700 ..." is 12 digits starting 4, which reads as a card number.
        return Local(currency, locale, "07700 900{n}", 3)
    # 555-0100 to 555-0199 are fictional in every North American area code
    area = re.match(r"\+1[ -]?(\d{3})", policy.controller.phone or "")
    return Local(currency, locale, f"+1 {area.group(1) if area else '202'}-555-01{{n}}", 2)
