"""The words of the demo business: equipment it services, the trouble customers report and
how the desk answers, what it quotes and bills. Kept apart from the loader in demo.py."""

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

# One kind of trouble per entry: the device type it concerns (None: any), a subject, what the
# customer writes, the agent's first reply, the customer's follow-up, an internal note, and the
# closing reply. {first} is the customer's first name, {place} where the device stands.
TOPICS: Sequence[tuple[str | None, str, str, str, str, str, str]] = (
    (
        "printer",
        "Printer jams on tray 2",
        "Hi, the printer in the {place} keeps jamming whenever we print from tray 2. "
        "We have cleared it three times today.",
        "Hi {first}, sorry about that. Could you check whether the paper in tray 2 is 80gsm "
        "and that the side guides are snug? If it still jams I can book a visit.",
        "The paper is the usual one and the guides are fine. Still jamming.",
        "Pickup roller on this model wears out around 100k pages; bring a spare roller kit.",
        "The technician replaced the pickup roller and separation pad. Test prints from tray 2 "
        "look good. Closing this one, but reply if it comes back.",
    ),
    (
        "printer",
        "Printer shows offline for everyone",
        "Nobody in the office can print since this morning; the printer shows as offline.",
        "Hi {first}, it looks like the printer picked up a new IP address from DHCP. I have "
        "reserved its old address on the router; could you power-cycle it?",
        "Done, it is printing again. Thanks!",
        "Added a DHCP reservation for the printer MAC on the customer's router.",
        "Great to hear. The address is reserved now, so this should not happen again.",
    ),
    (
        "printer",
        "Toner warning won't clear",
        "We replaced the black toner but the printer still says toner low.",
        "Hi {first}, some cartridges need the chip seated firmly. Please reseat it and, if the "
        "warning stays, send me a photo of the status page.",
        "Reseated it, still the same warning. Photo attached.",
        "Known firmware issue on this model; update to the latest firmware clears it.",
        "I updated the printer's firmware remotely and the warning has cleared.",
    ),
    (
        "generator",
        "Generator failed its weekly self-test",
        "Our standby generator showed a red light after the weekly exercise on Sunday.",
        "Hi {first}, the controller logged a low battery voltage during cranking. We will "
        "bring a replacement battery on the next visit; the unit still starts for now.",
        "Thanks. Can you come before the storm forecast for Thursday?",
        "Battery is 4 years old; replace and load-test. Customer is on the priority list.",
        "Battery replaced and a 30-minute load test passed. The generator is back to green.",
    ),
    (
        "generator",
        "Annual generator maintenance",
        "Our annual generator service is due. When can you come?",
        "Hi {first}, we can visit next Tuesday between 8 and 10am. The unit will be off for "
        "about an hour during the oil change.",
        "Tuesday works, please ask the technician to sign in at reception.",
        "Service kit: oil, oil filter, air filter, spark plugs. Check the coolant heater too.",
        "Service done: oil and filters changed, plugs replaced, transfer switch tested.",
    ),
    (
        "generator",
        "Generator alarm: low coolant",
        "The generator panel is beeping and says low coolant level.",
        "Hi {first}, please do not open the radiator cap while the engine is hot. A "
        "technician is on the way to check for a leak.",
        "OK, we have kept everyone away from it.",
        "Lower radiator hose clamp was loose; tightened and topped up coolant.",
        "We found a loose hose clamp, fixed it and topped up the coolant. No further leaks.",
    ),
    (
        "network_device",
        "VPN keeps disconnecting",
        "The VPN drops every few minutes when I work from home, and I lose my remote session.",
        "Hi {first}, I have raised the tunnel keep-alive on the firewall. Could you try again "
        "and tell me if it still drops?",
        "Better, but it dropped once during a video call.",
        "ISP at the office changed the upstream MTU; lowered tunnel MTU to 1380.",
        "We lowered the tunnel's packet size to match the new office line. It has stayed "
        "connected all day in our tests.",
    ),
    (
        "network_device",
        "Wi-Fi slow in the meeting room",
        "The Wi-Fi in the meeting room is very slow, video calls keep freezing.",
        "Hi {first}, the access point there is on a crowded channel. I have moved it and "
        "raised the transmit power a little; is it better now?",
        "It is much better today, thanks.",
        "Channel 6 was shared with 9 neighbour networks; moved to channel 36 (5 GHz).",
        "Glad it helped. We will keep an eye on it in the monthly report.",
    ),
    (
        "workstation",
        "Laptop won't boot after update",
        "My laptop got stuck on the logo screen after last night's update.",
        "Hi {first}, please hold the power button for 10 seconds and start it again; if it "
        "still hangs I will connect remotely once it is in recovery mode.",
        "It started in recovery mode now.",
        "Rolled back the cumulative update from recovery; paused updates for 7 days.",
        "The update was rolled back and the laptop starts normally again.",
    ),
    (
        "workstation",
        "Outlook keeps asking for my password",
        "Outlook asks for my password every few minutes, even though it is correct.",
        "Hi {first}, this usually means a stale saved credential. I can clear it in a short "
        "remote session; is now a good time?",
        "Yes, go ahead.",
        "Cleared the cached credentials and re-added the profile.",
        "All sorted: the old saved password is gone and Outlook is quiet again.",
    ),
    (
        "workstation",
        "New starter needs a workstation",
        "We have a new starter on Monday, can you set up a workstation and an account?",
        "Hi {first}, of course. We will image a workstation and set up the account; which "
        "shared drives and printers do they need?",
        "The accounts drive and the copy room printer, please.",
        "Use the standard image; map the accounts share and the copy room printer.",
        "The workstation is ready at the desk, with the drive and printer mapped.",
    ),
    (
        "workstation",
        "Blue screen on the reception PC",
        "The reception PC crashed twice this morning with a blue screen.",
        "Hi {first}, the crash points to the graphics driver. I will update it remotely; "
        "please save anything open.",
        "Saved everything, you can go ahead.",
        "Minidump shows the display driver faulting; updated to the current release.",
        "Driver updated and the PC has been stable all afternoon.",
    ),
    (
        "server",
        "Backup failed overnight",
        "We received an email saying last night's backup failed.",
        "Hi {first}, the backup target ran out of space. I have pruned the oldest restore "
        "points and started a new backup.",
        "Thanks, will you check tonight's run too?",
        "Retention was set to 90 restore points; reduced to 30 and added a space alert.",
        "Tonight's backup completed successfully. We added an alert for low space.",
    ),
    (
        "server",
        "Server disk nearly full",
        "The file server says the data disk is almost full.",
        "Hi {first}, most of the space is old scans in the shared folder. Would you like "
        "us to archive anything older than three years?",
        "Yes, please archive them.",
        "Archived the scans to the NAS; 400 GB freed.",
        "The old scans are archived and the disk is at 55% now.",
    ),
    (
        "server",
        "RAID degraded warning",
        "The server beeps and the front panel shows an amber light.",
        "Hi {first}, one of the mirrored disks has failed; the data is safe on the other. We "
        "have ordered a replacement under warranty.",
        "Thanks for the quick answer. When will it arrive?",
        "Disk in bay 2 failed; warranty replacement ordered, rebuild takes about 4 hours.",
        "The new disk is in and the array has rebuilt. The light is green again.",
    ),
    (
        None,
        "Quote for a new multifunction printer",
        "Could you send us a quote for a new colour printer with scanning for the office?",
        "Hi {first}, happy to. How many pages a month do you print, and do you need stapling?",
        "About 3,000 pages a month, no stapling needed.",
        "Mid-range colour MFP fits; include a 3-year service plan option.",
        "I have sent the quote by email; it is valid for 30 days.",
    ),
    (
        None,
        "Question about our last invoice",
        "Our last invoice lists two visits but we only remember one. Can you check?",
        "Hi {first}, thanks for asking. The second line was a remote session on the same "
        "day; I can send you the details.",
        "Ah yes, that makes sense now. Thank you.",
        "Invoice is correct; remote session was logged under the same ticket.",
        "You are welcome. Nothing to change on the invoice.",
    ),
    (
        None,
        "Cannot sign in to the portal",
        "I can't sign in to the customer portal, it says my password is wrong.",
        "Hi {first}, you can set a new password from the sign-in page. If the link does not "
        "arrive, check the spam folder.",
        "Found it in spam, I am in now.",
        "Customer used an old bookmark; nothing wrong with the account.",
        "Great, I will close this one.",
    ),
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
CALL_NOTES = (
    "Walked the caller through clearing a paper jam.",
    "Caller asked when the next generator service is due.",
    "Reset the caller's VPN token and confirmed access.",
    "Caller reported a power cut; generator took the load as expected.",
    "Booked an on-site visit for Thursday morning.",
    "Caller asked for a copy of the last invoice.",
)
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
QUOTE_ITEMS = (
    ("Colour multifunction printer, installed", 289000),
    ("Generator annual service plan", 64000),
    ("On-site visit, first hour", 12500),
    ("Workstation with Windows 11 Pro, imaged", 115000),
    ("Managed firewall, 12 months", 78000),
    ("Replacement generator battery", 21500),
    ("Server disk, 4 TB enterprise", 32000),
    ("Remote support block, 5 hours", 45000),
)
WARRANTY = (
    "Fuser unit failed after four months.",
    "Generator controller display went blank within the warranty period.",
    "Laptop battery swells and will not hold a charge.",
    "Server power supply failed; unit is under the 3-year warranty.",
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
        "Generator safety",
        "Please keep clear of the generator and do not open any panels while "
        "it is hot. We are on our way.",
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
