"""Clusters from accepted pairs, one offer at a time in id order, guarded against chaining.

Offers are placed in the order they arrived (id order). An offer joins the cluster of a
matching offer placed before it only if it matches most of that cluster's members (both
of two): A≈B and B≈C must not put A and C together when C is another vacancy. Without the
guard, a record located only by its région ("Auvergne-Rhône-Alpes") that matches the same ad
in Lyon and in Grenoble would chain two vacancies into one. A full run and a run fed batch by batch
place offers in the same order against the same earlier offers, so they agree.

The canonical offer is the first by CANONICAL_ORDER of its source's kind (the documented
order: direct posting, then the employer's own site, the public service, a temp agency, an
aggregator), then the source's rank, then completeness, then age (the oldest, the original).
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.dedup.matching import Verdict

SOURCE_KIND_ORDER = {
    "direct": 0,
    "employer": 1,
    "public_service": 2,
    "temp_agency": 3,
    "training_body": 3,
    "aggregator": 4,
}


@dataclass
class Link:
    """Why an offer is in its cluster: the member it matched, the score and the reason."""

    matched_offer_id: int
    score: float
    reason: str


@dataclass
class Clustering:
    """Clusters by label (existing cluster id, or a negative number for a new one)."""

    canonical_key: Callable[[int], tuple]
    members: dict[int, list[int]] = field(default_factory=dict)
    cluster_of: dict[int, int] = field(default_factory=dict)
    links: dict[int, Link] = field(default_factory=dict)
    _next_label: int = -1

    def add_existing(self, cluster_id: int, member_ids: Iterable[int]) -> None:
        self.members[cluster_id] = sorted(member_ids)
        for offer_id in self.members[cluster_id]:
            self.cluster_of[offer_id] = cluster_id

    def canonical(self, label: int) -> int:
        return min(self.members[label], key=self.canonical_key)

    def place(self, offer_id: int, matches: dict[int, Verdict], placed: Callable[[int], bool]) -> int | None:
        """Put the offer in the best cluster it may join; returns its label, None if alone."""
        partners = [partner for partner in matches if placed(partner)]
        for label, group in self._groups_by_best_score(partners, matches):
            linked = [member for member in group if member in matches]
            if 2 * len(linked) > len(group):
                best = max(linked, key=lambda member: (matches[member].score, -member))
                self._join(label, offer_id, best, matches[best])
                return label
        return None

    def _groups_by_best_score(self, partners: list[int], matches: dict[int, Verdict]):
        best: dict[int, float] = {}
        groups: dict[int, list[int]] = {}
        for partner in partners:
            label = self.cluster_of.get(partner)
            if label is None:  # a lone offer: a cluster of one, to be created if joined
                label = self._next_label
                self._next_label -= 1
                self.members[label] = [partner]
                self.cluster_of[partner] = label
            groups[label] = self.members[label]
            best[label] = max(best.get(label, 0.0), matches[partner].score)
        return sorted(groups.items(), key=lambda item: (-best[item[0]], min(item[1])))

    def _join(self, label: int, offer_id: int, matched: int, verdict: Verdict) -> None:
        if len(self.members[label]) == 1:  # the founder's own link: the pair that made the cluster
            self.links[matched] = Link(offer_id, verdict.score, verdict.reason)
        self.members[label].append(offer_id)
        self.cluster_of[offer_id] = label
        self.links[offer_id] = Link(matched, verdict.score, verdict.reason)

    def clusters(self) -> dict[int, list[int]]:
        """Clusters of two or more members."""
        return {label: members for label, members in self.members.items() if len(members) > 1}
