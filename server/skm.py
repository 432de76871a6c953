"""The public-satisfaction survey's index (Survei Kepuasan Masyarakat, PermenPANRB No. 14 Tahun 2017).

Plain Python, no I/O: the nine elements (unsur), the respondent profile's choices, the index (NRR per
element, weighted NRR, IKM unit, converted IKM, mutu and kinerja) and the minimum sample (Krejcie and
Morgan). docs/skm.md works an example by hand; tests/test_skm.py reproduces it.

Arithmetic is exact (fractions) until the end: an element's NRR is the sum of its scores over the
number of its answers, its weighted NRR that times 1/9, the IKM unit the sum of the nine weighted
NRRs, the converted IKM that times 25. Only then is anything rounded, half up: the converted IKM to two
decimals, as the regulation's table reads it, and the grade (mutu) is read from that two-decimal
value, so 76.605 is 76.61 and grades B, 76.604 is 76.60 and grades C. The NRR and weighted NRR shown
are rounded to three decimals, the IKM unit to four; none of the shown roundings feeds another figure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

ELEMENTS = ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9")
WEIGHT = Fraction(1, len(ELEMENTS))  # every element weighs the same: 1/9
SCORES = (1, 2, 3, 4)
CONVERSION = 25  # the IKM unit (1-4) times 25 is the converted IKM (25-100)

# The respondent profile of the model questionnaire (every item optional): the codes stored and
# answered by the API; the words people read are in server/i18n (`skm.sex.L`, `skm.education.sma`, ...).
SEXES = ("L", "P")
EDUCATIONS = ("sd", "smp", "sma", "diploma", "s1", "s2")
OCCUPATIONS = ("pns", "tni", "polri", "swasta", "wirausaha", "lainnya")
AGE_MIN, AGE_MAX = 10, 120
# The report groups ages in bands (the questionnaire asks the age in years): (code, lowest, highest).
AGE_BANDS = (
    ("lt20", 0, 19),
    ("20_29", 20, 29),
    ("30_39", 30, 39),
    ("40_49", 40, 49),
    ("50_59", 50, 59),
    ("60", 60, 999),
)
PROFILE_CHOICES: dict[str, tuple[str, ...]] = {
    "sex": SEXES,
    "age": tuple(code for code, _, _ in AGE_BANDS),
    "education": EDUCATIONS,
    "occupation": OCCUPATIONS,
}
UNKNOWN = "unknown"  # a profile item the respondent left out

# The regulation's table: the lowest converted IKM (two decimals) of each grade, best first, with the
# grade's mutu pelayanan and kinerja unit pelayanan.
GRADES = (
    (Decimal("88.31"), "A", "Sangat baik"),
    (Decimal("76.61"), "B", "Baik"),
    (Decimal("65.00"), "C", "Kurang baik"),
    (Decimal("25.00"), "D", "Tidak baik"),
)

# Krejcie and Morgan (1970): s = X²NP(1−P) / (d²(N−1) + X²P(1−P)), rounded to the nearest whole
# respondent (half up). Their published table (which the regulation refers to) is this formula so
# rounded: rounding up instead would disagree with 46 of its 91 rows by one. The table's one other
# difference is N = 100,000, printed 384 where the formula gives 382.6 (383); docs/skm.md.
KM_CHI_SQUARE = Fraction(3841, 1000)  # chi-square for one degree of freedom at 95 % confidence
KM_P = Fraction(1, 2)  # the population proportion that gives the largest sample
KM_D = Fraction(5, 100)  # the margin of error


def round_half_up(value: Fraction, places: int) -> Decimal:
    """`value` rounded half up (away from zero for .5) to `places` decimals, exactly."""
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum, rounding=ROUND_HALF_UP)


def _exact_decimal(value: Fraction, places: int) -> Decimal:
    # Decimal division keeps 28 significant digits: enough that a tie at `places` stays a tie.
    return round_half_up(value, places)


def grade(ikm: Decimal) -> tuple[str, str]:
    """(mutu, kinerja) of a converted IKM given to two decimals; ValueError below 25.00 or above 100."""
    if not Decimal(25) <= ikm <= Decimal(100):
        raise ValueError(f"converted IKM out of range: {ikm}")
    return next((mutu, kinerja) for lowest, mutu, kinerja in GRADES if ikm >= lowest)


def min_sample(population: int) -> int:
    """Krejcie and Morgan's minimum sample for a population of `population` (0 for none), to the nearest
    whole respondent as their table gives it (100 -> 80, 1,000 -> 278, 10,000 -> 370)."""
    if population < 0:
        raise ValueError("population must be 0 or more")
    if population == 0:
        return 0
    pq = KM_P * (1 - KM_P)
    s = KM_CHI_SQUARE * population * pq / (KM_D**2 * (population - 1) + KM_CHI_SQUARE * pq)
    return math.floor(s + Fraction(1, 2))


@dataclass(frozen=True)
class Element:
    """One element's figures: the sum of its scores, the number of answers, NRR and weighted NRR (exact;
    None without answers)."""

    code: str
    total: int
    answers: int

    @property
    def nrr(self) -> Fraction | None:
        """Nilai rata-rata: the sum of the scores over the number of answers."""
        return Fraction(self.total, self.answers) if self.answers else None

    @property
    def weighted(self) -> Fraction | None:
        """NRR tertimbang: NRR × 1/9."""
        nrr = self.nrr
        return None if nrr is None else nrr * WEIGHT


@dataclass(frozen=True)
class Index:
    """The index of a set of responses. `ikm_unit` and `ikm` are None when some element has no answer."""

    respondents: int
    elements: tuple[Element, ...]

    @property
    def ikm_unit(self) -> Fraction | None:
        """IKM unit pelayanan: the sum of the nine weighted NRRs (1-4)."""
        weighted = [e.weighted for e in self.elements]
        return None if any(w is None for w in weighted) else sum(weighted, Fraction(0))

    @property
    def ikm(self) -> Decimal | None:
        """The converted IKM: IKM unit × 25, rounded half up to two decimals (25.00-100.00)."""
        unit = self.ikm_unit
        return None if unit is None else _exact_decimal(unit * CONVERSION, 2)

    @property
    def mutu(self) -> str | None:
        """The grade A-D from the regulation's table."""
        ikm = self.ikm
        return None if ikm is None else grade(ikm)[0]

    @property
    def kinerja(self) -> str | None:
        """The unit's performance in the regulation's words: Sangat baik, Baik, Kurang baik, Tidak baik."""
        ikm = self.ikm
        return None if ikm is None else grade(ikm)[1]

    def view(self) -> dict[str, object]:
        """The index as JSON: NRR and weighted NRR to three decimals, the IKM unit to four, the IKM to two
        (numbers; null without answers)."""
        unit, ikm = self.ikm_unit, self.ikm
        return {
            "respondents": self.respondents,
            "nrr": {e.code: _num(e.nrr, 3) for e in self.elements},
            "nrr_weighted": {e.code: _num(e.weighted, 3) for e in self.elements},
            "ikm_unit": _num(unit, 4),
            "ikm": None if ikm is None else float(ikm),
            "mutu": self.mutu,
            "kinerja": self.kinerja,
        }


def _num(value: Fraction | None, places: int) -> float | None:
    return None if value is None else float(round_half_up(value, places))


def index_from_sums(respondents: int, sums: Mapping[str, int], counts: Mapping[str, int]) -> Index:
    """The index from each element's sum of scores and number of answers (as SQL sums them)."""
    return Index(respondents, tuple(Element(c, int(sums.get(c) or 0), int(counts.get(c) or 0)) for c in ELEMENTS))


def index_of(responses: Iterable[Mapping[str, int | None]]) -> Index:
    """The index of responses given as {"U1": 1-4 or None, ...} (None or absent: not answered)."""
    sums = dict.fromkeys(ELEMENTS, 0)
    counts = dict.fromkeys(ELEMENTS, 0)
    n = 0
    for r in responses:
        n += 1
        for code in ELEMENTS:
            score = r.get(code)
            if score is None:
                continue
            if score not in SCORES or isinstance(score, bool):
                raise ValueError(f"{code}: a score is 1-4, not {score!r}")
            sums[code] += score
            counts[code] += 1
    return index_from_sums(n, sums, counts)


def percent(count: int, total: int) -> Decimal | None:
    """`count` as a percentage of `total`, exactly, rounded half up to one decimal as the report shows a
    profile's share (10 of 136: 7.4, not the 7.3 of 7.35 %, a rounded 0.0735, rounded again); None when
    `total` is 0."""
    return None if not total else round_half_up(Fraction(100 * count, total), 1)


def age_band(age: int | None) -> str:
    """The report's band of an age in years (UNKNOWN when not given)."""
    if age is None:
        return UNKNOWN
    return next(code for code, low, high in AGE_BANDS if low <= age <= high)
