"""Analysis: the morphemes field reads kiwi's tokens from the sentence split, and agrees with tokenising anew."""

from __future__ import annotations

from assistant.indexing.analysis import analyse, keyword_text
from assistant.indexing.keyword import KeywordIndex
from assistant.ingest.chunking import chunk_documents
from assistant.records import Document, Section
from assistant.settings import ChunkingSettings
from assistant.text.dictionaries import UserDictionary, parse_words

FIELDS = ["morphemes", "bigrams", "characters"]
PARAGRAPHS = [
    "시립 도서관은 1998년에 문을 열었다. 장서는 32만 권이고, 열람실은 120석이다. 주말에는 오후 6시까지 연다.",
    '연구진은 "새 방법이 1.5배 빠르다"고 밝혔다. 그러나 검증은 아직이다? 결과는 4월에 나온다.',
    "조선의 궁궐인 景福宮은 1395년에 지어졌다. 임진왜란 때 불탄 뒤 고종 때 다시 세워졌다.",
    "MSIT와 ＫＡＩＳＴ는 인공지능 연구를 함께 한다. 두 기관은 2024년까지 연구자 300명을 기른다.",
]


def _documents() -> list[Document]:
    text = "\n".join(PARAGRAPHS * 3)
    short = "짧은 글이다."
    chinese = "臺北市立圖書館於1998年開館。館藏超過三十二萬冊，閱覽室有120個座位。週末開放至下午六時。" * 3
    return [
        Document(id="zh", title="圖書館", text=chinese, sections=(Section("", 0, len(chinese)),)),
        Document(id="long", title="도서관 이야기", text=text, sections=(Section("첫 장", 0, len(text)),)),
        Document(id="short", title="메모", text=short, sections=(Section("", 0, len(short)),)),
    ]


def test_passages_and_other_fields_are_as_before_and_morphemes_as_tokenised_anew() -> None:
    settings = ChunkingSettings(size=120, overlap=40)
    keyword = KeywordIndex(FIELDS)
    analysis = analyse(_documents(), settings, keyword, None)
    assert list(analysis.passages) == [p for group in chunk_documents(_documents(), settings) for p in group]
    assert len(analysis.passages) > 6
    anew = keyword.tokenize([keyword_text(p) for p in analysis.passages])
    assert {name: list(map(list, terms)) for name, terms in analysis.terms.items()} == anew
    found = {term for terms in analysis.terms["morphemes"] for term in terms}
    assert {
        "도서관",
        "이야기",
        "장서",
        "msit",
        "kaist",
        "1998",
        "검증",
    } <= found  # title, Latin (full-width too), numbers
    assert any("福" in term for term in found)  # the Han run went to jieba


def test_a_korean_user_dictionary_keeps_its_words_whole() -> None:
    dictionary = UserDictionary(parse_words("가상융합산업 NNP\n", "ko.txt", "korean"))
    keyword = KeywordIndex(FIELDS, dictionary)
    text = "정부가 가상융합산업 진흥 계획을 세웠다. 가상융합산업은 새 성장 동력이다."
    document = Document(id="d", title="계획", text=text, sections=(Section("", 0, len(text)),))
    analysis = analyse([document], ChunkingSettings(), keyword, None)
    assert analysis.terms["morphemes"] == keyword.tokenize([keyword_text(p) for p in analysis.passages])["morphemes"]
    assert "가상융합산업" in analysis.terms["morphemes"][0]
