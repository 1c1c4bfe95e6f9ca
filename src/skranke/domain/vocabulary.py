"""The fixed words of the export contract and the SMDB closing statuses (DESIGN §1, §3)."""

from __future__ import annotations

# Legal basis of a case: Serviceloven § 101 / § 101a, Sundhedsloven § 142 / § 141.
PARAGRAPHS: frozenset[str] = frozenset({"SEL101", "SEL101a", "SUL142", "SUL141"})
ANONYMOUS_PARAGRAPH = "SEL101a"

# SMDB closing statuses; the first four call for follow-up (000, 002, 003, 004).
CLOSING_STATUSES: frozenset[str] = frozenset(
    {"færdigbehandlet", "andet tilbud", "hospital", "anden årsag", "udeblevet", "eget ønske"}
)

APPOINTMENT_KINDS: frozenset[str] = frozenset({"visitation", "læge", "samtale"})

DISPENSING_OUTCOMES: frozenset[str] = frozenset({"given", "refused", "missed"})
