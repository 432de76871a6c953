"""The phone normalisation (server.forms.normalize_phone), as properties: an Indonesian number however it is
written (08…, +62 8…, 62 8…, the trunk 0 kept after the country code, "+62 (0)8…", spaces, dashes, dots)
is stored as the same digits from 0; what it stores is a fixed point; nothing raises."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from server.forms import normalize_phone

MOBILE = st.text("0123456789", min_size=8, max_size=11).map(lambda rest: "08" + rest)  # 08 + 8..11 digits
SEPARATOR = st.sampled_from(["", " ", "-", ".", "  "])


@st.composite
def spaced(draw, digits: str) -> str:
    """`digits` with a separator (or none) drawn between any two of them."""
    out = digits[0]
    for ch in digits[1:]:
        out += draw(SEPARATOR) + ch
    return out


@st.composite
def written(draw):
    """(how a visitor writes a mobile number, the digits it is stored as)."""
    local = draw(MOBILE)
    national = local[1:]  # 8…: what follows the country code
    form = draw(st.sampled_from(["local", "plus", "bare", "plus_paren0", "plus_zero", "bare_paren0"]))
    gap = draw(SEPARATOR)
    text = {
        "local": draw(spaced(local)),
        "plus": "+62" + gap + draw(spaced(national)),
        "bare": "62" + gap + draw(spaced(national)),
        "plus_paren0": "+62" + gap + "(0)" + draw(spaced(national)),
        "plus_zero": "+62" + gap + draw(spaced("0" + national)),
        "bare_paren0": "62" + gap + "(0)" + draw(spaced(national)),
    }[form]
    return text, local


# Near-numbers: digits after a 0 or a country code, of every length around a number's (a landline's, a mistyped
# mobile's), many of them stored: what is stored of "anything else" is looked at below (random text alone is almost
# never a number: it was stored in no example, and the checks of what is stored never ran).
NEAR = st.tuples(
    st.sampled_from(["0", "+62 ", "62", "+62 (0)"]),
    st.sampled_from("123456789"),
    st.text("0123456789", min_size=6, max_size=13),
).map("".join)


@given(written(), st.text("+0123456789 ()-.", max_size=30) | st.text(max_size=40), NEAR)
def test_a_mobile_number_however_written_is_stored_as_its_local_digits_and_anything_else_as_digits_or_none(
    case, other, near
):
    text, local = case
    assert normalize_phone(text) == local
    # any other text: digits from one 0 (never "00…", as a dropped trunk 0 might make), the same when
    # normalised again, or None; never an error
    for typed in (other, near):
        stored = normalize_phone(typed)
        if stored is not None:
            assert stored.isdigit() and stored.startswith("0") and not stored.startswith("00"), (typed, stored)
            assert 9 <= len(stored) <= 13, (typed, stored)
            assert normalize_phone(stored) == stored, (typed, stored)
