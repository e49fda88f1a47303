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
        assert _translations(compiled) == _translations(source.translated_entries()), path


def _translations(entries):
    # Plural entries keep their text in msgstr_plural (zh_Hans has a single form).
    return {
        e.msgid: tuple(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr
        for e in entries
        if e.msgid and (e.msgstr or any(e.msgstr_plural.values()))
    }


def test_a_students_course_and_quiz_screens_are_translated(student):
    from courses.services import grant_access
    from tests.conftest import login_client
    from tests.factories.courses import make_course, make_lesson, make_quiz, make_unit, true_false

    course = make_course(title="数据结构")
    unit = make_unit(course, title="第一章")
    make_lesson(unit, title="栈")
    quiz = make_quiz(unit, questions=[true_false(course=course)], time_limit_minutes=20)
    grant_access(course=course, user=student, source="test")
    client = login_client(student)

    html = client.get(course.url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "课程大纲" in html and "已完成 0/1 个课时" in html and "继续学习" in html
    html = client.get(quiz.url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "测验信息" in html and "20 分钟" in html and "开始测验" in html
