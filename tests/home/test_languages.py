from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def test_the_browser_language_chooses_chinese(client):
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content
    html = html.decode()
    assert '<html lang="zh-hans">' in html
    assert "请使用学号或工号及密码登录。" in html


def test_the_browser_language_chooses_english(client):
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert '<html lang="en">' in html
    assert "Use your student or staff number and your password." in html


def test_the_switcher_overrides_the_browser_language(client):
    response = client.post(
        reverse("set_language"), {"language": "zh-hans", "next": reverse("accounts:login")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert '<html lang="zh-hans">' in html
    assert 'value="zh-hans" selected' in html

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in html


def test_the_home_page_is_translated(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "融课：混合式课程，一个计划" in html


def _catalogues():
    return [
        po for po in ROOT.rglob("locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in po.parts
    ]


def test_every_chinese_catalogue_is_complete():
    catalogues = _catalogues()
    assert catalogues, "no zh_Hans catalogue found"
    for path in catalogues:
        po = polib.pofile(str(path))
        missing = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
        assert missing == [], f"{path.relative_to(ROOT)} lacks translations: {missing}"


def test_compiled_catalogues_are_up_to_date():
    # dev.py compiles them with polib; a stale .mo would show old text to users.
    for path in _catalogues():
        compiled = polib.mofile(str(path.with_suffix(".mo")))
        source = polib.pofile(str(path))
        assert {e.msgid: e.msgstr for e in compiled if e.msgstr} == {
            e.msgid: e.msgstr for e in source.translated_entries() if not e.msgid_plural
        } | {e.msgid: e.msgstr for e in compiled if e.msgid_plural}
