"""An instrument's dates in its own time zone: entered and shown there, stored in UTC.

Each instrument names an IANA time zone (``Instrument.time_zone``; the ASEAN
Secretariat's, Asia/Jakarta, by default). A deadline typed as a day means
the end of that day there: 15 January 2027 in Asia/Jakarta is
2027-01-15 23:59:59 WIB, stored as 16:59:59 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from drafter.models import Instrument

#: The zone of instruments that name none: where the ASEAN Secretariat sits.
DEFAULT_ZONE = "Asia/Jakarta"

#: The last second of a day: a closing day is inclusive.
END_OF_DAY = time(23, 59, 59)


def zone_named(name: str | None) -> ZoneInfo:
    """The :class:`~zoneinfo.ZoneInfo` called ``name`` (IANA, e.g. "Asia/Bangkok").

    :raises ValueError: for a name that is not an IANA time zone.
    """
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"“{name}” is not a time zone name such as Asia/Jakarta.") from exc


def zone_of(instrument: Instrument) -> ZoneInfo:
    """The time zone ``instrument``'s dates are read and shown in (the default for an unknown name)."""
    try:
        return zone_named(instrument.time_zone)
    except ValueError:
        return ZoneInfo(DEFAULT_ZONE)


def zone_choices() -> list[str]:
    """Every IANA zone name this machine knows, Asia first (for a select list)."""
    names = sorted(available_timezones() - {"localtime", "Factory"})
    return [n for n in names if n.startswith("Asia/")] + [n for n in names if not n.startswith("Asia/")]


def to_utc(day: date, at: time | None, zone: ZoneInfo) -> datetime:
    """The UTC moment of ``day`` at ``at`` in ``zone``; without a time, the end of that day there.

    :param day: the calendar day in ``zone``.
    :param at: the local time of day, or ``None`` for 23:59:59.
    :param zone: the instrument's zone.
    :returns: an aware UTC datetime (seconds kept, microseconds 0).
    """
    local = datetime.combine(day, at if at is not None else END_OF_DAY, tzinfo=zone)
    return local.astimezone(UTC).replace(microsecond=0)


def aware(moment: datetime) -> datetime:
    """``moment`` as an aware datetime: SQLite returns naive ones, which are stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` (aware, or naive UTC) as local time in ``zone``."""
    return aware(moment).astimezone(zone)


def zone_abbreviation(moment: datetime, zone: ZoneInfo) -> str:
    """The zone's short name at ``moment`` ("WIB", "ICT"); "UTC+07:00" where the database has
    only a number ("+07") for it, as for several zones of the region."""
    local = in_zone(moment, zone)
    name = local.tzname() or ""
    if not name or name[0] in "+-":
        offset = local.utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset is not None else 0
        sign = "+" if minutes >= 0 else "-"
        return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return name


def format_moment(moment: datetime, zone: ZoneInfo) -> str:
    """``moment`` as a reader reads a deadline: "15 January 2027, 23:59 WIB".

    :param moment: an aware datetime (or a naive one in UTC).
    :param zone: the zone to show it in, named in the result.
    """
    local = in_zone(moment, zone)
    return f"{local.day} {local:%B %Y, %H:%M} {zone_abbreviation(moment, zone)}"


def format_day(moment: datetime, zone: ZoneInfo) -> str:
    """The day of ``moment`` in ``zone``: "15 January 2027"."""
    local = in_zone(moment, zone)
    return f"{local.day} {local:%B %Y}"


def local_day_and_time(moment: datetime | None, zone: ZoneInfo) -> tuple[date | None, time | None]:
    """Split ``moment`` into the day and time a form shows in ``zone`` (``None, None`` for none).

    The time is ``None`` when it is the end of the day, which a form leaves empty.
    """
    if moment is None:
        return None, None
    local = in_zone(moment, zone)
    at = local.time().replace(microsecond=0)
    return local.date(), (None if at == END_OF_DAY else at)


def zone_label(instrument: Instrument, now: datetime | None = None) -> str:
    """The zone ``instrument``'s forms read times in, for their labels: "Asia/Jakarta (WIB)".

    :param now: the moment whose abbreviation is shown (default now; zones with summer time change it).
    """
    zone = zone_of(instrument)
    return f"{zone.key} ({zone_abbreviation(now or datetime.now(UTC), zone)})"
