"""Devices with telemetry, service records and maintenance schedules: part of a demo load.
Only for a trade that keeps a device inventory, and only the kinds of readings and records
the policy holds."""

import json
from datetime import date, timedelta

from steward.core.ids import new_id
from steward.demo.base import _Core, _Device, _moment, _Org, _Person
from steward.demo.content import LOCATIONS, MAKES, PREFERRED_TIMES, SERVICE_WORK, SYSTEMS
from steward.demo.trades import DEVICES
from steward.desk.models import Device, MaintenanceSchedule, ServiceRecord, Telemetry

TELEMETRY = {  # the category of each kind of reading
    "runtime": "system.runtime_log",
    "print_job": "system.print_job_metadata",
    "diagnostic": "system.logs",
}


class _DevicePhases(_Core):
    """Devices with telemetry, service records and maintenance schedules."""

    def devices(self) -> None:
        if not self.trade.org_devices or not self.holds(*DEVICES):
            return
        devices: list[Device] = []
        readings: list[Telemetry] = []
        for org in self.orgs:
            for kind, (fewest, most) in self.trade.org_devices.items():
                for _ in range(self.rng.randint(fewest, most)):
                    user = None
                    if kind == "workstation" and org.end_users:
                        user = self.rng.choice(org.end_users)
                    org.devices.append(self.device(kind, org.id, org, None, user))
        for p in self.individuals:
            self.person_devices[p.id] = [
                self.device(kind, p.id, None, p, p)
                for kind, chance in self.trade.own_devices.items()
                if self.rng.random() < chance
            ]
        everything = [d for o in self.orgs for d in o.devices] + [
            d for ds in self.person_devices.values() for d in ds
        ]
        for d in everything:
            make, model = self.rng.choice(MAKES[d.type])
            config = {
                "location": self.rng.choice(LOCATIONS),
                "warranty_years": self.rng.choice((1, 3, 5)),
            }
            if d.type == "generator":
                config |= {
                    "fuel": self.rng.choice(("natural gas", "propane", "diesel")),
                    "transfer_switch": "automatic",
                }
            devices.append(
                Device(
                    id=d.id,
                    owner_id=d.owner_id,
                    organisation_id=d.organisation_id,
                    person_id=d.person_id,
                    assigned_to_id=d.user.id if d.user else None,
                    type=d.type,
                    make=make,
                    model=model,
                    serial_number=self.serial(),
                    ip_address=d.ip,
                    mac_address=self.mac(),
                    hostname=d.hostname,
                    operating_system=self.rng.choice(SYSTEMS.get(d.type, ("",))) or None,
                    configuration=json.dumps(config),
                    created_at=d.created_at,
                )
            )
            readings.extend(self.telemetry(d))
        self.save(devices)
        self.save(readings)

    def device(
        self,
        kind: str,
        owner_id: str,
        org: _Org | None,
        person: _Person | None,
        user: _Person | None,
    ) -> _Device:
        since = org.created_at if org else person.created_at if person else self.start
        prefix = {"printer": "PRN", "generator": "GEN", "workstation": "WS", "server": "SRV"}.get(
            kind, "NET"
        )
        hostname = f"{prefix}-{self.rng.randint(1, 250):03d}"
        ip = f"192.168.{self.rng.randint(0, 20)}.{self.rng.randint(2, 254)}"
        return _Device(
            new_id(),
            kind,
            owner_id,
            hostname,
            ip,
            since + timedelta(days=self.rng.uniform(0, 30)),
            org.id if org else None,
            person.id if person else None,
            user,
        )

    def telemetry(self, d: _Device) -> list[Telemetry]:
        """Readings spread evenly over the device's life, so the oldest are years old."""
        n = self.rng.randint(4, 10)
        span = (self.now - d.created_at) / n
        rows = []
        for i in range(n):
            at = d.created_at + span * i + span * self.rng.random()
            row = Telemetry(device_id=d.id, owner_id=d.owner_id, recorded_at=at)
            kind = {"generator": "runtime", "printer": "print_job"}.get(d.type, "diagnostic")
            if not self.holds(TELEMETRY[kind]):
                continue
            if kind == "runtime":
                row.kind = "runtime"
                row.runtime = (
                    f"engine_hours={40 * (i + 1) + self.rng.randint(0, 30)} "
                    f"load_pct={self.rng.randint(0, 85)} fuel_pct={self.rng.randint(35, 100)} "
                    f"battery_v={self.rng.uniform(12.1, 13.8):.1f} "
                    f"state={self.rng.choice(('standby', 'exercising', 'running on utility outage'))}"
                )
            elif kind == "print_job":
                row.kind = "print_job"
                user = d.user.username if d.user else self.fake.user_name()
                row.print_job = (
                    f"job={self.rng.randint(1000, 99999)} pages={self.rng.randint(1, 120)} "
                    f"colour={self.rng.choice(('yes', 'no'))} duplex={self.rng.choice(('yes', 'no'))} "
                    f'user={user} document="{self.fake.word()}.pdf"'
                )
            else:
                row.kind = "diagnostic"
                row.diagnostic = self.rng.choice(
                    (
                        f"WARN disk C: {self.rng.randint(85, 98)}% used",
                        f"ERROR VPN tunnel to 203.0.113.{self.rng.randint(1, 254)} dropped (IKE timeout)",
                        "INFO Windows Update installed, restart pending",
                        f"WARN SMART reallocated sectors={self.rng.randint(1, 40)} on disk 0",
                        "ERROR backup job 'Nightly' failed: target unreachable",
                        f"INFO uptime {self.rng.randint(1, 200)} days, CPU {self.rng.randint(3, 60)}%",
                    )
                )
            rows.append(row)
        return rows

    # --- service records and schedules -----------------------------------------------------

    def service(self) -> None:
        records: list[ServiceRecord] = []
        schedules: list[MaintenanceSchedule] = []
        today = self.now.date()
        owners = [(o.id, None, o.devices) for o in self.orgs] + [
            (None, p.id, self.person_devices.get(p.id, [])) for p in self.individuals
        ]
        recorded = self.holds("system.service_record")
        times = self.holds("user.preferences.service_times")
        for org_id, person_id, devices in owners:
            for d in devices:
                interval = {"generator": 180, "printer": 90, "server": 365}.get(d.type)
                visits = self.visits(d, interval)
                for day in visits if recorded else ():
                    records.append(
                        ServiceRecord(
                            owner_id=d.owner_id,
                            organisation_id=org_id,
                            person_id=person_id,
                            device_id=d.id,
                            technician_id=self.agent().account_id,
                            visited_on=day,
                            work_done=self.rng.choice(SERVICE_WORK[d.type]),
                            next_due_on=day + timedelta(days=interval) if interval else None,
                            created_at=_moment(day, self.now),
                        )
                    )
                if interval:
                    last = visits[-1] if visits else d.created_at.date()
                    schedules.append(
                        MaintenanceSchedule(
                            device_id=d.id,
                            owner_id=d.owner_id,
                            interval_days=interval,
                            next_due_on=max(
                                last + timedelta(days=interval), today - timedelta(days=30)
                            ),
                            preferred_times=self.rng.choice(PREFERRED_TIMES)
                            if times and self.rng.random() < 0.7
                            else None,
                            created_at=d.created_at,
                        )
                    )
        self.save(records)
        self.save(schedules)

    def visits(self, d: _Device, interval: int | None) -> list[date]:
        """Regular visits for equipment under a plan; an odd repair for the rest."""
        if interval is None:
            if self.rng.random() < 0.3:
                return [self.between(d.created_at, self.now).date()]
            return []
        days: list[date] = []
        day = d.created_at.date() + timedelta(days=interval)
        while day <= self.now.date() and (d.type == "generator" or self.rng.random() < 0.5):
            days.append(day)
            day += timedelta(days=interval + self.rng.randint(-10, 10))
        return days
