"""A hard but legitimate set of stored events for the client interop tests: daylight-saving
gaps and repeated hours in eleven zones, Casablanca's Ramadan hours, half-hour and 45-minute
offsets, all-day and multi-day events, cancelled, postponed and tentative ones, long Chinese
titles, and hostile text (line and paragraph separators, controls, an injected END:VEVENT,
non-ASCII and ``javascript:`` links). Composed here; every wall time was checked against
tzdata 2025 (the transition it sits on is named beside it).

A "gap" start is what a source hands over for a wall time that does not exist: zoneinfo
reads it with the offset before the change (``fold=0``), so it lands after the gap.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from aggregator.config import Config, parse_config
from aggregator.core.model import StoredEvent
from tests.feed_events import LONG_CHINESE, all_day, timed

TODAY = date(2026, 10, 1)  # window: 2026-07-03 to 2028-03-24
HOSTILE = ("議程\u2028第二行\u2029第三段\x85NEL; a, b\\c\r\nEND:VEVENT\r\nBEGIN:VEVENT\x00\x1b"
           "\u202e RLO")
ORGANIZATIONS: dict[str, dict[str, Any]] = {
    "WTO": {"short_name": "WTO", "name": "World Trade Organization", "name_zh": "世界貿易組織",
            "section": "WTO", "timezone": "Europe/Zurich"},
    "IMF": {"short_name": "IMF", "name": "International Monetary Fund",
            "name_zh": "國際貨幣基金", "section": "APEC 及其他國際組織",
            "timezone": "America/New_York"},
    "WorldBank": {"short_name": "World Bank", "name": "World Bank", "name_zh": "世界銀行",
                  "section": "APEC 及其他國際組織", "timezone": "America/New_York"},
    "APEC": {"short_name": "APEC", "name": "Asia-Pacific Economic Cooperation",
             "name_zh": "亞太經濟合作", "section": "APEC 及其他國際組織",
             "timezone": "America/Santiago"},
    "CPTPP": {"short_name": "CPTPP", "name_zh": "跨太平洋夥伴全面進步協定", "section": "RTA"},
    "TRADE": {"short_name": "國際貿易署", "name": "International Trade Administration, MOEA",
              "name_zh": "經濟部國際貿易署", "timezone": "Asia/Taipei"},
    "UNCTAD": {"short_name": "UNCTAD", "name": "UN Trade and Development",
               "name_zh": "聯合國貿易和發展會議", "timezone": "Africa/Casablanca"},
}


def hard_set() -> list[StoredEvent]:
    """The events (module docstring); UIDs are unique."""
    ny, zrh, dub = "America/New_York", "Europe/Zurich", "Europe/Dublin"
    scl, lhi, nuuk = "America/Santiago", "Australia/Lord_Howe", "America/Nuuk"
    jlm, cht, ktm = "Asia/Jerusalem", "Pacific/Chatham", "Asia/Kathmandu"
    cas, cai = "Africa/Casablanca", "Africa/Cairo"
    return [
        # New York: 2026-11-01 01:00-02:00 twice; 2027-03-14 02:00-03:00 missing
        timed("ny-repeated-first", ny, datetime(2026, 11, 1, 1, 15), 1, organization="IMF"),
        timed("ny-repeated-second", ny, datetime(2026, 11, 1, 1, 15, fold=1), 1,
              organization="IMF"),
        timed("ny-across-fallback", ny, datetime(2026, 10, 31, 23, 30), 4, organization="IMF"),
        timed("ny-gap-start", ny, datetime(2027, 3, 14, 2, 30), 1, organization="WorldBank",
              title="Global AI and Digital Summit"),
        # Zurich: 2026-10-25 02:00-03:00 twice; 2027-03-28 02:00-03:00 missing
        timed("zrh-repeated", zrh, datetime(2026, 10, 25, 2, 30), 1, title=LONG_CHINESE),
        timed("zrh-gap-start", zrh, datetime(2027, 3, 28, 2, 15), 2, status="tentative"),
        # Dublin (negative DST in tzdata): 2026-10-25 01:00-02:00 twice; 2027-03-28 gap
        timed("dub-repeated", dub, datetime(2026, 10, 25, 1, 30), 1, organization="CPTPP"),
        timed("dub-gap-start", dub, datetime(2027, 3, 28, 1, 30), 1, organization="CPTPP"),
        timed("dub-gap-longer", dub, datetime(2027, 3, 28, 1, 30), 2, organization="CPTPP",
              title="Dublin gap, longer"),
        # Santiago: 2027-04-03 23:00-24:00 twice; 2026-09-06 00:00-01:00 missing; BYMONTHDAY rules
        timed("scl-repeated", scl, datetime(2027, 4, 3, 23, 30), 1, organization="APEC"),
        timed("scl-gap-start", scl, datetime(2026, 9, 6, 0, 30), 3, organization="APEC"),
        timed("scl-plain", scl, datetime(2026, 11, 18, 9), 8, organization="APEC",
              title="APEC 部長會議 AMM, Santiago; Chile"),
        # Lord Howe: half-hour change; 2027-04-04 01:30-02:00 twice; 2026-10-04 02:00-02:30 gap
        timed("lhi-repeated", lhi, datetime(2027, 4, 4, 1, 45), 1),
        timed("lhi-gap-start", lhi, datetime(2026, 10, 4, 2, 15), 1),
        # Nuuk: 2026-10-24 23:00-24:00 twice (changes at -01:00 local); BYMONTHDAY rule
        timed("nuuk-repeated", nuuk, datetime(2026, 10, 24, 23, 30), 1),
        timed("nuuk-plain", nuuk, datetime(2027, 6, 21, 10), 2),
        # Jerusalem: 2027-10-31 01:00-02:00 twice; 2027-03-26 02:00-03:00 missing
        timed("jlm-repeated", jlm, datetime(2027, 10, 31, 1, 30), 1),
        timed("jlm-gap-start", jlm, datetime(2027, 3, 26, 2, 30), 1),
        # Chatham (+12:45/+13:45): 2027-04-04 02:45-03:45 twice; 2026-09-27 02:45-03:45 gap
        timed("cht-repeated", cht, datetime(2027, 4, 4, 3, 15), 1),
        timed("cht-gap-start", cht, datetime(2026, 9, 27, 3, 0), 1),
        # Kathmandu (+05:45, no DST)
        timed("ktm", ktm, datetime(2026, 12, 3, 9, 15), 2, organization="TRADE"),
        # Casablanca: +00 in Ramadan 2027 (02-07 03:00 -> 02:00, 03-14 02:00 -> 03:00)
        timed("cas-across-ramadan", cas, datetime(2027, 2, 6, 22), 12, organization="UNCTAD"),
        timed("cas-in-ramadan", cas, datetime(2027, 2, 20, 10), 3, organization="UNCTAD"),
        timed("cas-repeated", cas, datetime(2027, 2, 7, 2, 30), 1, organization="UNCTAD"),
        timed("cas-gap-start", cas, datetime(2027, 3, 14, 2, 30), 1, organization="UNCTAD"),
        timed("cas-after", cas, datetime(2027, 4, 12, 9), 2, organization="UNCTAD"),
        # Cairo: last Thursday of October 23:00-24:00 twice (no yearly RRULE states it)
        timed("cai-repeated", cai, datetime(2026, 10, 29, 23, 30), 1, organization="CPTPP"),
        timed("cai-gap-start", cai, datetime(2027, 4, 30, 0, 30), 1, organization="CPTPP"),
        # all-day, multi-day, statuses, long and hostile text
        all_day("mc15", date(2027, 3, 26), date(2027, 3, 29), title="第十五屆部長會議 MC15"),
        all_day("one-day", date(2026, 12, 24), organization="TRADE", timezone="Asia/Taipei",
                title=LONG_CHINESE + "；" + LONG_CHINESE),
        all_day("cancelled", date(2026, 11, 5), date(2026, 11, 6), status="cancelled"),
        timed("postponed", zrh, datetime(2026, 11, 12, 10), 3, status="postponed",
              title="General Council; 延期"),
        timed("hostile", ny, datetime(2026, 12, 8, 9), 2, organization="IMF", title=HOSTILE,
              location=HOSTILE, description=HOSTILE + "\n" + LONG_CHINESE,
              url="https://www.imf.org/zh/活動/會議 2026?名稱=貿易&x=é#第一"),
        timed("idn-link", ny, datetime(2026, 12, 9, 9), 1, organization="WorldBank",
              url="https://例え.テスト/會議", kind="seminar"),
        timed("script-link", ny, datetime(2026, 12, 10, 9), 1, organization="WorldBank",
              url="javascript:alert(1)", kind="hearing"),
        timed("deadline", "Asia/Taipei", datetime(2026, 12, 11, 17), 0, organization="TRADE",
              kind="deadline", title="報名截止 Registration closes"),
    ]


def hard_config(tmp_path: Path) -> Config:
    """The organizations above; the feed windows of the hard set's ``TODAY``."""
    return parse_config({"feeds": {"output": "public", "past_days": 90, "future_days": 540},
                         "organizations": ORGANIZATIONS}, tmp_path / "config.toml")
