"""The words every demo business shares: the equipment makes and systems, places, notes,
follow-ups, canned replies and attachments. What differs by trade is in trades.py and
topics.py."""

from collections.abc import Sequence

MAKES: dict[str, Sequence[tuple[str, str]]] = {
    "printer": (
        ("HP", "LaserJet Pro M404dn"),
        ("Brother", "HL-L6200DW"),
        ("Canon", "imageRUNNER ADVANCE C3530i"),
        ("Xerox", "VersaLink C405"),
        ("Kyocera", "ECOSYS M3655idn"),
    ),
    "generator": (
        ("Generac", "Guardian 22kW"),
        ("Kohler", "20RESCL"),
        ("Cummins", "RS30 QuietConnect"),
        ("Briggs & Stratton", "PowerProtect 26kW"),
    ),
    "workstation": (
        ("Dell", "OptiPlex 7010"),
        ("Lenovo", "ThinkCentre M70q"),
        ("HP", "EliteDesk 800 G6"),
        ("Lenovo", "ThinkPad T14"),
        ("Apple", "MacBook Air M2"),
    ),
    "server": (
        ("Dell", "PowerEdge R650"),
        ("HPE", "ProLiant DL380 Gen10"),
        ("Lenovo", "ThinkSystem SR630"),
        ("Synology", "RackStation RS1221+"),
    ),
    "network_device": (
        ("Ubiquiti", "UniFi Dream Machine Pro"),
        ("Fortinet", "FortiGate 60F"),
        ("Cisco", "Catalyst 1000-24T"),
        ("Netgear", "GS724T"),
    ),
}
SYSTEMS = {
    "workstation": ("Windows 11 Pro", "Windows 10 Pro", "macOS 14", "Ubuntu 22.04 LTS"),
    "server": ("Windows Server 2022", "Windows Server 2019", "Ubuntu 22.04 LTS", "DSM 7.2"),
    "network_device": ("UniFi OS 3.2", "FortiOS 7.4", "IOS 15.2", "firmware 6.0"),
    "printer": ("firmware 2.14", "firmware 5.8", "firmware 11.3"),
}
LOCATIONS = (
    "reception",
    "server room",
    "2nd floor copy room",
    "warehouse office",
    "accounts office",
    "plant room",
    "workshop",
    "meeting room B",
)

NOTES = (
    "Checked the device history: no similar issue in the last year.",
    "Customer prefers a call back before any visit.",
    "Waiting for the part from the distributor; ETA two days.",
    "Escalated to second line for a second opinion.",
)
FOLLOW_UPS = (
    "Any news on this?",
    "Thanks for the update.",
    "It happened again this morning.",
    "Could someone call me about this today?",
)
CHANNEL_WEIGHTS = {"web": 40, "email": 30, "phone": 20, "chat": 10}
PRIORITY_WEIGHTS = {"low": 20, "normal": 55, "high": 18, "urgent": 7}
SERVICE_WORK = {
    "generator": (
        "Changed oil and filters, replaced spark plugs, tested the transfer switch.",
        "Load-tested for 30 minutes; battery and coolant heater checked.",
        "Cleaned the air intake, checked belts and hoses, updated the controller firmware.",
    ),
    "printer": (
        "Replaced the fuser unit and the pickup rollers; cleaned the paper path.",
        "Installed the maintenance kit and reset the page counter.",
        "Cleaned the scanner glass and calibrated colour.",
        "Replaced the waste toner box and the drum; printed a test page.",
    ),
    "server": (
        "Replaced a failed disk and rebuilt the array; checked the UPS.",
        "Applied firmware updates and tested the backup restore.",
    ),
    "workstation": ("Replaced the SSD and restored from backup.", "Upgraded memory to 32 GB."),
    "network_device": ("Updated firmware and reviewed firewall rules.",),
}
PREFERRED_TIMES = (
    "Weekday mornings before 10:00",
    "Tuesdays or Thursdays after 14:00",
    "Saturdays only, the office is closed then",
    "Any weekday, call the front desk first",
)
CANNED = (
    (
        "Thanks, we are on it",
        "Thanks for letting us know. A technician is looking into it and "
        "we will update this ticket within four working hours.",
    ),
    (
        "Visit booked",
        "We have booked a visit. The technician will sign in at reception and "
        "show their badge; the work usually takes about an hour.",
    ),
    (
        "Need more detail",
        "Could you tell us the device's name or its label number, and what "
        "you see on the screen? A photo helps.",
    ),
    (
        "Closing, no reply",
        "We have not heard back, so we are closing this ticket. Reply to "
        "this message to reopen it at any time.",
    ),
    (
        "Never send card numbers",
        "Please never send card numbers by email or chat. Pay through "
        "the payment link on your invoice instead.",
    ),
)
ATTACHMENTS = (
    ("error-screenshot.png", "image/png"),
    ("status-page.png", "image/png"),
    ("event-log.txt", "text/plain"),
)
# A 1x1 grey PNG: enough for a picture that opens.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63"
    "6868680000030401814bd3d2100000000049454e44ae426082"
)
