"""CSV files a clinic opens in a spreadsheet (the audit trail's export, the blocks export): cells that cannot
run as formulas, and the writer's pass-through file for streaming."""

from __future__ import annotations

import re

# A spreadsheet runs a cell starting with = + - @ (or a tab or CR before one) as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def cell(value: object) -> str:
    """The value as a cell that shows as text: names, paths and details come from outside, so a cell that
    would run as a formula gets a leading apostrophe. A negative number stays a number."""
    text = "" if value is None else str(value)
    if PLAIN_NUMBER.fullmatch(text):
        return text
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class Echo:
    """csv.writer's file: hands each line back instead of keeping it, so a response can stream the rows."""

    def write(self, line: str) -> str:
        return line
