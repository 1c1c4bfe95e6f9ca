"""Where at the site: the place an order's doses are given (the medicine room, the heroin clinic)
and a place's name."""

from __future__ import annotations

from skranke.domain.site import Site

HEROIN = "diacetylmorfin"  # the preparation given only at the heroin clinic
HEROIN_CLINIC = "heroinklinikken"


def medicine_place(site: Site, preparation: str, in_heroin_treatment: bool = False) -> str:
    """Where an order's doses are given: heroin at the heroin clinic, and with it the methadone or
    morphine of a citizen in heroin treatment (000 § 5.4); the rest in the medicine room."""
    ids = [d.id for d in site.all_departments()]
    if (preparation == HEROIN or in_heroin_treatment) and HEROIN_CLINIC in ids:
        return HEROIN_CLINIC
    services = [d.id for d in site.all_departments() if d.kind == "service" and "medicin" in d.id]
    return services[0] if services else site.departments[0].id


def window_places(site: Site) -> list[str]:
    """Where doses are given: the medicine room, and the heroin clinic where the site has one."""
    return sorted({medicine_place(site, "metadon"), medicine_place(site, HEROIN)})


def place_name(site: Site, place: str) -> str:
    """A department's or a service's name; an id the site does not know is shown as it is."""
    try:
        return site.department(place).name
    except KeyError:
        return place
