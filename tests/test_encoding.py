"""Decoding bodies: header, meta, BOM, or nothing declared (Big5/CP950 pages)."""

from __future__ import annotations

import pytest

from aggregator.core.encoding import canonical, decode_body, header_charset

TEXT = "113年5月7日 國際地緣政治風險與我國出口管制規定宣導說明會 碁"  # 碁 is CP950-only


def page(meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{TEXT}</p></body></html>"


@pytest.mark.parametrize(("body", "headers"), [
    (page().encode("cp950"), {"Content-Type": "text/html; charset=big5"}),
    (page().encode("cp950"), {"content-type": "text/html; charset=\"BIG5\""}),
    (page('<meta charset="big5">').encode("cp950"), {}),
    (page('<meta http-equiv="Content-Type" content="text/html; charset=big5">').encode("cp950"),
     {"Content-Type": "text/html"}),
    (page().encode("cp950"), {}),
    (page().encode("utf-8"), {}),
    (page('<meta charset="big5">').encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"}),
    (b"\xef\xbb\xbf" + page().encode("utf-8"), {"Content-Type": "text/html; charset=big5"}),
    (page().encode("utf-16"), {}),
])
def test_decodes_chinese_whatever_the_declaration(body: bytes, headers: dict[str, str]) -> None:
    assert TEXT in decode_body(body, headers)


def test_wrong_declaration_falls_back() -> None:
    body = page().encode("utf-8")
    assert TEXT in decode_body(body, {"Content-Type": "text/html; charset=ascii"})


def test_junk_never_raises() -> None:
    assert isinstance(decode_body(bytes(range(256)) * 3, {}), str)


def test_helpers() -> None:
    assert header_charset({"Content-Type": "application/json; charset=UTF-8"}) == "UTF-8"
    assert header_charset({"Content-Type": "text/html"}) is None
    assert canonical("Big5") == "cp950" and canonical(None) is None
