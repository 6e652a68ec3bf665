"""Every date and time reading of tradecal, in one package.

- :mod:`~aggregator.core.dates.english`: English dates in prose ("May 29, 2024", "22 - 23 July
  2024"), sentences, dated headings.
- :mod:`~aggregator.core.dates.chinese`: Chinese, ROC (民國) and numeric dates and ranges
  ("113年5月7日至5月9日", "2024/05/07~05/09", "5/7(二)").
- :mod:`~aggregator.core.dates.times`: times and time ranges ("9:30 a.m.", "14:00~16:00",
  "下午2時30分"); "TBC" / "待定" mean an unknown time.
- :mod:`~aggregator.core.dates.anydate`: one call for a date in any of these forms.

Import from here: ``from aggregator.core.dates import parse_any_date, parse_time_range``.
"""

from aggregator.core.dates.anydate import find_any_dates, parse_any_date
from aggregator.core.dates.chinese import ROC_OFFSET, find_date_spans_zh, roc_year
from aggregator.core.dates.english import (
                                      MONTHS,
                                      DatedSection,
                                      find_dates,
                                      month_number,
                                      parse_month_day_year,
                                      split_at_date_headings,
                                      split_sentences,
)
from aggregator.core.dates.spans import DateSpan, TimeSpan, fold_width, nearest_date, nearest_date_on_weekday
from aggregator.core.dates.times import (
                                      find_all_times,
                                      find_time,
                                      find_times,
                                      find_times_zh,
                                      parse_time,
                                      parse_time_range,
                                      time_unknown,
)

__all__ = [
    "MONTHS", "ROC_OFFSET", "DateSpan", "DatedSection", "TimeSpan", "find_all_times",
    "find_any_dates", "find_date_spans_zh", "find_dates", "find_time", "find_times",
    "find_times_zh", "fold_width", "month_number", "nearest_date", "nearest_date_on_weekday",
    "parse_any_date", "parse_month_day_year", "parse_time", "parse_time_range", "roc_year",
    "split_at_date_headings", "split_sentences", "time_unknown",
]
