"""The agenda (``index.html``): upcoming meetings by week, and within a week by the
newsletter's sections, each with its own anchor and "add to calendar" links.

The whole list is plain HTML (readable without JavaScript); the filter form is ``hidden``
until ``site.js`` shows it and narrows the list by organization, section and words. Each
event's ``data-org``, ``data-section`` and ``data-search`` (its words, lower-case) are what
the script filters on.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from feeds.html import escape
from feeds.site.layout import Frame, bilingual, lang_of, page
from feeds.site.links import Subscribe, add_links, is_web_url
from feeds.site.model import STATUS_MARKS, SiteEvent, date_text, time_text, week_title

MORE_WAYS = bilingual("各組織、分類與更多方式", "By organization, section, more ways")
SUBSCRIBE_LINE = ("訂閱後，行事曆程式每隔幾小時自動取得新增與變更的活動。"
                  '<span lang="en">Subscribe once: new and changed meetings arrive by '
                  "themselves, every few hours.</span>")


def agenda_page(frame: Frame, events: Sequence[SiteEvent], sections: Sequence[str],
                everything: Subscribe, base_url: str, jsonld: str) -> str:
    """``index.html``: the subscribe box for everything, the filters, the agenda."""
    body = [_subscribe_box(everything), _filters(events, sections)]
    if not events:
        body.append('<p class="empty">目前沒有即將舉行的活動。<span lang="en">No upcoming '
                    "meetings yet.</span></p>")
    body.append('<div id="agenda">')
    for monday, week in groupby(events, key=lambda item: item.week):
        body.append(_week(monday, list(week), sections, base_url))
    body.append("</div>")
    body.append('<p id="no-match" class="empty" hidden>沒有符合的活動。'
                '<span lang="en">No meeting matches.</span></p>')
    head = f'<script type="application/ld+json">{jsonld}</script>\n'
    return page(frame, "index.html", frame.site_title, "\n".join(body), head)


def _subscribe_box(links: Subscribe) -> str:
    return (f'<section class="callout" aria-labelledby="sub-all"><h2 id="sub-all">'
            f'{bilingual("訂閱全部活動", "Subscribe to everything")}</h2>\n'
            f"<p>{SUBSCRIBE_LINE}</p>\n"
            f'<p class="buttons" data-feed="all.ics" data-url="{escape(links.url)}" '
            f'data-name="{escape(links.name)}">'
            f'<a class="button" data-sub="google" href="{escape(links.google)}">Google 日曆</a> '
            f'<a class="button" data-sub="outlook" href="{escape(links.outlook)}">'
            f"Outlook.com</a> "
            f'<a class="button" data-sub="webcal" href="{escape(links.webcal)}">'
            f"Apple 行事曆</a> "
            f'<a href="subscribe.html">{MORE_WAYS}</a>'
            f"</p></section>")


def _filters(events: Sequence[SiteEvent], sections: Sequence[str]) -> str:
    organizations = sorted({(item.organization, item.organizer) for item in events},
                           key=lambda pair: pair[1])
    org_options = "".join(f'<option value="{escape(key)}">{escape(name)}</option>'
                          for key, name in organizations)
    used = {item.section for item in events}
    section_options = "".join(f'<option value="{escape(name)}">{escape(name)}</option>'
                              for name in sections if name in used)
    return f"""<form id="filters" class="filters" role="search" hidden>
<label><span>{bilingual("組織", "Organization")}</span>
<select id="f-org"><option value="">全部 All</option>{org_options}</select></label>
<label><span>{bilingual("分類", "Section")}</span>
<select id="f-section"><option value="">全部 All</option>{section_options}</select></label>
<label><span>{bilingual("搜尋", "Search")}</span>
<input id="f-text" type="search" autocomplete="off"></label>
<p id="f-count" role="status">{len(events)} 場活動 <span lang="en">events</span></p>
</form>"""


def _week(monday: object, week: list[SiteEvent], sections: Sequence[str],
          base_url: str) -> str:
    zh, en = week_title(week[0].week)
    parts = [f'<section class="week" aria-label="{escape(zh)}"><h2>{escape(zh)} '
             f'<span lang="en">{escape(en)}</span></h2>']
    for section in sections:
        members = [item for item in week if item.section == section]
        if members:
            parts.append(f'<section class="group" data-group="{escape(section)}">'
                         f"<h3>{escape(section)}</h3>\n<ol class=\"events\">")
            parts.extend(event_item(item, base_url) for item in members)
            parts.append("</ol></section>")
    parts.append("</section>")
    return "\n".join(parts)


def event_item(item: SiteEvent, base_url: str) -> str:
    """One event: date, times, title (linked), marks, organizer, place, deadline, links."""
    event = item.stored.event
    marks = "".join(f'<span class="mark mark-{key}">{bilingual(*STATUS_MARKS[key])}</span> '
                    for key in item.marks)
    title = escape(item.title)
    if is_web_url(event.url):
        title = f'<a href="{escape(event.url.strip())}">{title}</a>'
    clock = time_text(item)
    facts = [("主辦", "Organizer", escape(item.organizer))]
    if event.location.strip():
        facts.append(("地點", "Place", escape(event.location.strip())))
    if event.registration_deadline:
        deadline = event.registration_deadline
        facts.append(("報名截止", "Register by",
                      f'<time datetime="{deadline.isoformat()}">{deadline.month}/'
                      f"{deadline.day}</time>"))
    if is_web_url(event.registration_url):
        facts.append(("報名", "Registration",
                      f'<a href="{escape(event.registration_url.strip())}">報名網頁 '
                      '<span lang="en">Register</span></a>'))
    facts_html = "".join(f"<div><dt>{bilingual(zh, en)}</dt><dd>{value}</dd></div>"
                         for zh, en, value in facts)
    links = add_links(item, f"{base_url}index.html#{item.anchor}")
    search = " ".join([item.title, item.organizer, item.organization, event.location,
                       item.section]).lower()
    status = " ".join(f"is-{key}" for key in item.marks)
    return (f'<li class="event {status}" id="{item.anchor}" data-org="{escape(item.organization)}" '
            f'data-section="{escape(item.section)}" data-search="{escape(search)}">\n'
            f'<p class="when"><time datetime="{item.first.isoformat()}">'
            f"{escape(date_text(item))}</time>"
            + (f' <span class="clock">{escape(clock)}</span>' if clock else "") + "</p>\n"
            f'<h4 class="title"{lang_of(item.title)}>{title}</h4>\n'
            + (f'<p class="marks">{marks}</p>\n' if marks else "")
            + f'<dl class="facts">{facts_html}</dl>\n'
            f'<p class="add">{bilingual("加入行事曆", "Add to calendar")}: '
            f'<a href="events/{item.ics_name}" download>.ics</a> · '
            f'<a href="{escape(links.google)}">Google</a> · '
            f'<a href="{escape(links.outlook)}">Outlook</a> · '
            f'<a href="#{item.anchor}">{bilingual("連結", "Link")}</a></p>\n</li>')
