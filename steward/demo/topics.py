"""What customers of each trade write to the desk: one kind of trouble per entry, with the
replies, follow-ups and notes of its conversation. `trades.py` picks the entries of a trade."""

from typing import NamedTuple


class Topic(NamedTuple):
    """One kind of trouble: the device type it concerns (None: none in particular; a
    "workstation" topic may lead to a remote session), a subject, what the customer writes,
    the agent's first reply, the customer's follow-up, an internal note, and the closing
    reply. {first} is the customer's first name, {place} where the device stands."""

    kind: str | None
    subject: str
    opening: str
    reply: str
    follow_up: str
    note: str
    closing: str


# The equipment a service business looks after; each trade takes the kinds it services.
EQUIPMENT: tuple[Topic, ...] = (
    Topic(
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
    Topic(
        "printer",
        "Printer shows offline for everyone",
        "Nobody in the office can print since this morning; the printer shows as offline.",
        "Hi {first}, it looks like the printer picked up a new IP address from DHCP. I have "
        "reserved its old address on the router; could you power-cycle it?",
        "Done, it is printing again. Thanks!",
        "Added a DHCP reservation for the printer MAC on the customer's router.",
        "Great to hear. The address is reserved now, so this should not happen again.",
    ),
    Topic(
        "printer",
        "Toner warning won't clear",
        "We replaced the black toner but the printer still says toner low.",
        "Hi {first}, some cartridges need the chip seated firmly. Please reseat it and, if the "
        "warning stays, send me a photo of the status page.",
        "Reseated it, still the same warning. Photo attached.",
        "Known firmware issue on this model; update to the latest firmware clears it.",
        "I updated the printer's firmware remotely and the warning has cleared.",
    ),
    Topic(
        "generator",
        "Generator failed its weekly self-test",
        "Our standby generator showed a red light after the weekly exercise on Sunday.",
        "Hi {first}, the controller logged a low battery voltage during cranking. We will "
        "bring a replacement battery on the next visit; the unit still starts for now.",
        "Thanks. Can you come before the storm forecast for Thursday?",
        "Battery is 4 years old; replace and load-test. Customer is on the priority list.",
        "Battery replaced and a 30-minute load test passed. The generator is back to green.",
    ),
    Topic(
        "generator",
        "Annual generator maintenance",
        "Our annual generator service is due. When can you come?",
        "Hi {first}, we can visit next Tuesday between 8 and 10am. The unit will be off for "
        "about an hour during the oil change.",
        "Tuesday works, please ask the technician to sign in at reception.",
        "Service kit: oil, oil filter, air filter, spark plugs. Check the coolant heater too.",
        "Service done: oil and filters changed, plugs replaced, transfer switch tested.",
    ),
    Topic(
        "generator",
        "Generator alarm: low coolant",
        "The generator panel is beeping and says low coolant level.",
        "Hi {first}, please do not open the radiator cap while the engine is hot. A "
        "technician is on the way to check for a leak.",
        "OK, we have kept everyone away from it.",
        "Lower radiator hose clamp was loose; tightened and topped up coolant.",
        "We found a loose hose clamp, fixed it and topped up the coolant. No further leaks.",
    ),
    Topic(
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
    Topic(
        "network_device",
        "Wi-Fi slow in the meeting room",
        "The Wi-Fi in the meeting room is very slow, video calls keep freezing.",
        "Hi {first}, the access point there is on a crowded channel. I have moved it and "
        "raised the transmit power a little; is it better now?",
        "It is much better today, thanks.",
        "Channel 6 was shared with 9 neighbour networks; moved to channel 36 (5 GHz).",
        "Glad it helped. We will keep an eye on it in the monthly report.",
    ),
    Topic(
        "workstation",
        "Laptop won't boot after update",
        "My laptop got stuck on the logo screen after last night's update.",
        "Hi {first}, please hold the power button for 10 seconds and start it again; if it "
        "still hangs I will connect remotely once it is in recovery mode.",
        "It started in recovery mode now.",
        "Rolled back the cumulative update from recovery; paused updates for 7 days.",
        "The update was rolled back and the laptop starts normally again.",
    ),
    Topic(
        "workstation",
        "Outlook keeps asking for my password",
        "Outlook asks for my password every few minutes, even though it is correct.",
        "Hi {first}, this usually means a stale saved credential. I can clear it in a short "
        "remote session; is now a good time?",
        "Yes, go ahead.",
        "Cleared the cached credentials and re-added the profile.",
        "All sorted: the old saved password is gone and Outlook is quiet again.",
    ),
    Topic(
        "workstation",
        "New starter needs a workstation",
        "We have a new starter on Monday, can you set up a workstation and an account?",
        "Hi {first}, of course. We will image a workstation and set up the account; which "
        "shared drives and printers do they need?",
        "The accounts drive and the copy room printer, please.",
        "Use the standard image; map the accounts share and the copy room printer.",
        "The workstation is ready at the desk, with the drive and printer mapped.",
    ),
    Topic(
        "workstation",
        "Blue screen on the reception PC",
        "The reception PC crashed twice this morning with a blue screen.",
        "Hi {first}, the crash points to the graphics driver. I will update it remotely; "
        "please save anything open.",
        "Saved everything, you can go ahead.",
        "Minidump shows the display driver faulting; updated to the current release.",
        "Driver updated and the PC has been stable all afternoon.",
    ),
    Topic(
        "server",
        "Backup failed overnight",
        "We received an email saying last night's backup failed.",
        "Hi {first}, the backup target ran out of space. I have pruned the oldest restore "
        "points and started a new backup.",
        "Thanks, will you check tonight's run too?",
        "Retention was set to 90 restore points; reduced to 30 and added a space alert.",
        "Tonight's backup completed successfully. We added an alert for low space.",
    ),
    Topic(
        "server",
        "Server disk nearly full",
        "The file server says the data disk is almost full.",
        "Hi {first}, most of the space is old scans in the shared folder. Would you like "
        "us to archive anything older than three years?",
        "Yes, please archive them.",
        "Archived the scans to the NAS; 400 GB freed.",
        "The old scans are archived and the disk is at 55% now.",
    ),
    Topic(
        "server",
        "RAID degraded warning",
        "The server beeps and the front panel shows an amber light.",
        "Hi {first}, one of the mirrored disks has failed; the data is safe on the other. We "
        "have ordered a replacement under warranty.",
        "Thanks for the quick answer. When will it arrive?",
        "Disk in bay 2 failed; warranty replacement ordered, rebuild takes about 4 hours.",
        "The new disk is in and the array has rebuilt. The light is green again.",
    ),
    Topic(
        None,
        "Quote for a new multifunction printer",
        "Could you send us a quote for a new colour printer with scanning for the office?",
        "Hi {first}, happy to. How many pages a month do you print, and do you need stapling?",
        "About 3,000 pages a month, no stapling needed.",
        "Mid-range colour MFP fits; include a 3-year service plan option.",
        "I have sent the quote by email; it is valid for 30 days.",
    ),
)

GENERATORS: tuple[Topic, ...] = (
    Topic(
        "generator",
        "Generator did not start during the outage",
        "We lost power last night and the standby generator never started.",
        "Hi {first}, the controller shows an overcrank fault: the engine turned but did not "
        "fire. A technician is on the way; please leave the unit switched to auto.",
        "Power is back now, but we need it working before the weekend.",
        "Fuel solenoid stuck; bring a spare solenoid and test under load.",
        "We replaced the fuel solenoid and ran a load test. The generator starts first time.",
    ),
    Topic(
        "generator",
        "Transfer switch clicks but does not transfer",
        "The transfer switch clicked during the weekly exercise but the house stayed on utility.",
        "Hi {first}, that points to the switch's motor operator. We will inspect it on Friday.",
        "Friday is fine. The gate code is the same as last time.",
        "ATS motor operator sticking; lubricate and test; replace if it fails again.",
        "The switch was cleaned, lubricated and tested three times under load. All good.",
    ),
    Topic(
        "network_device",  # the generator's monitoring gateway: fixed in a remote session
        "Generator monitoring shows offline",
        "The app says our generator has been offline for two days, but it looks fine.",
        "Hi {first}, the monitoring gateway lost its Wi-Fi connection. With your permission "
        "I will connect to it remotely and set it up again.",
        "Yes, please go ahead.",
        "Router replaced by the customer's ISP; gateway still had the old Wi-Fi details.",
        "The gateway is back online and the generator reports to us again.",
    ),
    Topic(
        None,
        "Quote for a standby generator",
        "We would like a quote for a standby generator for our building.",
        "Hi {first}, happy to help. A site survey takes about an hour; when could we visit?",
        "Any morning next week works.",
        "Size for 150 A service; natural gas line is on the east wall.",
        "I have sent the quote with two sizes to choose from; it is valid for 30 days.",
    ),
)
PRINT: tuple[Topic, ...] = (
    Topic(
        "printer",
        "Toner order for the copy room",
        "The copy room printer says cyan toner is at 10%. Can you send a new cartridge?",
        "Hi {first}, the printer had already reported it to us: a cartridge is on its way "
        "under your managed-print contract and should arrive tomorrow.",
        "Thanks, it arrived. Do we send the old one back?",
        "Auto-replenishment triggered at 15%; include a recycling bag.",
        "Yes, please put the empty one in the recycling bag in the box; we collect it on "
        "the next visit.",
    ),
    Topic(
        "printer",
        "Print jobs stuck in the queue",
        "Everyone's print jobs sit in the queue and nothing comes out of the printer in the "
        "{place}.",
        "Hi {first}, the print server's spooler had stalled. I have restarted it and the "
        "queue is moving; could you check?",
        "Yes, everything printed at once. Thank you!",
        "Spooler stalled on a corrupt job; cleared it and restarted the service.",
        "Glad it is moving. We added an alert so we see a stalled queue before you do.",
    ),
    Topic(
        None,
        "Managed-print contract renewal",
        "Our managed-print contract ends next month. Can we review the number of printers?",
        "Hi {first}, of course. Your usage report shows two printers under 500 pages a "
        "month; we could consolidate them. Shall I send a proposal?",
        "Yes please, with the cost per page.",
        "Propose removing the two low-volume units; keep colour in the copy room.",
        "I have sent the renewal proposal with the new cost per page.",
    ),
    Topic(
        "printer",
        "Scan to email stopped working",
        "Scanning to email from the printer in the {place} fails with 'send error'.",
        "Hi {first}, your mail provider now requires a secure connection. I have updated "
        "the printer's mail settings remotely; could you try a scan?",
        "It works again, thanks.",
        "SMTP on port 25 blocked by the provider; switched to 587 with TLS.",
        "All set: scans go out over the new secure connection.",
    ),
)
IT_SUPPORT: tuple[Topic, ...] = (
    Topic(
        "workstation",
        "PC won't boot",
        "My PC shows a black screen with 'no bootable device' when I switch it on.",
        "Hi {first}, please check that no USB stick is plugged in and restart. If it still "
        "fails we can look at it remotely from a recovery prompt, or on site.",
        "No USB stick in it. Still the same message.",
        "Boot order reset after a BIOS update; fixed in firmware settings.",
        "The boot order was reset by a firmware update; we put it back and it starts again.",
    ),
    Topic(
        None,
        "Email not arriving on my phone",
        "My work email stopped arriving on my phone since Monday; the laptop is fine.",
        "Hi {first}, your phone is still using your old password. Please remove the account "
        "on the phone and add it again; I can stay on the phone while you do it.",
        "Done, mail is coming through again.",
        "Password changed last week; phone cached the old one.",
        "Great, thanks for confirming. Closing this now.",
    ),
    Topic(
        None,
        "Wi-Fi keeps dropping in the office",
        "The office Wi-Fi drops every half hour and everyone has to reconnect.",
        "Hi {first}, your router's firmware has a known fault. Could you read me the model on "
        "its label? We can update it during a short visit.",
        "It is the one on the shelf in the {place}; photo attached.",
        "Known firmware bug on this router; update and set a fixed channel.",
        "We updated the router and set a fixed channel; the Wi-Fi has stayed up all day.",
    ),
    Topic(
        "workstation",
        "Virus warning and pop-ups on my laptop",
        "My laptop keeps showing pop-ups saying it is infected and asking me to call a number.",
        "Hi {first}, please do not call that number. We will connect remotely, with your "
        "permission, to remove the adware and run a full scan.",
        "Thank you, I have not called them. You can connect now.",
        "Browser notification spam plus an adware extension; removed both, full scan clean.",
        "The laptop is clean: we removed a rogue browser extension and the pop-up permission.",
    ),
    Topic(
        "workstation",
        "Laptop very slow",
        "My laptop has become very slow, it takes five minutes to open anything.",
        "Hi {first}, I can look at it in a remote session; you will be asked to allow it, and "
        "you can end it at any time.",
        "Allowed, go ahead.",
        "Disk 98% full and three start-up programs; cleaned up.",
        "We freed up disk space and removed programs that started with the laptop.",
    ),
    Topic(
        "workstation",
        "New laptop for a new starter",
        "We have someone starting on Monday; can you set up a laptop with email and Office?",
        "Hi {first}, of course. We will bring it set up with their account; what is their "
        "name and which shared folders do they need?",
        "The finance folder only, thanks.",
        "Standard build; map the finance share; MFA enrolment on day one.",
        "The laptop is ready and set up; we will help them enrol MFA on Monday morning.",
    ),
)
HELP_DESK: tuple[Topic, ...] = (
    Topic(
        None,
        "Website is down",
        "Our website has been showing an error page since this morning.",
        "Hi {first}, the hosting certificate expired overnight. I have renewed it; could you "
        "check the site again?",
        "It is back, thank you!",
        "Certificate auto-renewal failed on DNS validation; renewed by hand.",
        "Glad it is back. We turned on an expiry alert for next time.",
    ),
    Topic(
        None,
        "Emails bounce back",
        "Mail we send to one of our suppliers bounces with 'message rejected'.",
        "Hi {first}, their server rejects mail that fails the sender check. I have added the "
        "missing record to your domain; please try again in an hour.",
        "It went through this time.",
        "SPF record missing the mail provider's include; added.",
        "Thanks for confirming; closing this one.",
    ),
    Topic(
        None,
        "Password reset",
        "I am locked out of my account after too many wrong passwords.",
        "Hi {first}, I have unlocked the account. You will get a link to set a new password.",
        "Got it, I am back in.",
        "Caller identity checked against the account details before unlocking.",
        "Great. Remember you can reset it yourself from the sign-in page too.",
    ),
    Topic(
        None,
        "Software licence will not activate",
        "The office software says my licence cannot be activated on this computer.",
        "Hi {first}, your licence is still tied to your old computer. I have released it; "
        "please sign out and in again.",
        "That worked, thanks.",
        "Old device still held the seat; released it in the admin portal.",
        "All sorted. Ask us whenever you move to a new computer.",
    ),
)
PORTAL = Topic(
    None,
    "Cannot sign in to the portal",
    "I can't sign in to the customer portal, it says my password is wrong.",
    "Hi {first}, you can set a new password from the sign-in page. If the link does not "
    "arrive, check the spam folder.",
    "Found it in spam, I am in now.",
    "Customer used an old bookmark; nothing wrong with the account.",
    "Great, I will close this one.",
)
INVOICE = Topic(
    None,
    "Question about our last invoice",
    "Our last invoice lists two visits but we only remember one. Can you check?",
    "Hi {first}, thanks for asking. The second line was a remote session on the same day; "
    "I can send you the details.",
    "Ah yes, that makes sense now. Thank you.",
    "Invoice is correct; remote session was logged under the same ticket.",
    "You are welcome. Nothing to change on the invoice.",
)
