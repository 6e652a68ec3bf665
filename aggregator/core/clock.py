"""The one clock of tradecal: the current instant, and which day it is in a given zone.

Every module that needs the calendar time asks this one: the store's stamps, the feeds'
window, the sources' "today" (handed to them by the refresh, never read by them), the
schedule's next run. Elapsed-time measurement (timeouts, back-off, durations) uses
``time.monotonic`` and is not the clock's business.

The clock can be stopped at one instant by setting ``TRADECAL_NOW`` to an ISO 8601 time
with an offset (``2027-03-10T22:30:00Z``). Tests use it to run at a chosen moment; an
operator can use it to replay a past run. Because it lives in the environment, a child
process started by a test runs at the same instant.

Example::

    >>> import os
    >>> os.environ["TRADECAL_NOW"] = "2027-03-10T22:30:00Z"
    >>> now().isoformat()
    '2027-03-10T22:30:00+00:00'
    >>> today("Asia/Taipei").isoformat()
    '2027-03-11'
    >>> today("UTC").isoformat()
    '2027-03-10'
    >>> del os.environ["TRADECAL_NOW"]
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

NOW_VARIABLE = "TRADECAL_NOW"
"""The environment variable that stops the clock at an ISO 8601 instant."""


class ClockError(ValueError):
    """``TRADECAL_NOW`` holds something that is not an ISO 8601 time with an offset."""


def _stopped_at() -> datetime | None:
    """The instant ``TRADECAL_NOW`` names, or None when the clock runs."""
    value = os.environ.get(NOW_VARIABLE, "").strip()
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as error:
        raise ClockError(f"{NOW_VARIABLE}={value!r} is not an ISO 8601 time") from error
    if instant.tzinfo is None:
        raise ClockError(f"{NOW_VARIABLE}={value!r} needs an offset, e.g. Z or +08:00")
    return instant.astimezone(UTC)


def system_now() -> datetime:
    """The machine's own clock in UTC, never stopped by ``TRADECAL_NOW``: for comparing with
    times that others wrote by that clock (a server's Retry-After date, a file's
    modification time), never for deciding what day it is."""
    return datetime.now(UTC)


def now_exact() -> datetime:
    """The current instant in UTC, with microseconds."""
    return _stopped_at() or system_now()


def now() -> datetime:
    """The current instant in UTC, to the second (what the store and the feeds stamp)."""
    return now_exact().replace(microsecond=0)


def zone_of(zone: str | tzinfo) -> tzinfo:
    """A zone given by IANA name or as a tzinfo."""
    return ZoneInfo(zone) if isinstance(zone, str) else zone


def local_now(zone: str | tzinfo | None = None) -> datetime:
    """The current wall-clock time in ``zone`` (IANA name or tzinfo; None: this machine's
    zone), to the second."""
    return now().astimezone(zone_of(zone) if zone is not None else None)


def today(zone: str | tzinfo | None = None) -> date:
    """Today's date in ``zone`` (None: this machine's zone). A venue's today is
    ``today(venue zone)``; the newsletter desk's is ``today(config.home_zone)``."""
    return local_now(zone).date()
