"""The reading page, in process: answers with citations, filters, articles, errors, escaping."""

import re
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from samples import SUARA_SLOM_PLUS_THREE, TRIBUN_OSH_KOREA

import qa.search.answer
from qa.search.answer import DEFAULT_MODEL
from qa.serve.app import create_app
from qa.serve.service import Service
from qa.serve.web import pieces, safe_url

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
LOCAL = "http://localhost"  # TestClient's own Host, testserver, is refused (qa/serve/guard.py)

ARTICLES = {
    "tribun-osh-korea": TRIBUN_OSH_KOREA,
    "suara-slom-plus-three": SUARA_SLOM_PLUS_THREE,
    "contoh-xss": f"""---
id: contoh-xss
title: "Uji keamanan {SCRIPT} balai latihan kerja"
source: Contoh.id
published: 2024-03-05
url: "javascript:alert(1)"
---

Balai Latihan Kerja di Semarang membuka pelatihan las bagi pencari kerja {SCRIPT} muda.

Pendaftaran pelatihan las dibuka sampai akhir bulan Maret.
""",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("web-corpus")
    for name, text in ARTICLES.items():
        (corpus / f"{name}.md").write_text(text, encoding="utf-8")
    service = Service(corpus, tmp_path_factory.mktemp("web-index"))
    with TestClient(create_app(service, open_service=True), base_url=LOCAL) as test_client:
        service.wait_idle()
        yield test_client


def outlets(html: str) -> list[str]:
    return re.findall(r'class="outlet">([^<]*)<', html)


def section(html: str, name: str) -> str:
    match = re.search(rf'<section class="{name}[^"]*".*?</section>', html, re.S)
    assert match, f"no {name} section"
    return match.group()


def test_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="id">' in html and 'name="viewport"' in html
    assert '<form class="search" method="get" action="/"' in html
    assert 'type="date" name="since"' in html and 'type="date" name="until"' in html
    for outlet in ("Contoh.id", "Suara.com", "Tribunnews.com"):
        assert f'<option value="{outlet}">' in html
    assert 'href="/?q=status+proposal+OSH+Korea"' in html
    assert "Apa kesepakatan SLOM+3 soal pekerja migran?" in html
    assert 'class="answer' not in html
    assert client.get("/", params={"q": "   "}).text.count('class="answer') == 0
    assert client.get("/static/style.css").status_code == 200


def test_answer_with_citation_matches_the_api(client):
    question = "status proposal OSH Korea"
    api = client.post("/api/ask", json={"question": question}).json()
    assert api["answer"], "the tiny corpus is written to answer this question"
    html = client.get("/", params={"q": question}).text
    answer = section(html, "answer")
    assert f"<mark>{escape(api['answer']['text'])}</mark>" in answer
    ordinal = api["answer"]["passage_id"].split("#")[1]
    assert f'href="/articles/tribun-osh-korea?passage={ordinal}#cited"' in answer
    assert outlets(answer) == ["Tribunnews.com"]
    assert '<time datetime="2023-07-21">21 Juli 2023</time>' in answer
    assert 'href="https://www.tribunnews.com/nasional/2023/07/21/kemnaker-osh-korea"' in answer
    # Every passage of the API, in order, with its highlighted sentence.
    cards = section(html, "passages")
    assert cards.count('<article class="passage') == len(api["passages"])
    assert outlets(cards) == [p["source"] for p in api["passages"]]
    for passage in api["passages"]:
        for h in passage["highlights"]:
            for line in passage["text"][h["start"] : h["end"]].split("\n"):
                assert not line or f"<mark>{escape(line)}</mark>" in cards


def test_the_form_keeps_the_filters(client):
    """What the filters leave out: test_adapters.py, for every adapter."""
    html = client.get("/", params={"q": "pelatihan kerja", "source": "Suara.com"}).text
    assert '<option value="Suara.com" selected>' in html
    html = client.get("/", params={"q": "pelatihan kerja", "since": "2024-01-01"}).text
    assert 'name="since" value="2024-01-01"' in html


def test_no_answer_still_shows_closest_passages(client, monkeypatch):
    never = replace(DEFAULT_MODEL.confidence, threshold=1.01)  # confidence is a probability
    never_sure = replace(DEFAULT_MODEL, confidence=never)
    monkeypatch.setattr(qa.search.answer, "DEFAULT_MODEL", never_sure)
    html = client.get("/", params={"q": "status proposal OSH Korea"}).text
    answer = section(html, "answer")
    assert "Tidak ada jawaban yang pasti" in answer and "<mark>" not in answer
    cards = section(html, "passages")
    assert "Bagian artikel terdekat" in cards and cards.count('<article class="passage') >= 1
    english = client.get("/", params={"q": "status proposal OSH Korea", "lang": "en"}).text
    assert "No confident answer found" in english and "Closest passages" in english


def test_article_page_highlights_the_cited_passage(client):
    api = client.post("/api/ask", json={"question": "status proposal OSH Korea"}).json()
    article_id, ordinal = api["answer"]["passage_id"].split("#")
    response = client.get(f"/articles/{article_id}", params={"passage": ordinal})
    assert response.status_code == 200
    html = response.text
    cited = client.app.state.service.passage(article_id, int(ordinal))
    first_line = cited.text.split("\n")[0]
    assert f'<mark id="cited">{escape(first_line)}</mark>' in html
    assert html.count('id="cited"') == 1
    assert "<h1>Kemnaker belum terima kejelasan proposal OSH dari Korea</h1>" in html
    assert '<span class="outlet">Tribunnews.com</span>' in html and "21 Juli 2023" in html
    # Without a passage, the article is shown plainly; a bad one is ignored.
    for passage in ("", "abc", "99", "-1", "9" * 30):
        plain = client.get(f"/articles/{article_id}", params={"passage": passage})
        assert plain.status_code == 200 and "<mark" not in plain.text


def test_unknown_article_is_an_html_404(client):
    response = client.get("/articles/no-such-article")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Halaman tidak ditemukan" in response.text and "no-such-article" in response.text
    english = client.get("/articles/no-such-article", params={"lang": "en"})
    assert english.status_code == 404 and "Page not found" in english.text
    # Pages the router does not know are HTML for a browser, JSON for the API.
    assert client.get("/nowhere", headers={"accept": "text/html"}).status_code == 404
    assert "<html" in client.get("/nowhere", headers={"accept": "text/html"}).text
    assert client.get("/api/nowhere").json()["error"]


def test_english_switch(client):
    html = client.get("/", params={"lang": "en"}).text
    assert '<html lang="en">' in html and "Example questions" in html
    assert '<input type="hidden" name="lang" value="en">' in html
    assert 'href="/?q=status+proposal+OSH+Korea&amp;lang=en"' in html
    assert 'href="/" hreflang="id"' in html  # back to Indonesian
    results = client.get("/", params={"q": "status proposal OSH Korea", "lang": "en"}).text
    assert "21 July 2023" in results and "Supporting passages" in results
    assert re.search(r'href="/articles/tribun-osh-korea\?passage=\d+&amp;lang=en#cited"', results)
    indonesian = client.get("/", params={"q": "status proposal OSH Korea"}).text
    assert 'href="/?q=status+proposal+OSH+Korea&amp;lang=en" hreflang="en"' in indonesian
    assert 'name="lang"' not in indonesian
    assert '<html lang="id">' in client.get("/", params={"lang": "xx"}).text


@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": "upah", "since": "2024-01-01", "until": "2023-01-01"}, "setelah"),
    ],
)
def test_bad_input_is_a_friendly_422(client, params, message):
    response = client.get("/", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert '<p class="error" role="alert">' in response.text and message in response.text
    assert '<form class="search"' in response.text  # the form is there to try again


def test_script_in_question_is_escaped(client):
    html = client.get("/", params={"q": f"pelatihan {SCRIPT}"}).text
    assert SCRIPT not in html
    assert ESCAPED_SCRIPT in html


def test_script_in_article_is_escaped(client):
    html = client.get("/", params={"q": "pelatihan las Semarang", "source": "Contoh.id"}).text
    assert "Contoh.id" in outlets(html)
    assert SCRIPT not in html and ESCAPED_SCRIPT in html
    assert "javascript:" not in html  # an article's url is linked only if it is http(s)
    page = client.get("/articles/contoh-xss", params={"passage": 0}).text
    assert SCRIPT not in page and ESCAPED_SCRIPT in page
    assert "javascript:" not in page and '<mark id="cited">' in page


def test_pieces_cut_text_at_highlights():
    assert [(p.text, p.marked) for p in pieces("abcdef", [])] == [("abcdef", False)]
    cut = pieces("abcdef", [(1, 3), (2, 4)])
    assert [(p.text, p.marked) for p in cut] == [("a", False), ("bcd", True), ("ef", False)]
    shifted = pieces("cdef", [(0, 3)], offset=2)
    assert [(p.text, p.marked) for p in shifted] == [("c", True), ("def", False)]
    assert [p.text for p in pieces("abc", [(5, 9)])] == ["abc"]


def test_safe_url():
    assert safe_url("https://example.com/a?b=1") == "https://example.com/a?b=1"
    assert safe_url(" JavaScript:alert(1)") is None
    assert safe_url("data:text/html,x") is None and safe_url(None) is None
