"""Synthetic people: names, aliases, clinicians, phone numbers and CPR numbers.

- Names are drawn from lists of common Danish first and last names; phone numbers are
  8 digits starting with 1 (in the Danish numbering plan 1 starts short codes such as 112,
  not 8-digit subscriber numbers).
- CPR numbers are valid for `stdnum.dk.cpr.validate` (a real birth date in the past, a
  serial whose first digit gives the right century) and marked as synthetic: the serial is
  always `99xx` (7th digit 9 = born 1937-2036), its last digit follows the usual sex rule, and
  the number never passes the old modulus-11 check, which every number issued before 2007
  was given. See `synthetic_cpr`.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from skranke.demo.roles import ANONYMOUS_ROLE, DRUG_FREE, HEROIN_CLINIC, STABILISATION, YOUTH

FIRST_NAMES_MALE: tuple[str, ...] = (
    "Allan",
    "Anders",
    "Bo",
    "Brian",
    "Christian",
    "Daniel",
    "Dennis",
    "Emil",
    "Frederik",
    "Henrik",
    "Jacob",
    "Jannik",
    "Jens",
    "Jesper",
    "Jonas",
    "Kasper",
    "Kenneth",
    "Kim",
    "Lars",
    "Lucas",
    "Mads",
    "Magnus",
    "Martin",
    "Mathias",
    "Michael",
    "Mikkel",
    "Morten",
    "Niels",
    "Nikolaj",
    "Oliver",
    "Peter",
    "Rasmus",
    "René",
    "Simon",
    "Søren",
    "Thomas",
    "Tobias",
    "Torben",
    "Ulrik",
    "William",
)
FIRST_NAMES_FEMALE: tuple[str, ...] = (
    "Anna",
    "Anne",
    "Asta",
    "Birgitte",
    "Camilla",
    "Cecilie",
    "Charlotte",
    "Clara",
    "Dorthe",
    "Emma",
    "Freja",
    "Hanne",
    "Helle",
    "Ida",
    "Josefine",
    "Julie",
    "Karina",
    "Katrine",
    "Laura",
    "Lene",
    "Line",
    "Louise",
    "Lærke",
    "Maja",
    "Malene",
    "Maria",
    "Marianne",
    "Mathilde",
    "Mette",
    "Nanna",
    "Natasja",
    "Pernille",
    "Rikke",
    "Sara",
    "Signe",
    "Sofie",
    "Susanne",
    "Tina",
    "Trine",
    "Vibeke",
)
LAST_NAMES: tuple[str, ...] = (
    "Andersen",
    "Andreasen",
    "Bach",
    "Bruun",
    "Christensen",
    "Christiansen",
    "Clausen",
    "Dahl",
    "Damgaard",
    "Eriksen",
    "Frederiksen",
    "Friis",
    "Hansen",
    "Henriksen",
    "Holm",
    "Iversen",
    "Jakobsen",
    "Jensen",
    "Jeppesen",
    "Johansen",
    "Juhl",
    "Jørgensen",
    "Kjær",
    "Knudsen",
    "Kristensen",
    "Kristiansen",
    "Larsen",
    "Lauridsen",
    "Laursen",
    "Lund",
    "Madsen",
    "Mikkelsen",
    "Mortensen",
    "Munk",
    "Møller",
    "Nielsen",
    "Nissen",
    "Olsen",
    "Pedersen",
    "Petersen",
    "Poulsen",
    "Rasmussen",
    "Schmidt",
    "Simonsen",
    "Skov",
    "Svendsen",
    "Sørensen",
    "Thomsen",
    "Vestergaard",
    "Østergaard",
)
ALIASES: tuple[str, ...] = (
    "Basse",
    "Bette",
    "Bjørnen",
    "Cykel-Jens",
    "Fiskeren",
    "Gulle",
    "Haren",
    "Kaptajnen",
    "Kokken",
    "Lillebror",
    "Lynet",
    "Maleren",
    "Molle",
    "Mågen",
    "Pjevs",
    "Professoren",
    "Pusle",
    "Ræven",
    "Skipper",
    "Smutter",
    "Store-Mads",
    "Sømanden",
    "Tut",
    "Ulven",
    "Egernet",
    "Grævlingen",
    "Kragen",
    "Musvågen",
    "Odderen",
    "Pindsvinet",
    "Spurven",
    "Stæren",
    "Svanen",
    "Uglen",
    "Viben",
    "Hjorten",
    "Lærken",
    "Mejsen",
    "Ternen",
    "Vildanden",
)
DOCTORS: tuple[str, ...] = ("Henning Thorup", "Lise Bækgaard", "Ahmad Rahimi", "Birthe Kjeldsen")
COUNSELLORS: dict[str, tuple[str, ...]] = {
    YOUTH: ("Jonna Fisker", "Mikael Bisgaard", "Yasmin Ali"),
    STABILISATION: ("Ole Dalsgaard", "Tanja Winther"),
    DRUG_FREE: ("Sanne Krog", "Per Husted"),
    HEROIN_CLINIC: ("Gitte Vang", "Bent Ravn"),
    ANONYMOUS_ROLE: ("Yasmin Ali", "Jonna Fisker"),
}

_CPR_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
CPR_SERIAL_PREFIX = "99"
CPR_FIRST_BIRTH = date(1937, 1, 1)  # 7th digit 9: 19yy for yy >= 37, 20yy below
CPR_LAST_BIRTH = date(2036, 12, 31)


def synthetic_cpr(birth: date, n: int, *, female: bool) -> str:
    """The `n`-th (0-based) synthetic CPR number for a birth date and sex.

    DDMMYY + `99` + two digits: the 7th digit 9 gives the right century for births
    1937-2036, the last digit is even for women and odd for men, and the number always
    fails the modulus-11 check. About 45 numbers exist per birth date and sex.
    """
    if not CPR_FIRST_BIRTH <= birth <= CPR_LAST_BIRTH:
        raise ValueError(f"synthetic CPR numbers cover births {CPR_FIRST_BIRTH}..{CPR_LAST_BIRTH}, not {birth}")
    head = f"{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}{CPR_SERIAL_PREFIX}"
    base = sum(w * int(c) for w, c in zip(_CPR_WEIGHTS, head))
    seen = 0
    for tail in range(100):
        if (tail % 2 == 0) != female:
            continue
        if (base + 2 * (tail // 10) + tail % 10) % 11 == 0:
            continue  # passes modulus 11: could be a number issued before 2007
        if seen == n:
            return f"{head}{tail:02d}"
        seen += 1
    raise ValueError(f"no synthetic CPR number number {n} for {birth} ({'female' if female else 'male'})")


def birth_date(today: date, age: int, days_after_birthday: int) -> date:
    """A birth date giving `age` full years on `today` (0 <= days_after_birthday <= 364)."""
    return today - relativedelta(years=age) - timedelta(days=days_after_birthday)


def phone_number(rng: random.Random) -> str:
    """8 digits in pairs, starting with 1 (short-code range: no subscriber has it)."""
    digits = f"1{rng.randrange(10_000_000):07d}"
    return f"{digits[0:2]} {digits[2:4]} {digits[4:6]} {digits[6:8]}"
