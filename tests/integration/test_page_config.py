"""The staff pages' data block of limits and languages (issue 9): no script hard-codes them, so
what the pages say must be the server's own constants, named in the colleague's language."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

from chat.core_api import LANGUAGES, MAX_CHAT_LIMIT, MAX_SUMMARY_CHARS, MAX_TEXT_CHARS
from tests.integration.conftest import Team

_BLOCK = re.compile(r'<script type="application/json" id="page-config">(.*?)</script>', re.S)


def _config(page: str) -> dict[str, Any]:
    found = _BLOCK.findall(page)
    assert len(found) == 1, "one page-config block"
    config: dict[str, Any] = json.loads(found[0])
    return config


@pytest.mark.parametrize("path", ["/console", "/admin", "/admin/canned", "/console/account"])
def test_each_staff_page_carries_the_servers_limits(team: Team, path: str) -> None:
    page = team.http["sigrid"].get(path, headers={"accept-language": "sv"})
    assert page.status_code == 200
    config = _config(page.text)
    assert config["limits"] == {
        "message_chars": MAX_TEXT_CHARS,
        "summary_chars": MAX_SUMMARY_CHARS,
        "chat_limit_max": MAX_CHAT_LIMIT,
    }
    assert [lang["code"] for lang in config["languages"]] == [lang.code for lang in LANGUAGES]
    assert {lang["code"]: lang["dir"] for lang in config["languages"]} == {
        lang.code: lang.dir for lang in LANGUAGES
    }


def test_every_language_is_named_in_the_colleagues_language(team: Team) -> None:
    anna = team.http["anna"]
    swedish = _config(anna.get("/console", headers={"accept-language": "sv"}).text)
    named = {lang["code"]: lang["name"] for lang in swedish["languages"]}
    assert named == {
        "sv": "svenska",
        "en": "engelska",
        "ar": "arabiska",
        "fa": "persiska",
        "so": "somaliska",
        "ckb": "sorani",
        "ti": "tigrinja",
    }
    # A directory entry's language beyond the service's own is named too.
    assert swedish["language_names"]["de"] == "tyska"
    assert swedish["language_names"]["fa"] == "persiska"

    assert anna.post("/console/account/language", data={"lang": "en"}).status_code == 200
    try:
        english = _config(anna.get("/console").text)
    finally:
        anna.post("/console/account/language", data={"lang": "sv"})
    assert {lang["code"]: lang["name"] for lang in english["languages"]}["ckb"] == "Sorani"
    assert english["language_names"]["de"] == "German"


def test_the_referral_and_canned_forms_offer_every_language(team: Team) -> None:
    console = team.http["anna"].get("/console", headers={"accept-language": "sv"}).text
    refer = re.search(r'<select class="cp-refer-lang">(.*?)</select>', console, re.S)
    assert refer
    offered = re.findall(r'<option value="(\w*)">([^<]*)</option>', refer.group(1))
    assert [code for code, _ in offered] == ["", *(lang.code for lang in LANGUAGES)]
    assert ("fa", "persiska") in offered

    canned = team.http["sigrid"].get("/admin/canned", headers={"accept-language": "sv"}).text
    form = re.search(r'<form [^>]*id="canned-add">(.*?)</form>', canned, re.S)
    assert form
    langs = re.findall(r'<option value="(\w+)">', form.group(1))
    assert langs == [lang.code for lang in LANGUAGES]


def test_a_canned_reply_in_persian_is_kept_and_written_right_to_left(team: Team) -> None:
    sigrid = team.http["sigrid"]
    title = "منابع"
    added = sigrid.post(
        "/admin/canned", data={"lang": "fa", "title": title, "text": "می‌توانید به ما زنگ بزنید."}
    )
    assert added.status_code == 303
    page = sigrid.get("/admin/canned").text
    item = re.search(r'<li data-reply="([^"]+)" data-lang="fa">(.*?)</li>', page, re.S)
    assert item, "the Persian reply is listed"
    assert f'value="{html.escape(title)}" required' in item.group(2)
    assert 'dir="rtl"' in item.group(2)
    deleted = sigrid.post(f"/admin/canned/{item.group(1)}", data={"action": "delete"})
    assert deleted.status_code == 303
