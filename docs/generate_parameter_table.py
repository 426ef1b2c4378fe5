"""Rewrite the parameter tables of ``docs/ODD.md`` from the parameter schema.

The table between the markers ``<!-- parameters:start -->`` and ``<!-- parameters:end -->`` is
exactly the output of :func:`ecosystem.parameters.schema_table` (Markdown: the basic parameters,
section 3.5), with one blank line after the start marker and one before the end marker. Where the
document also has the markers ``<!-- advanced:start -->`` and ``<!-- advanced:end -->``, the table
between them is :func:`ecosystem.parameters.advanced_table` (the advanced parameters, the
mechanisms' constants, section 3.6), laid out the same way. Nothing else in the file is touched.

Run it after changing ``ecosystem/parameters.py``::

    python docs/generate_parameter_table.py           # rewrite docs/ODD.md in place
    python docs/generate_parameter_table.py --check   # exit 1 if the table is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ecosystem.parameters import advanced_table, schema_table

ODD_PATH = Path(__file__).resolve().parent / "ODD.md"
START = "<!-- parameters:start -->"
END = "<!-- parameters:end -->"
ADVANCED_START = "<!-- advanced:start -->"
ADVANCED_END = "<!-- advanced:end -->"


def parameter_block() -> str:
    """The text that belongs between the markers: a blank line, the schema table, a blank line."""
    return "\n\n" + schema_table(markdown=True) + "\n\n"


def advanced_block() -> str:
    """The text that belongs between the advanced markers: the advanced parameters' table."""
    return "\n\n" + advanced_table(markdown=True) + "\n\n"


def _marker_span(text: str, first: str = START, last: str = END) -> tuple[int, int]:
    """Start and end offsets of the text between the markers (each must occur exactly once)."""
    for marker in (first, last):
        count = text.count(marker)
        if count != 1:
            raise ValueError(f"expected the marker {marker!r} exactly once, found it {count} times")
    begin = text.index(first) + len(first)
    end = text.index(last)
    if end < begin:
        raise ValueError(f"the marker {last!r} comes before {first!r}")
    return begin, end


def current_block(text: str) -> str:
    """The text currently between the markers."""
    begin, end = _marker_span(text)
    return text[begin:end]


def replace_block(text: str) -> str:
    """``text`` with the block between the markers replaced by :func:`parameter_block`, and the
    block between the advanced markers (if there are any) by :func:`advanced_block`."""
    begin, end = _marker_span(text)
    text = text[:begin] + parameter_block() + text[end:]
    if ADVANCED_START in text or ADVANCED_END in text:
        begin, end = _marker_span(text, ADVANCED_START, ADVANCED_END)
        text = text[:begin] + advanced_block() + text[end:]
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Regenerate the parameter table of docs/ODD.md from ecosystem.parameters."
    )
    parser.add_argument("path", nargs="?", type=Path, default=ODD_PATH, help="document to update")
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit with status 1 if the table is out of date"
    )
    args = parser.parse_args(argv)
    text = args.path.read_text(encoding="utf-8")
    try:
        updated = replace_block(text)
    except ValueError as error:
        print(f"{args.path}: {error}", file=sys.stderr)
        return 2
    if updated == text:
        print(f"{args.path}: parameter table is up to date")
        return 0
    if args.check:
        print(
            f"{args.path}: parameter table is out of date; run `python docs/generate_parameter_table.py`",
            file=sys.stderr,
        )
        return 1
    args.path.write_text(updated, encoding="utf-8")
    print(f"{args.path}: parameter table rewritten from ecosystem.parameters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
