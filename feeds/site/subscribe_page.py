"""``subscribe.html``: each offered feed with its numbers and every way to subscribe, and
the QR codes (SVG, drawn by ``segno``) of the feeds' addresses.

Each feed's block carries ``data-feed`` (its file name), ``data-url`` and ``data-name``: the
page's script rebuilds the links from the address the page is served at, so they never point
at ``base_url``'s port when the site is served on another. The QR code encodes the
published address (``base_url``), the one a phone can reach; its caption says which.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import segno

from feeds.html import escape
from feeds.site.catalog import FeedCard
from feeds.site.layout import ATOM, EVENTS_JSON, Frame, bilingual, lang_of, page, updated_text
from feeds.site.links import Subscribe, subscribe_links
from feeds.site.model import date_text

GROUPS: tuple[tuple[str, str, str], ...] = (
    ("all", "全部", "Everything"), ("section", "電子報分類", "Newsletter sections"),
    ("organization", "各組織", "Organizations"))
ADVANCED = ("進階：各來源的行事曆與目前無活動的行事曆",
            "Advanced: feeds of each source, and calendars with no events now")
QR_SCALE = 4
QR_BORDER = 4
EXPLAIN = ("訂閱（而非下載）後，行事曆程式會每隔幾小時自動取得新增、改期與取消的活動。"
           '<span lang="en">Subscribing (rather than downloading) keeps your calendar '
           "current: added, moved and cancelled meetings arrive by themselves every few "
           "hours.</span>")


def qr_svg(url: str) -> tuple[bytes, int]:
    """The QR code of ``url`` as an SVG document, and its width (= height) in pixels."""
    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=QR_SCALE, border=QR_BORDER, dark="#000",
              light="#fff", xmldecl=True, title=url)
    width, _ = code.symbol_size(scale=QR_SCALE, border=QR_BORDER)
    return buffer.getvalue(), int(width)


def subscribe_page(frame: Frame, cards: Sequence[FeedCard], base_url: str,
                   qr_sizes: dict[str, int]) -> str:
    """The page; ``qr_sizes`` maps a feed's stem to its QR image's width."""
    main = [card for card in cards if not card.advanced]
    aside = [card for card in cards if card.advanced]
    body = [f'<p class="lead">{EXPLAIN}</p>', _howto()]
    for kind, zh, en in GROUPS:
        members = [card for card in main if card.spec.kind == kind]
        if members:
            body += [f"<h2>{bilingual(zh, en)}</h2>", '<ul class="feeds">',
                     *(feed_block(card, base_url, qr_sizes[card.stem]) for card in members),
                     "</ul>"]
    if aside:
        body += ['<details class="advanced"><summary>'
                 f'{bilingual(*ADVANCED)}'
                 '</summary>\n',
                 f'<h2>{bilingual("其他行事曆", "Other calendars")}</h2><ul class="feeds">',
                 *(feed_block(card, base_url, qr_sizes[card.stem]) for card in aside),
                 "</ul></details>"]
    body.append(_machine())
    return page(frame, "subscribe.html", "訂閱行事曆 Subscribe", "\n".join(body))


def _howto() -> str:
    rows = (("Google 日曆", "Google Calendar", "開啟後按「新增」；手機上的 Google 日曆會自動同步。",
             "Opens Google Calendar on the web; press Add. Phones sync by themselves."),
            ("Outlook.com、Microsoft 365", "Outlook", "以個人或公司帳號開啟並確認訂閱。",
             "Opens Outlook on the web with your personal or work account."),
            ("Apple 行事曆", "Apple Calendar", "在 iPhone、iPad 或 Mac 上點選即可訂閱（webcal）。",
             "Tap on an iPhone, iPad or Mac (webcal); Thunderbird opens it too."),
            ("其他程式", "Other apps", "複製網址，貼到行事曆程式的「由網址訂閱」。",
             "Copy the address into the app's 'subscribe from URL'."))
    items = "".join(f"<li><strong>{escape(zh)}</strong>"
                    f' <span lang="en">({escape(en)})</span>：{escape(text_zh)} '
                    f'<span lang="en">{escape(text_en)}</span></li>'
                    for zh, en, text_zh, text_en in rows)
    return f'<ul class="howto">{items}</ul>'


def feed_block(card: FeedCard, base_url: str, qr_width: int) -> str:
    """One feed: name, numbers, note, subscribe links, copy button, QR code."""
    links = subscribe_links(base_url + card.filename, card.spec.name)
    number = f"{card.upcoming} 場即將舉行 <span lang=\"en\">upcoming</span>"
    if card.count != card.upcoming:
        number += f"（共 {card.count} 筆 <span lang=\"en\">{card.count} in feed</span>）"
    facts = [number]
    if card.next_event:
        upcoming = card.next_event
        facts.append(f'{bilingual("下一場", "Next")}: <a href="index.html#{upcoming.anchor}">'
                     f"{escape(date_text(upcoming))} "
                     f"<span{lang_of(upcoming.title)}>{escape(upcoming.title)}</span></a>")
    facts.append(f'{bilingual("更新", "Updated")}: {escape(updated_text(card.updated))}')
    note = f'<p class="note">{escape(card.note)}</p>' if card.note else ""
    return (f'<li class="feed" id="feed-{escape(card.stem)}">'
            f"<h3{lang_of(card.label)}>{escape(card.label)}</h3>\n"
            f'<ul class="facts">{"".join(f"<li>{fact}</li>" for fact in facts)}</ul>{note}\n'
            + links_html(links, card.filename)
            + f'<details class="qr"><summary>{bilingual("手機掃描 QR code", "Scan with a phone")}'
            f'</summary><figure><img src="qr/{escape(card.stem)}.svg" width="{qr_width}" '
            f'height="{qr_width}" alt="QR code: {escape(links.url)}" loading="lazy">'
            f"<figcaption>{escape(links.url)}</figcaption></figure></details></li>")


def links_html(links: Subscribe, filename: str) -> str:
    """The subscribe buttons, the address field and the copy button of one feed."""
    field_id = "url-" + filename.removesuffix(".ics")
    return (f'<div class="subscribe" data-feed="{escape(filename)}" '
            f'data-url="{escape(links.url)}" data-name="{escape(links.name)}">\n'
            f'<p class="buttons"><a class="button" data-sub="google" href="{escape(links.google)}">'
            f"Google 日曆</a> "
            f'<a class="button" data-sub="outlook" href="{escape(links.outlook)}">Outlook.com</a> '
            f'<a class="button" data-sub="office" href="{escape(links.office)}">Microsoft 365</a> '
            f'<a class="button" data-sub="webcal" href="{escape(links.webcal)}">'
            f"Apple 行事曆・webcal</a></p>\n"
            f'<p class="copyline"><label for="{escape(field_id)}">{bilingual("網址", "Address")}'
            f'</label> <input id="{escape(field_id)}" class="url" readonly '
            f'value="{escape(links.url)}"> <button type="button" class="copy" '
            f'data-target="{escape(field_id)}">{bilingual("複製", "Copy")}</button></p>\n</div>\n')


def _machine() -> str:
    heading = bilingual("給網站與程式", "For sites and programs")
    data = bilingual("全部活動，schema.org Event（JSON-LD）",
                     "all events as schema.org Events (JSON-LD)")
    atom = bilingual("新增與變更的會議，給 RSS 閱讀器", "new and changed meetings, for feed readers")
    return (f'<section class="machine"><h2>{heading}</h2>'
            f'<ul><li><a href="{EVENTS_JSON}">events.json</a>：{data}</li>'
            f'<li><a href="{ATOM}">Atom</a>：{atom}</li></ul></section>')
