"""The catalogue explained for people: ``asgicheck explain`` and ``asgicheck rules`` (``_text``),
the spec sections rules cite (``_spec``), wrong and right code per rule (``_examples``), and the
generated rules reference (``python -m asgicheck.explain.docs``, docs/rules.md).
"""

from __future__ import annotations

from asgicheck.explain._examples import EXAMPLES
from asgicheck.explain._spec import SPEC_DIR, Section, find_section, quote, sections
from asgicheck.explain._text import explain, rules_table

__all__ = ["EXAMPLES", "SPEC_DIR", "Section", "explain", "find_section", "quote", "rules_table",
           "sections"]
