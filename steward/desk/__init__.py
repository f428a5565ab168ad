"""The service desk: organisations, tickets, messages, calls, remote sessions, devices,
service records and billing, every personal field reached through the access gate."""
