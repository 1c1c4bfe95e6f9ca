"""The fixed words of the export contract and the SMDB closing statuses (DESIGN §1, §3)."""

from __future__ import annotations

# Legal basis of a case: Serviceloven § 101 / § 101a, Sundhedsloven § 142 / § 141.
PARAGRAPHS: frozenset[str] = frozenset({"SEL101", "SEL101a", "SUL142", "SUL141"})
ANONYMOUS_PARAGRAPH = "SEL101a"

# SMDB closing statuses. Only 002 § 10 and 004 name the first four as those followed up; which
# statuses call for follow-up is a site setting (rules.follow_up_statuses).
CLOSING_STATUSES: frozenset[str] = frozenset(
    {"færdigbehandlet", "andet tilbud", "hospital", "anden årsag", "udeblevet", "eget ønske"}
)

# The outcome at discharge as the journal writes it (`udfald`, `maal_opnaaet` in `sager*.csv`;
# DESIGN §1 "Key figures and reporting"): what the sites' targets are measured by (002 § 2, 004
# "Monitorering af indsatsen"). Tuples: their order is the order reports show them in.
OUTCOMES: tuple[str, ...] = ("stoffri", "reduceret", "uaendret")
GOALS_REACHED: tuple[str, ...] = ("ja", "delvist", "nej")

APPOINTMENT_KINDS: frozenset[str] = frozenset({"visitation", "læge", "samtale"})

DISPENSING_OUTCOMES: frozenset[str] = frozenset({"given", "refused", "missed"})
# Why a dose was refused at the window, as a refusal is stored and `skranke dispense --refused` takes it.
REFUSAL_REASONS: tuple[str, ...] = ("intoxicated", "declined", "other")

# Who may do what (DESIGN §1 "Staff, access and the audit log").
STAFF_ROLES: frozenset[str] = frozenset({"reception", "nurse", "doctor", "admin"})

# What an intake, the dispensing window or a follow-up call leaves for someone to do.
TASK_KINDS: frozenset[str] = frozenset(
    {
        "notify_children_services",
        "familieambulatoriet",
        "parental_consent",
        "doctor_talk",
        "tell_doctor",
        "follow_up",
        "child_assessment",
        "detention_contract_offer",
        "infection_screening",
        "cooperate_children_services",
    }
)

# Tasks the controlled-substance accounts raise (domain.stock): about a service's stock, not a
# citizen, so theirs is the one kind of task without a citizen (a database CHECK says so).
STOCK_TASK_KINDS: frozenset[str] = frozenset({"stock_negative", "stock_difference"})

# What a citizen uses, as the intake form and `skranke intake` name it (DESIGN §3).
SUBSTANCES: tuple[str, ...] = (
    "alkohol",
    "hash",
    "kokain",
    "amfetamin",
    "ecstasy",
    "heroin",
    "opioider",
    "benzodiazepiner",
    "andet",
)
