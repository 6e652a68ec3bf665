"""One call for a date in any form a source may meet: ISO, slashes, ROC, Chinese, English.

:func:`find_any_dates` reads every form of :mod:`aggregator.core.dates.chinese` (Western and ROC
numbers, 年月日) and of :mod:`aggregator.core.dates.english` (month names) in one text, and
:func:`parse_any_date` gives the first date or range of a cell such as "日期：113/05/07（二）",
"2024-05-07T09:30:00+08:00" or "Tuesday, 7 May 2024".
"""

from __future__ import annotations

from datetime import date

from aggregator.core.dates.chinese import find_date_spans_zh
from aggregator.core.dates.english import find_dates
from aggregator.core.dates.spans import DateSpan, drop_overlaps, fold_width


def find_any_dates(text: str, reference: date | None = None) -> list[DateSpan]:
    """Every date and date range in ``text`` in any supported form, in text order (where two
    forms read the same text, the longer reading). Dates without a year need ``reference``."""
    folded = fold_width(text)
    return drop_overlaps(find_date_spans_zh(folded, reference) + find_dates(folded, reference))


def parse_any_date(text: str, reference: date | None = None) -> DateSpan | None:
    """The first date or date range written in ``text``, in any form; None when there is
    none (or only dates without a year and no ``reference``). Never raises."""
    spans = find_any_dates(text, reference)
    return spans[0] if spans else None
