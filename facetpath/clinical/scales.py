"""Pain scales: their ranges and the conversion between them (../shared/spec/case-format.md §1).

A case records its pain on one scale (`assessment.pain_scale`). The web application asks patients on
the 0-10 NRS-11 and stores scores on the scale the patient's assessment records, so every range check
and every conversion in the project reads the numbers here.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final

NRS_11: Final = "NRS-11"
VAS_100: Final = "VAS-100"

# The top of each scale; every scale starts at 0 ("no pain").
PAIN_SCALES: Final = {NRS_11: 10, VAS_100: 100}
DEFAULT_PAIN_SCALE: Final = NRS_11


class UnknownPainScale(ValueError):
    def __init__(self, scale: str) -> None:
        super().__init__(f'"{scale}" is not a pain scale (one of {", ".join(PAIN_SCALES)})')
        self.scale = scale


def pain_scale_top(scale: str) -> int:
    """The highest score of `scale`: 10 on the NRS-11, 100 on the VAS-100."""
    try:
        return PAIN_SCALES[scale]
    except KeyError:
        raise UnknownPainScale(scale) from None


def pain_scale_range(scale: str) -> range:
    """Every whole score of `scale`, 0 to its top."""
    return range(pain_scale_top(scale) + 1)


def pain_scale_label(scale: str) -> str:
    """`NRS-11 scale (0-10)`: the scale's name with its range, for messages."""
    return f"{scale} scale (0-{pain_scale_top(scale)})"


def rescale_pain(value: int | Fraction, from_scale: str, to_scale: str) -> int | Fraction:
    """`value` on `from_scale` as the same share of `to_scale`, exactly (4 on the NRS-11 is 40 on the VAS-100)."""
    scaled = Fraction(value) * pain_scale_top(to_scale) / pain_scale_top(from_scale)
    return int(scaled) if scaled.denominator == 1 else scaled


def convert_pain(value: int, from_scale: str, to_scale: str) -> int:
    """A whole score on `from_scale` as the nearest whole score on `to_scale`; halves round up, so a
    conversion never reports less pain than was given (45 on the VAS-100 is 5 on the NRS-11)."""
    scaled = Fraction(rescale_pain(value, from_scale, to_scale))
    whole = scaled.numerator // scaled.denominator
    return whole + 1 if scaled - whole >= Fraction(1, 2) else whole
