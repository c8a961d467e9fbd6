"""Finding required statements in a document's text (duties.md, "Wording").

Text is normalised (Unicode NFKC, curly quotes and dashes made plain, a word hyphenated
across a line joined) and read as a sequence of words (letters and digits), each compared
case-folded. A phrase matches as consecutive whole words; `any` holds when one of its
phrases occurs; `all` holds when an occurrence of each part starts within `within_words`
words of the others (one window holds them all). The evidence is the passage that
matched (at most 300 characters) and where it is (page or paragraph)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from monitor.documents.model import DocumentText

PASSAGE_CHARS = 300
_PLAIN = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
        "\u00ad": None,  # a soft hyphen only says where a word may break
    }
)
_LINE_BREAK_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n\s*(?=[^\W\d_])")
_WORD = re.compile(r"[^\W_]+")


def plain(text: str) -> str:
    """The text as it is read and shown: NFKC, plain quotes and dashes, line-break hyphens joined."""
    return _LINE_BREAK_HYPHEN.sub("", unicodedata.normalize("NFKC", text).translate(_PLAIN))


def key(word: str) -> str:
    """A word as it is compared: case-folded (and NFKC again, which case-folding can undo)."""
    folded = word.casefold()
    return folded if folded.isascii() else unicodedata.normalize("NFKC", folded)


def words(text: str) -> tuple[str, ...]:
    """The compared words of a phrase or a text."""
    return tuple(key(m.group()) for m in _WORD.finditer(plain(text)))


@dataclass(frozen=True)
class Phrase:
    text: str
    words: tuple[str, ...]
    local: bool = False  # added by the deployment's configuration, not in the wording file


@dataclass(frozen=True)
class Statement:
    id: str
    says: str
    parts: tuple[tuple[Phrase, ...], ...]  # `any` is one part; `all` is several
    within_words: int | None = None


@dataclass(frozen=True)
class Found:
    """A statement found: the phrases that matched, where, and the passage (at most 300 characters)."""

    statement: Statement
    document: str
    where: str
    passage: str
    phrases: tuple[Phrase, ...]


class Text:
    """One document's words, indexed for phrase look-ups, with where each word is."""

    def __init__(self, document: DocumentText) -> None:
        self.name = document.name
        self.shown: list[str] = []
        self.where: list[str] = []
        self.keys: list[str] = []
        self.spans: list[tuple[int, int, int]] = []  # (segment, start, end) of each word
        for number, segment in enumerate(document.segments):
            shown = plain(segment.text)
            self.shown.append(shown)
            self.where.append(segment.where)
            for m in _WORD.finditer(shown):
                self.keys.append(key(m.group()))
                self.spans.append((number, m.start(), m.end()))
        self.index: dict[str, list[int]] = defaultdict(list)
        for position, word in enumerate(self.keys):
            self.index[word].append(position)

    def occurrences(self, phrase: Phrase) -> list[int]:
        """The word positions where the phrase starts."""
        first, rest = phrase.words[0], phrase.words[1:]
        n = len(self.keys)
        return [
            p
            for p in self.index.get(first, ())
            if p + len(rest) < n and all(self.keys[p + 1 + i] == w for i, w in enumerate(rest))
        ]

    def find(self, statement: Statement) -> Found | None:
        """The statement's first match in this text, or None."""
        hits = sorted(
            (p, p + len(phrase.words), part, phrase)
            for part, phrases in enumerate(statement.parts)
            for phrase in phrases
            for p in self.occurrences(phrase)
        )
        if not hits:
            return None
        if len(statement.parts) == 1:
            return self._found(statement, [hits[0]])
        return self._window(statement, hits)

    def _window(self, statement: Statement, hits: list) -> Found | None:
        """The first run of hits holding every part within `within_words`, as tight as it can be."""
        window, parts = statement.within_words or 0, len(statement.parts)
        counts = [0] * parts
        held, first = 0, 0
        for last, (start, _, part, _) in enumerate(hits):
            held += counts[part] == 0
            counts[part] += 1
            while start - hits[first][0] > window or counts[hits[first][2]] > 1:
                counts[hits[first][2]] -= 1
                held -= counts[hits[first][2]] == 0
                first += 1
            if held == parts:
                chosen = {hit[2]: hit for hit in hits[first : last + 1]}
                return self._found(statement, sorted(chosen.values()))
        return None

    def _found(self, statement: Statement, hits: list) -> Found:
        start, end = hits[0][0], max(hit[1] for hit in hits)
        phrases = tuple(dict.fromkeys(hit[3] for hit in hits))
        return Found(statement, self.name, self._where(start, end - 1), self._passage(start, end, hits), phrases)

    def _where(self, first: int, last: int) -> str:
        a, b = self.where[self.spans[first][0]], self.where[self.spans[last][0]]
        if a == b:
            return a
        kind, _, x = a.rpartition(" ")
        other, _, y = b.rpartition(" ")
        return f"{kind}s {x}–{y}" if kind == other and x.isdigit() and y.isdigit() else f"{a} to {b}"

    def _passage(self, start: int, end: int, hits: list) -> str:
        segment, a, _ = self.spans[start]
        last_segment, _, b = self.spans[end - 1]
        if segment == last_segment and b - a <= PASSAGE_CHARS:
            return _around(self.shown[segment], a, b, PASSAGE_CHARS)
        share = PASSAGE_CHARS // len(hits) - 2
        pieces = []
        for p, q, _, _ in hits:
            seg, x, _ = self.spans[p]
            _, _, y = self.spans[q - 1]
            pieces.append(_around(self.shown[seg], x, y, share))
        return " … ".join(pieces)[:PASSAGE_CHARS]


def _around(text: str, a: int, b: int, limit: int) -> str:
    """text[a:b] with as much context either side as fits in `limit` characters, cut at word ends."""
    spare = max(0, limit - (b - a) - 2)
    left = max(0, a - spare // 2)
    right = min(len(text), b + (spare - (a - left)))
    left = max(0, a - (spare - (right - b)))
    if left > 0:
        space = text.find(" ", left, a)
        left = space + 1 if space != -1 else a
    if right < len(text):
        space = text.rfind(" ", b, right)
        right = space if space != -1 else b
    shown = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + shown + ("…" if right < len(text) else "")
