"""The areas and themes a workbook may name, with the nesting that joins local knowledge to the numbers.

A coordinator writes "491", "Mikkeli", "Ristiina" or "Etelä-Savo"; the estimate table speaks of
(domain, domain_value) cells. An `AreaCatalogue` maps between the two and knows which area lies inside which,
so that an actor serving the whole region also counts in each of its municipalities, and a village's
observation counts for its municipality. Nothing here is hard-coded: catalogues are built from the reference
tables (`area_catalogue`) and the indicator definitions (`ThemeCatalogue.from_indicators`), or passed in.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from ath_analysis.errors import ConfigError, close_matches
from ath_analysis.local.vocabulary import fold
from ath_analysis.municipalities import Municipalities
from ath_analysis.subareas import Subareas

# Levels of the area tree, largest first; each is the estimate table's `domain` of such an area.
AREA_LEVELS: tuple[str, ...] = ("region", "municipality", "subarea_group", "subarea")


@dataclass(frozen=True)
class Area:
    """One area a workbook can name.

    code: what the workbook writes (municipality or region code, sub-area name…), unique in a catalogue.
    level: the estimate table's `domain` for this area (region, municipality, subarea_group, subarea, or any
        other name for areas that have no estimates).
    parent: code of the area this one lies in (None at the top).
    domain_value: the estimate table's `domain_value` when it differs from `code`.
    aliases: other spellings that mean this area (a postal code, an old name).
    """

    code: str
    level: str
    label_fi: str
    label_en: str = ""
    parent: str | None = None
    domain_value: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def value(self) -> str:
        """The area's `domain_value` in the estimate table."""
        return self.domain_value or self.code

    def label(self, lang: str = "fi") -> str:
        return (self.label_en or self.label_fi) if lang == "en" else self.label_fi


@dataclass(frozen=True)
class AreaCatalogue:
    """Known areas and their nesting; `resolve` turns what a coordinator wrote into a code."""

    areas: tuple[Area, ...]
    _by_code: dict[str, Area] = field(init=False, repr=False, compare=False)
    _lookup: dict[str, str | None] = field(init=False, repr=False, compare=False)
    _by_cell: dict[tuple[str, str], str] = field(init=False, repr=False, compare=False)
    _children: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code: dict[str, Area] = {}
        for area in self.areas:
            if area.code in by_code:
                raise ConfigError(f"area catalogue: code '{area.code}' is given twice")
            by_code[area.code] = area
        children: dict[str, list[str]] = {code: [] for code in by_code}
        for area in self.areas:
            if area.parent is not None:
                if area.parent not in by_code:
                    raise ConfigError(f"area catalogue: parent '{area.parent}' of '{area.code}' is not an area")
                children[area.parent].append(area.code)
        # a code always means its own area; an alias or a name means the one area that has it (none if shared)
        lookup: dict[str, str | None] = {fold(a.code): a.code for a in self.areas}
        owners: dict[str, set[str]] = {}
        for area in self.areas:
            for word in (*area.aliases, area.label_fi, area.label_en):
                if word:
                    owners.setdefault(fold(word), set()).add(area.code)
        for word, codes in owners.items():
            if word not in lookup:
                lookup[word] = next(iter(codes)) if len(codes) == 1 else None
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_lookup", lookup)
        object.__setattr__(self, "_by_cell", {(a.level, a.value): a.code for a in self.areas})
        object.__setattr__(self, "_children", {k: tuple(v) for k, v in children.items()})
        for code in by_code:
            self.ancestors(code)  # raises on a cycle

    @classmethod
    def flat(cls, known: Mapping[str, str] | Collection[str], level: str = "area") -> AreaCatalogue:
        """A catalogue without nesting from codes (or code → name); every area is of `level`."""
        names = dict(known) if isinstance(known, Mapping) else {str(c): str(c) for c in known}
        return cls(tuple(Area(str(code), level, str(name)) for code, name in names.items()))

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __getitem__(self, code: str) -> Area:
        return self._by_code[code]

    def __iter__(self) -> Iterator[Area]:
        return iter(self.areas)

    def __len__(self) -> int:
        return len(self.areas)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self._by_code)

    def label(self, code: str, lang: str = "fi") -> str:
        return self._by_code[code].label(lang) if code in self._by_code else code

    def resolve(self, text: str) -> str | None:
        """The code meant by `text`: a code, an alias or a name (case-insensitive), or None.

        A code that lost its leading zeros in Excel ("46" for "046") is found again.
        """
        text = str(text).strip()
        code = self._lookup.get(fold(text))
        if code is None and text.isdigit():
            for width in sorted({len(c) for c in self._by_code if c.isdigit()}):
                if width > len(text) and text.zfill(width) in self._by_code:
                    return text.zfill(width)
        return code

    def hint(self, text: str) -> str:
        """' (did you mean: …?)' for an unknown area, or '' when nothing is close."""
        words = [*self._by_code, *(a.label_fi for a in self.areas)]
        return close_matches(str(text).strip(), dict.fromkeys(words))

    def ancestors(self, code: str) -> tuple[str, ...]:
        """The areas `code` lies in, nearest first."""
        out: list[str] = []
        parent = self._by_code[code].parent
        while parent is not None:
            if parent in out or parent == code:
                raise ConfigError(f"area catalogue: '{code}' lies inside itself (via {', '.join(out)})")
            out.append(parent)
            parent = self._by_code[parent].parent
        return tuple(out)

    def descendants(self, code: str) -> tuple[str, ...]:
        """Every area inside `code` (children first)."""
        out: list[str] = []
        frontier = list(self._children[code])
        while frontier:
            out += frontier
            frontier = [c for parent in frontier for c in self._children[parent]]
        return tuple(out)

    def relation(self, code: str, other: str) -> str:
        """How `other` stands to `code`: 'here' (the same), 'wider' (other contains code), 'within' (other lies
        inside code) or '' (unrelated)."""
        if other == code:
            return "here"
        if other in self.ancestors(code):
            return "wider"
        if code in self.ancestors(other):
            return "within"
        return ""

    def for_cell(self, domain: str, value: str) -> str | None:
        """The code of the area an estimate-table cell (domain, domain_value) describes, if it is one."""
        return self._by_cell.get((str(domain), str(value)))

    def around(self, code: str) -> AreaCatalogue:
        """The areas a workbook for `code` may name: the area, everything inside it and what it lies in."""
        keep = {code, *self.ancestors(code), *self.descendants(code)}
        return AreaCatalogue(tuple(a for a in self.areas if a.code in keep))


class IndicatorLike(Protocol):
    """What a theme catalogue needs of an indicator (`ath_analysis.indicators.definitions.Indicator` has it)."""

    @property
    def id(self) -> str: ...
    @property
    def label_fi(self) -> str: ...
    @property
    def label_en(self) -> str: ...
    @property
    def group(self) -> str | None: ...
    @property
    def group_en(self) -> str | None: ...


@dataclass(frozen=True)
class Theme:
    """An indicator or an indicator group; `group` is an indicator's group theme id."""

    id: str
    label_fi: str
    label_en: str = ""
    group: str | None = None
    is_group: bool = False
    aliases: tuple[str, ...] = ()

    def label(self, lang: str = "fi") -> str:
        return (self.label_en or self.label_fi) if lang == "en" else self.label_fi


@dataclass(frozen=True)
class ThemeCatalogue:
    """Indicator ids and indicator groups a workbook may name as themes."""

    themes: tuple[Theme, ...]
    _by_id: dict[str, Theme] = field(init=False, repr=False, compare=False)
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)
    _members: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Theme] = {}
        for theme in self.themes:
            if theme.id in by_id:
                raise ConfigError(f"theme catalogue: '{theme.id}' is given twice")
            by_id[theme.id] = theme
        members: dict[str, list[str]] = {t.id: [] for t in self.themes if t.is_group}
        for theme in self.themes:
            if theme.group is not None:
                if theme.group not in members:
                    raise ConfigError(f"theme catalogue: group '{theme.group}' of '{theme.id}' is not a group")
                members[theme.group].append(theme.id)
        lookup: dict[str, str] = {}
        for theme in self.themes:
            for word in (theme.id, *theme.aliases):
                lookup.setdefault(fold(word), theme.id)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_lookup", lookup)
        object.__setattr__(self, "_members", {k: tuple(v) for k, v in members.items()})

    @classmethod
    def from_indicators(cls, indicators: Iterable[IndicatorLike]) -> ThemeCatalogue:
        """Every indicator and every group (`group`, with `group_en` as its English name and alias)."""
        groups: dict[str, Theme] = {}
        themes: list[Theme] = []
        for ind in indicators:
            if ind.group:
                groups.setdefault(ind.group, Theme(ind.group, ind.group, ind.group_en or ind.group, None, True,
                                                   (ind.group_en,) if ind.group_en else ()))
            themes.append(Theme(ind.id, ind.label_fi, ind.label_en, ind.group or None))
        return cls((*groups.values(), *themes))

    @classmethod
    def flat(cls, known: Mapping[str, str | None] | Collection[str]) -> ThemeCatalogue:
        """From indicator ids, or indicator id → group name (groups are made from the names)."""
        mapping = dict(known) if isinstance(known, Mapping) else dict.fromkeys(map(str, known))
        groups = {g: Theme(g, g, g, None, True) for g in mapping.values() if g}
        return cls((*groups.values(), *(Theme(i, i, i, g or None) for i, g in mapping.items())))

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self._by_id

    def __getitem__(self, theme_id: str) -> Theme:
        return self._by_id[theme_id]

    def __iter__(self) -> Iterator[Theme]:
        return iter(self.themes)

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes if not t.is_group)

    def label(self, theme_id: str, lang: str = "fi") -> str:
        return self._by_id[theme_id].label(lang) if theme_id in self._by_id else theme_id

    def resolve(self, text: str) -> str | None:
        return self._lookup.get(fold(text))

    def hint(self, text: str) -> str:
        return close_matches(str(text).strip(), list(self._by_id))

    def is_indicator(self, theme_id: str) -> bool:
        return theme_id in self._by_id and not self._by_id[theme_id].is_group

    def indicators_of(self, theme_id: str) -> tuple[str, ...]:
        """The indicators a theme stands for: a group's members, or the indicator itself."""
        if theme_id not in self._by_id:
            return ()
        return self._members[theme_id] if self._by_id[theme_id].is_group else (theme_id,)

    def covering(self, indicator: str) -> tuple[str, ...]:
        """The themes that speak about `indicator`: itself and its group."""
        theme = self._by_id.get(indicator)
        if theme is None:
            return (indicator,)
        return (indicator, theme.group) if theme.group else (indicator,)


def as_area_catalogue(known: AreaCatalogue | Mapping[str, str] | Collection[str]) -> AreaCatalogue:
    """A catalogue from what a caller has: a catalogue, code → name, or codes."""
    return known if isinstance(known, AreaCatalogue) else AreaCatalogue.flat(known)


def as_theme_catalogue(known: ThemeCatalogue | Mapping[str, str | None] | Collection[str]) -> ThemeCatalogue:
    """A catalogue from what a caller has: a catalogue, indicator id → group, or indicator ids."""
    return known if isinstance(known, ThemeCatalogue) else ThemeCatalogue.flat(known)


def area_catalogue(
    municipalities: Municipalities,
    region_code: str,
    reference_date: str,
    *,
    region_label_fi: str | None = None,
    region_label_en: str | None = None,
    subareas: Subareas | None = None,
) -> AreaCatalogue:
    """The region, its municipalities on `reference_date` and one municipality's sub-area groups and sub-areas.

    Sub-areas come from the configured sub-area table (its `subarea` and `subarea_group` columns). A sub-area
    named like its group (the village that gave a former municipality its name) is written by its postal code,
    because the name means the group.
    """
    label_fi = region_label_fi or f"Maakunta {region_code}"
    areas = [Area(region_code, "region", label_fi, region_label_en or label_fi)]
    names = municipalities.names()
    codes = pd.Series(sorted(names), dtype="string")
    regions = municipalities.maakunta(codes, reference_date)
    current = codes[regions.eq(region_code).fillna(False).to_numpy(bool)]
    areas += [Area(str(c), "municipality", names[str(c)], names[str(c)], region_code) for c in current]
    if subareas is not None:
        subarea_municipality = subareas.municipality
        if subarea_municipality not in set(current):
            raise ConfigError(f"sub-areas: municipality '{subarea_municipality}' is not in region {region_code} "
                              f"on {reference_date}{close_matches(subarea_municipality, list(current))}")
        table = subareas.table
        for group in dict.fromkeys(table["subarea_group"]):
            areas.append(Area(str(group), "subarea_group", str(group), str(group), subarea_municipality))
        groups = set(table["subarea_group"])
        for subarea, rows in table.groupby("subarea", sort=False):
            postal = tuple(str(p) for p in rows["postal_code"])
            name = str(subarea)
            clash = name in groups or name in names
            code = postal[0] if clash and len(postal) == 1 else name
            label = f"{name} ({', '.join(postal)})" if clash else name
            areas.append(Area(code, "subarea", label, label, str(rows["subarea_group"].iloc[0]), name,
                              tuple(p for p in postal if p != code)))
    return AreaCatalogue(tuple(areas))
