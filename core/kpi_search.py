"""One KPI search engine: ranked retrieval over Kolada's KPI catalogue.

Serves three callers: indicator proposals for a goal without indicators (`propose_for_goal`),
the analyst explorer's free-text search (ui/explorer.py) and `python -m etl kpi-search`.
Pure: the catalogue arrives as `KpiDoc` values (db/kpi_docs.py reads them), nothing here
touches files or the database.

Ranking: BM25 (bm25s) over Swedish-stemmed words of the title, the description and where
Kolada files the KPI (its KPI groups, operating area and curated Agenda 2030 goal), the
title counted twice because a title names what is measured while a description also lists
sources and caveats; the groups bridge a goal's wording to the titles' ("folkhälsa" →
"Öppna jämförelser - Folkhälsa" → "Medellivslängd"). Words are compared without accents,
so "behorig" finds "behörig". Swedish writes compounds as one word ("gymnasieelever"), so
a word is also split into two words of the catalogue's vocabulary ("gymnasie" + "elever")
on both sides; a query word that is not in the vocabulary (a partial word, "yrkesprog")
stands for the vocabulary's words that start with it. A short table of an analyst's
everyday words (SYNONYMS: "försörjningsstöd" → "ekonomiskt bistånd", "fattigdom" → "låg
ekonomisk standard") adds the catalogue's words for them, at a lower weight.

The text score is then multiplied by boosts that say how suitable a match is as an
indicator: membership in Kolada's Agenda 2030 group, how many KPI groups pick it, data
availability and use in other goal files; boosts only reorder. The two uses differ:
- a lookup (explorer, CLI) names a measure: only KPIs sharing a word with the text are
  hits, a title alike also counts on its own (a title-only index, and the share of the
  title's words the text holds), and a KPI without values ranks only a little below an
  equal one with values;
- a proposal (`propose_for_goal`) names a subject: a KPI also scores by how well its best
  KPI group matches as a whole (so "Utsläpp av kväveoxider" comes with "miljömässig
  hållbarhet" through "Miljö och Klimat", without a shared word), a KPI without values
  ranks far down, and one KPI per measure is kept, not its breakdowns by provider.
A proposal can also read the goal's context (its area's title and description), at a lower
weight than the goal's own words: a short title ("Vi har en god folkhälsa.") says little,
the area it stands in says more, but also speaks for the area's other goals. And a goal
linked to Agenda 2030 targets or goals boosts the KPIs that the curated mapping
(kpi_sdg_map) ties to them.
Every hit carries its reasons as short Swedish phrases, so a proposal explains itself
("inga värden i databasen" included).

The weights below were set by reasoning, then adjusted only against the two aggregate
figures of bench/bench_kpi_search.py (Norberg's 61 indicators, its own goal file left out
of the "used by" boost), never against single answers.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_SWEDISH

# Boosts: multipliers of the text score.
BOOST_AGENDA2030 = 1.3
BOOST_PER_GOAL_FILE = 0.25  # per other goal file that uses the KPI
MAX_GOAL_FILES_BOOSTED = 2
# Prominence: a KPI that Kolada's curated collections (KKiK, Öppna jämförelser, strategies)
# pick is one municipalities follow; a breakdown by provider rarely is.
BOOST_PROMINENCE = 1.0
MAX_GROUPS_BOOSTED = 8
FACTOR_NO_VALUES = 0.25  # far down, still findable by its exact title
FACTOR_FEW_VALUES = 0.7  # values for less than half of the compared geographies
FACTOR_OLD_VALUES = 0.8  # latest value more than OLD_AFTER_YEARS before the newest in the data
OLD_AFTER_YEARS = 4
LOOKUP_NO_VALUES = 0.8  # in a lookup: below an equal match with values, not out of sight
LOOKUP_FEW_VALUES = 0.95
LOOKUP_OLD_VALUES = 0.95
LOOKUP_RETIRED = 0.9  # a retired KPI: found by its title, below a current one alike
# A goal linked to an Agenda 2030 target (or goal) that the curated mapping ties the KPI
# to: the goal file's own statement of what the goal is about, a stronger sign than mere
# membership in Kolada's Agenda 2030 group. Set by reasoning: the benchmark's goal file
# (Norberg) has no such links, so no figure measures them.
BOOST_SDG_TARGET = 2.0
BOOST_SDG_GOAL = 1.3

TITLE_WEIGHT = 2  # the title's words are indexed this many times
# A goal's context (its area's title and description) weighs at most this much against the
# goal's own words, in total: it says what the goal is about, but also what the area's other
# goals are about, and a long area text must not outweigh a short title.
CONTEXT_WEIGHT = 0.5
# Lookups: the title-only index's score, times this, joins the text score; the score is
# then raised by up to TITLE_COVER times the share of the title's words the text holds.
TITLE_INDEX_WEIGHT = 1.0
TITLE_COVER = 1.0
# Proposals: a KPI's best group's score, times this, joins its own text score
# (see _group_scores). Groups of fewer than MIN_GROUP KPIs say too little as a whole.
GROUP_WEIGHT = 2.0
MIN_GROUP = 5
MIN_PART = 3  # shortest compound part
PART_WEIGHT = 0.7  # a compound part or a completed partial word, against a whole word
MIN_COMPOUND = 7  # shortest word tried as a compound
MIN_PREFIX = 4  # shortest partial word expanded to the words it starts
MAX_PREFIX_EXPANSION = 30
SYNONYM_WEIGHT = 0.7  # a synonym's words, against the word the analyst typed

# An analyst's everyday words for what Kolada's titles name otherwise: the legal or
# statistical term ("försörjningsstöd" is "ekonomiskt bistånd"), a measure's proxy
# ("fattigdom" is counted as "låg ekonomisk standard") or its renamed wording ("godkänd i
# alla ämnen" is now "uppnått betygskriterierna"). A key also matches as the first or last
# part of a compound ("barnfattigdom", "befolkningsökning"). Word forms the stemmer
# already joins ("arbetslöshet" ~ "arbetslösa", "behörighet" ~ "behöriga") need no entry.
# Kept short and general: each entry names words, never a KPI.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "försörjningsstöd": ("ekonomiskt", "bistånd"),
    "socialbidrag": ("ekonomiskt", "bistånd"),
    "fattigdom": ("låg", "ekonomisk", "standard", "inkomst"),
    "godkänd": ("uppnått", "betygskriterierna", "kunskapskraven"),
    "godkända": ("uppnått", "betygskriterierna", "kunskapskraven"),
    "unga": ("ungdomar",),
    "folkmängd": ("invånare", "totalt", "befolkning"),
    "ökning": ("förändring",),
    "minskning": ("förändring",),
}

_WORD = re.compile(r"[^\W_]{2,}")


def strip_accents(text: str) -> str:
    """Lower case without diacritics: "Behöriga" → "behoriga"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Besides the common function words, a goal's words of praise: they say how good, not what
# is measured ("Vi har den bästa skolan", "en god folkhälsa").
_GOAL_PHRASING = {"god", "goda", "gott", "basta", "bra", "latt", "ska", "skall", "finns", "varje"}
_STOPWORDS = frozenset(strip_accents(w) for w in STOPWORDS_SWEDISH) | _GOAL_PHRASING


@dataclass(frozen=True)
class GoalFileUse:
    """A goal file that names the KPI as an indicator (or successor)."""

    municipality_id: str
    municipality: str


@dataclass(frozen=True)
class KpiDoc:
    """One KPI of the catalogue with what the ranking needs to know about it."""

    id: str
    title: str
    description: str = ""
    operating_area: str | None = None
    perspective: str | None = None
    in_agenda2030: bool = False
    latest_year: int | None = None  # None: no values in the database
    n_geographies: int = 0  # compared geographies with values (see db.kpi_docs)
    n_compared: int = 0  # how many geographies were compared
    used_by: tuple[GoalFileUse, ...] = ()
    # Where the catalogue files the KPI: its KPI groups ("Öppna jämförelser - Folkhälsa"),
    # operating area and the Agenda 2030 goal and target it measures: these name the
    # subject in a goal's words where a title names the measure.
    context: tuple[str, ...] = ()
    n_groups: int = 0  # Kolada KPI groups (collections such as KKiK) the KPI is in
    is_retired: bool = False  # no longer in Kolada's catalogue (values kept)
    # The Agenda 2030 goals and targets ("16.1") the curated mapping ties the KPI to.
    sdg_goals: tuple[int, ...] = ()
    sdg_targets: tuple[str, ...] = ()

    @property
    def used_by_goal_files(self) -> int:
        return len(self.used_by)


@dataclass(frozen=True)
class Hit:
    kpi: str
    title: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class _Analyzer:
    """Turns text into index terms: accent-free, stop words out, stemmed, compounds split."""

    stemmer: Stemmer.Stemmer
    stems: frozenset[str]  # stems of every catalogue word
    words: frozenset[str]  # every catalogue word (accent-free, not stemmed)
    _split_cache: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def words_of(self, text: str) -> list[str]:
        return [w for w in _WORD.findall(strip_accents(text)) if w not in _STOPWORDS]

    def words_stems(self, text: str) -> list[str]:
        return [self.stemmer.stemWord(w) for w in self.words_of(text)]

    def terms(self, text: str) -> list[str]:
        out: list[str] = []
        for w in self.words_of(text):
            out.extend(self.stems_of(w))
            out.extend(self.parts(w))
        return out

    def stems_of(self, word: str) -> tuple[str, ...]:
        """The word's stem, and for a definite form in -an, which Snowball's Swedish
        stemmer keeps ("skolan"), also the stem without it ("skol")."""
        stem = self.stemmer.stemWord(word)
        if stem.endswith("an") and len(stem) > 5 and stem[:-2] in self.stems:
            return (stem, stem[:-2])
        return (stem,)

    def heads(self, word: str) -> tuple[str, ...]:
        """The stem of the longest catalogue word the word begins with, leaving at least
        MIN_PREFIX letters over: the known first part of an unknown compound."""
        for i in range(len(word) - MIN_PREFIX, MIN_PREFIX - 1, -1):
            if word[:i] in self.words and word[:i] not in _STOPWORDS:
                return (self.stemmer.stemWord(word[:i]),)
        return ()

    def parts(self, word: str) -> tuple[str, ...]:
        """The stems of the two parts of a compound, () when the word is none. The split
        with the longest shorter part wins ("gymnasieelever" → "gymnasie" + "elev"); a
        linking s ("arbetsgivare") belongs to neither part."""
        if word in self._split_cache:
            return self._split_cache[word]
        best: tuple[int, tuple[str, ...]] = (0, ())
        if len(word) >= MIN_COMPOUND and not word.isdigit():
            for i in range(MIN_PART, len(word) - MIN_PART + 1):
                tail = self.stemmer.stemWord(word[i:])
                if tail not in self.stems or len(tail) < MIN_PART:
                    continue
                for head in (word[:i], word[: i - 1] if word[i - 1] == "s" else ""):
                    if len(head) < MIN_PART:
                        continue
                    head_stem = self.stemmer.stemWord(head)
                    if head in self.words or head_stem in self.stems:
                        shorter = min(len(head), len(word) - i)
                        if shorter > best[0]:
                            best = (shorter, (head_stem, tail))
        if not best[1]:
            # No two known parts: the known first part of a word whose second part the
            # catalogue lacks ("miljömässig" → "miljö").
            best = (0, self.heads(word))
        self._split_cache[word] = best[1]
        return best[1]


class KpiSearchIndex:
    """BM25 indexes over KPI documents, built once (about two seconds for the ~6,900 KPIs of
    the catalogue) and searched many times."""

    def __init__(self, docs: Sequence[KpiDoc]) -> None:
        self.docs = list(docs)
        self._pos = {d.id: i for i, d in enumerate(self.docs)}
        stemmer = Stemmer.Stemmer("swedish")
        plain = _Analyzer(stemmer, frozenset(), frozenset())
        word_lists = [plain.words_of(f"{d.title} {d.description}") for d in self.docs]
        words = frozenset(w for ws in word_lists for w in ws)
        self._analyzer = _Analyzer(
            stemmer, frozenset(stemmer.stemWords(list(words))), frozenset(words)
        )
        titles = [self._analyzer.terms(d.title) for d in self.docs]
        self._title_sets = [frozenset(self._analyzer.words_stems(d.title)) for d in self.docs]
        self._titles = bm25s.BM25()
        self._titles.index(titles, show_progress=False)
        self._title_vocab = frozenset(self._titles.vocab_dict)
        corpus = [
            t * TITLE_WEIGHT
            + self._analyzer.terms(d.description)
            + self._analyzer.terms(" ".join(d.context))
            for d, t in zip(self.docs, titles, strict=True)
        ]
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        self._vocab = frozenset(self._bm25.vocab_dict)
        self._sorted_vocab = sorted(self._vocab)
        self._family = [_family(d.title) for d in self.docs]
        self._synonyms = {
            strip_accents(k): tuple(strip_accents(w) for w in ws) for k, ws in SYNONYMS.items()
        }
        members: dict[str, list[int]] = {}
        for i, d in enumerate(self.docs):
            for label in () if d.is_retired else d.context:  # groups as proposals see them
                members.setdefault(label, []).append(i)
        self._groups = {g: np.array(ix) for g, ix in members.items() if len(ix) >= MIN_GROUP}
        self._retired = np.array([d.is_retired for d in self.docs], dtype=bool)
        self._factor_cache: dict[tuple[str | None, bool], np.ndarray] = {}
        self._word_terms: dict[str, frozenset[str]] = {}
        newest = [d.latest_year for d in self.docs if d.latest_year is not None]
        self._newest_year = max(newest) if newest else None

    def __len__(self) -> int:
        return len(self.docs)

    def doc(self, kpi: str) -> KpiDoc | None:
        i = self._pos.get(kpi)
        return None if i is None else self.docs[i]

    # ------------------------------------------------------------------ query side
    def query_terms(self, text: str) -> dict[str, float]:
        """The query's terms with their weights: each distinct term once, a partial word
        standing for the vocabulary's words it begins (each at a share of the weight)."""
        weights: dict[str, float] = {}
        for w in self._analyzer.words_of(text):
            stem, *variants = self._analyzer.stems_of(w)
            found = [t for t in (stem, *variants, *self._analyzer.parts(w)) if t in self._vocab]
            if stem not in self._vocab and len(w) >= MIN_PREFIX:
                # Not a catalogue word: a partial word ("yrkesprog"), or a compound whose
                # second part the catalogue lacks ("miljömässig": its "miljö" counts).
                found += self._prefixed(w)[:MAX_PREFIX_EXPANSION]
                found += [t for t in self._analyzer.heads(w) if t in self._vocab]
            for t in found:
                weights[t] = max(weights.get(t, 0.0), 1.0 if t in (stem, w) else PART_WEIGHT)
            for synonym in self._synonyms_of(w):
                for t in self._analyzer.stems_of(synonym):
                    if t in self._vocab:
                        weights[t] = max(weights.get(t, 0.0), SYNONYM_WEIGHT)
        return weights

    def _synonyms_of(self, word: str) -> list[str]:
        """The SYNONYMS words for an accent-free query word: for the word itself (any form
        of a key) or for a key that is its compound's first or last part."""
        out: list[str] = []
        stem = self._analyzer.stemmer.stemWord(word)
        for key, words in self._synonyms.items():
            rest = len(word) - len(key)
            if stem == self._analyzer.stemmer.stemWord(key) or (
                rest >= MIN_PART and (word.startswith(key) or word.endswith(key))
            ):
                out.extend(words)
        return out

    @staticmethod
    def context_terms(own: dict[str, float], context: dict[str, float]) -> dict[str, float]:
        """The terms of a context (`context`, from query_terms) that the text's own terms
        (`own`) lack, scaled so that together they weigh at most CONTEXT_WEIGHT times the
        own terms (and each at most CONTEXT_WEIGHT times its weight)."""
        around = {t: w for t, w in context.items() if t not in own}
        total = sum(around.values())
        if not total:
            return {}
        scale = CONTEXT_WEIGHT * min(1.0, sum(own.values()) / total)
        return {t: scale * w for t, w in around.items()}

    def _prefixed(self, prefix: str) -> list[str]:
        i = bisect.bisect_left(self._sorted_vocab, prefix)
        out = []
        while i < len(self._sorted_vocab) and self._sorted_vocab[i].startswith(prefix):
            out.append(self._sorted_vocab[i])
            i += 1
        return out

    def _text_scores(self, weights: dict[str, float], propose: bool) -> np.ndarray:
        # A lookup names a measure, so a title alike counts on its own; a proposal looks
        # for a subject, which descriptions and groups name as well as titles.
        title_weight = 0.0 if propose else TITLE_INDEX_WEIGHT
        scores = np.zeros(len(self.docs), dtype=np.float64)
        for term, w in weights.items():
            scores += w * self._bm25.get_scores([term])
            if title_weight and term in self._title_vocab:
                scores += title_weight * w * self._titles.get_scores([term])
        return scores

    def _title_cover(self, weights: dict[str, float], scores: np.ndarray) -> np.ndarray:
        """The share of each matching title's terms that the query holds: of two titles
        that match the words, the one that adds none ("..., fristående skolor") is the
        one named."""
        out = np.zeros(len(self.docs), dtype=np.float64)
        for i in np.flatnonzero(scores > 0):
            terms = self._title_sets[i]
            if terms:
                out[i] = sum(t in weights for t in terms) / len(terms)
        return out

    def _group_scores(self, scores: np.ndarray) -> tuple[np.ndarray, list[str | None]]:
        """Each KPI's best group's score, and that group: a goal's subject shows
        in which groups match as a whole ("Miljö och Klimat"), so their members rise even
        where their titles share no word with the goal ("Utsläpp av kväveoxider")."""
        out = np.zeros(len(self.docs), dtype=np.float64)
        best: list[str | None] = [None] * len(self.docs)
        for label, ix in self._groups.items():
            # The share of the group that matches, times its best match: a group that
            # matches widely and strongly is the text's subject.
            g = float((scores[ix] > 0).mean() * scores[ix].max())
            for i in ix[out[ix] < g]:
                best[i] = label
            out[ix] = np.maximum(out[ix], g)
        return out, best

    # ------------------------------------------------------------------ ranking
    def _factors(self, exclude_usage_of: str | None, propose: bool) -> np.ndarray:
        """Every KPI's boost for one (exclude_usage_of, propose), computed once: it
        depends on the documents alone, and recomputing it was a third of a search."""
        key = (exclude_usage_of, propose)
        if key not in self._factor_cache:
            self._factor_cache[key] = np.array(
                [self.boost(d, exclude_usage_of, propose) for d in self.docs]
            )
        return self._factor_cache[key]

    def boost(
        self, doc: KpiDoc, exclude_usage_of: str | None = None, propose: bool = False
    ) -> float:
        factor = BOOST_AGENDA2030 if doc.in_agenda2030 else 1.0
        uses = [u for u in doc.used_by if u.municipality_id != exclude_usage_of]
        factor *= 1 + BOOST_PER_GOAL_FILE * min(len(uses), MAX_GOAL_FILES_BOOSTED)
        factor *= 1 + BOOST_PROMINENCE * min(doc.n_groups, MAX_GROUPS_BOOSTED) / MAX_GROUPS_BOOSTED
        # A lookup (an analyst typing a title) must still find a KPI without values; a
        # proposal of one would be an indicator that can never be followed up.
        no_values, few_values, old_values = (
            (FACTOR_NO_VALUES, FACTOR_FEW_VALUES, FACTOR_OLD_VALUES)
            if propose
            else (LOOKUP_NO_VALUES, LOOKUP_FEW_VALUES, LOOKUP_OLD_VALUES)
        )
        if doc.is_retired:
            factor *= LOOKUP_RETIRED
        if doc.latest_year is None:
            return factor * no_values
        if doc.n_compared and doc.n_geographies * 2 < doc.n_compared:
            factor *= few_values
        if self._newest_year is not None and doc.latest_year < self._newest_year - OLD_AFTER_YEARS:
            factor *= old_values
        return factor

    @staticmethod
    def sdg_link(
        doc: KpiDoc, sdg_targets: Collection[str], sdg_goals: Collection[int]
    ) -> tuple[float, str | None]:
        """The boost for a KPI that the mapping ties to an Agenda 2030 target or goal the
        goal is linked to, with its reason; (1.0, None) when none. A target is the stronger
        tie; a goal linked to a target counts as linked to its SDG too."""
        for target in doc.sdg_targets:
            if target in sdg_targets:
                return BOOST_SDG_TARGET, (
                    f"kopplat till Agenda 2030-delmål {target}, som målet är kopplat till"
                )
        goals = set(sdg_goals) | {_sdg_of_target(t) for t in sdg_targets}
        for goal in doc.sdg_goals:
            if goal in goals:
                return BOOST_SDG_GOAL, (
                    f"kopplat till Agenda 2030-mål {goal}, som målet är kopplat till"
                )
        return 1.0, None

    def search(
        self,
        text: str,
        k: int = 10,
        exclude_usage_of: str | None = None,
        only: Collection[str] | None = None,
        propose: bool = False,
        *,
        context: str | None = None,
        sdg_targets: Collection[str] = (),
        sdg_goals: Collection[int] = (),
        explain: bool = True,
    ) -> list[Hit]:
        """The `k` best KPIs for `text`, best first: in a lookup only KPIs sharing a term
        with the text, in a proposal (`propose`) also members of a group that matches it.
        `exclude_usage_of`: a municipality id whose own goal file does not count as use (a
        proposal for Norberg must not cite Norberg's file, nor the benchmark on Norberg
        find its answers there). `only`: restrict to these ids (the explorer's filters).
        `context`: text around `text` (a goal's area), weighted below it (context_terms);
        its words add to each KPI's own text score, but which groups match as a whole is
        judged by `text` alone, the subject, not its neighbours'.
        `sdg_targets`, `sdg_goals`: Agenda 2030 targets ("16.1") and goals the text is
        linked to; KPIs mapped to them are boosted (a boost: it reorders matches, it does
        not make a KPI sharing nothing with the text a hit). `explain=False` leaves each
        hit's reasons empty: the explorer's list of 200 needs the order, not the why, and
        the reasons cost more than the ranking."""
        weights = self.query_terms(text)
        if not weights:
            return []
        own_scores = self._text_scores(weights, propose)
        context_weights = self.query_terms(context) if context else {}
        around = self.context_terms(weights, context_weights)
        scores = own_scores + self._text_scores(around, propose) if around else own_scores
        factors = self._factors(exclude_usage_of, propose).copy()
        sdg_reasons: dict[int, str] = {}
        if sdg_targets or sdg_goals:
            for i, d in enumerate(self.docs):
                factor, reason = self.sdg_link(d, sdg_targets, sdg_goals)
                if reason:
                    factors[i] *= factor
                    sdg_reasons[i] = reason
        if propose:
            factors[self._retired] = 0.0
        group_of: list[str | None] = [None] * len(self.docs)
        if propose and GROUP_WEIGHT:
            by_group, group_of = self._group_scores(own_scores)
            scores = scores + GROUP_WEIGHT * by_group
        scores = scores * factors
        if not propose and TITLE_COVER:
            scores = scores * (1 + TITLE_COVER * self._title_cover(weights, scores))
        if only is not None:
            mask = np.zeros(len(self.docs), dtype=bool)
            mask[[self._pos[i] for i in only if i in self._pos]] = True
            scores = np.where(mask, scores, 0.0)
        n_hits = int((scores > 0).sum())
        order = np.argsort(-scores, kind="stable")[:n_hits]
        top = _one_per_family(order, self._family, k) if propose else order[:k]
        return [
            Hit(
                self.docs[i].id,
                self.docs[i].title,
                float(scores[i]),
                self.reasons(
                    self.docs[i],
                    weights,
                    exclude_usage_of,
                    group_of[i],
                    context_weights={t: context_weights[t] for t in around} or None,
                    sdg_reason=sdg_reasons.get(i),
                )
                if explain
                else (),
            )
            for i in top
        ]

    def reasons(
        self,
        doc: KpiDoc,
        weights: dict[str, float],
        exclude_usage_of: str | None = None,
        group: str | None = None,
        context_weights: dict[str, float] | None = None,
        sdg_reason: str | None = None,
    ) -> tuple[str, ...]:
        """Why `doc` matches: `weights` are the terms of the text itself, `context_weights`
        those only its context holds (None: no context)."""
        out: list[str] = []
        texts = (("titeln", doc.title), ("beskrivningen", doc.description))
        # The goal's own words first; its context's words only where those find nothing in
        # the title or description, and then besides where Kolada files the KPI.
        own = next(
            ((label, ws) for label, t in texts if (ws := self._matching_words(t, weights))), None
        )
        if own:
            out.append(f"ord i {own[0]}: {', '.join(own[1])}")
        else:
            groups = [c for c in doc.context if self._matching_words(c, weights)]
            if groups:
                out.append(f"finns under: {'; '.join(groups[:2])}")
            around = context_weights and next(
                (
                    (label, ws)
                    for label, t in texts
                    if (ws := self._matching_words(t, context_weights))
                ),
                None,
            )
            if around:
                out.append(f"ord i {around[0]} från målets område: {', '.join(around[1])}")
            if not groups and not around and group:
                out.append(f"i gruppen {group}, som passar texten som helhet")
        if sdg_reason:
            out.append(sdg_reason)
        if doc.is_retired:
            out.append("avvecklat i Kolada")
        if doc.in_agenda2030:
            out.append("i Agenda 2030-gruppen")
        if doc.latest_year is None:
            out.append("inga värden i databasen, därför lägre rankad")
        elif doc.n_compared and doc.n_geographies * 2 < doc.n_compared:
            out.append(
                f"värden till {doc.latest_year}, men bara för {doc.n_geographies} av "
                f"{doc.n_compared} kommuner med målfil och riket"
            )
        else:
            out.append(f"värden till {doc.latest_year}")
        for use in doc.used_by:
            if use.municipality_id != exclude_usage_of:
                out.append(f"används i {_genitive(use.municipality)} målfil")
        return tuple(out)

    def _matching_words(self, text: str, weights: dict[str, float]) -> list[str]:
        """The words of `text` whose term the query holds as a whole word (weight 1: a
        compound's part or a partial word's completion is no reason)."""
        seen: dict[str, None] = {}
        for w in _WORD.findall(text.lower()):
            terms = self._word_terms.get(w)
            if terms is None:
                # Memoised: the catalogue's titles share their words, and stripping and
                # stemming them again for every hit of every search was most of a search.
                plain = strip_accents(w)
                terms = (
                    frozenset()
                    if plain in _STOPWORDS
                    else frozenset(
                        {self._analyzer.stemmer.stemWord(plain), *self._analyzer.parts(plain)}
                    )
                )
                self._word_terms[w] = terms
            if any(weights.get(t, 0.0) >= 1.0 for t in terms):
                seen.setdefault(w, None)
        return list(seen)[:5]


def _family(title: str) -> str:
    """What a title measures, without its breakdown: Kolada titles put the breakdown (by
    provider, school type, age) after the first comma ("Barn per barngrupp i förskola,
    kommunal regi, antal")."""
    return strip_accents(title.split(",")[0]).strip()


def _one_per_family(order: np.ndarray, family: list[str], k: int) -> list[int]:
    """The first `k` of `order` with at most one KPI per family: twenty variants of one
    measure are one proposal, not twenty."""
    seen: set[str] = set()
    out: list[int] = []
    for i in order:
        if family[i] in seen:
            continue
        seen.add(family[i])
        out.append(int(i))
        if len(out) == k:
            break
    return out


def _sdg_of_target(target: str) -> int | None:
    """The SDG of a target code: "16.1" → 16."""
    head = target.split(".")[0]
    return int(head) if head.isdigit() else None


def _genitive(name: str) -> str:
    return name if name[-1:].lower() in {"s", "x", "z"} else f"{name}s"


def propose_for_goal(
    index: KpiSearchIndex,
    title: str,
    description: str | None = None,
    ambition_text: str | None = None,
    n: int = 10,
    municipality_id: str | None = None,
    *,
    context: str | None = None,
    sdg_targets: Collection[str] = (),
    sdg_goals: Collection[int] = (),
) -> list[Hit]:
    """Indicator proposals for a goal (or delstrategi) without indicators: the `n` best
    KPIs for its text, each with its reasons. The goal's own municipality's goal file is
    not counted as use, so a proposal never cites the file it is made for.

    `context`: the text the goal stands in (its area's title and description), weighted
    below the goal's own words. `sdg_targets` ("16.1") and `sdg_goals` (16): the Agenda
    2030 targets and goals the goal file links the goal to; KPIs the curated mapping ties
    to them rank higher and say so."""
    text = " ".join(t for t in (title, description, ambition_text) if t)
    return index.search(
        text,
        n,
        exclude_usage_of=municipality_id,
        propose=True,
        context=context,
        sdg_targets=sdg_targets,
        sdg_goals=sdg_goals,
    )
