"""Report templates as data: the pydantic schema of a template file and its loader.

A template (``reports/templates/<key>.yaml``) lists sections in order; each section holds
indicators (the questions), nested sections and prose patterns. Files whose name starts with
``_`` are fragments that templates pull in with ``include:``. Every problem found on load is
reported as a :class:`TemplateError` naming the file, the key path and what is wrong.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reports.expressions import ExpressionError, compile_expression, names_in
from reports.periods import PERIOD_KINDS, Period

TEMPLATES_DIR = Path(__file__).parent / "templates"
KEY_RE = r"^[a-z][a-z0-9_]*$"
PLACEHOLDER_RE = re.compile(r"\{([a-z][a-z0-9_]*)(?:\.([a-z_]+))?\}")

IndicatorType = Literal[
    "integer", "decimal", "percent", "yesno", "choice", "multichoice", "date", "text", "list", "pair"
]
PeriodKind = Literal["half_year", "second_half", "annual", "quarter", "multi_year", "custom"]
# How an indicator combines across the units a supervisor compiles (reports.aggregate): numbers and
# pairs are summed; yes/no counts the units answering yes; choices give a distribution; list items
# are joined with their unit's name; free texts are collected per unit; "none" leaves it out.
Aggregate = Literal["sum", "yes_count", "distribution", "join", "collect", "none"]
AGGREGATES_BY_TYPE: dict[str, tuple[str, ...]] = {  # the first is the default
    "integer": ("sum", "none"), "decimal": ("sum", "none"), "pair": ("sum", "none"),
    "yesno": ("yes_count", "none"), "choice": ("distribution", "none"), "multichoice": ("distribution", "none"),
    "list": ("join", "none"), "text": ("collect", "none"),
    "percent": ("none",), "date": ("none",),  # a typed rate has no parts to recompute it from
}
COMPILED_NAMES = frozenset({"reporting"})  # placeholders only compiled prose has: "15/17 xã"


class TemplateError(ValueError):
    """A template file is invalid; the message names the file, the key and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Strict):
    id: str = Field(pattern=KEY_RE)
    label: str = Field(min_length=1)


class ItemField(_Strict):
    """One field of an item in a list-type indicator (e.g. a document's number and date)."""

    key: str = Field(pattern=KEY_RE)
    label: str = Field(min_length=1)
    type: Literal["text", "date", "integer", "year", "choice"] = "text"
    required: bool = True
    choices: tuple[Choice, ...] = ()

    @model_validator(mode="after")
    def _choices_match_type(self) -> "ItemField":
        if (self.type == "choice") != bool(self.choices):
            raise ValueError("'choices' is required for type choice and only allowed there")
        return self


class Indicator(_Strict):
    key: str = Field(pattern=KEY_RE)
    label: str | None = Field(default=None, description="Short name for the review list")
    question: str = Field(min_length=1)
    hint: str = Field(min_length=1, description="How to answer, with an example")
    type: IndicatorType
    unit: str | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    required: bool = True
    no_figure: bool = Field(default=True, description='May be answered "không có số liệu" (no value, never a zero)')
    relevant: str | None = None
    choices: tuple[Choice, ...] = ()
    fields: tuple[ItemField, ...] = ()
    standard: str | None = None
    profile: bool = False
    carry: bool | None = Field(default=None, description="Last period's answer is offered (default: profile "
                               "figures and paragraphs with a standard text)")
    max_length: int = Field(default=10_000, gt=0)
    max_items: int = Field(default=50, gt=0)
    item_format: str | None = None
    list_style: Literal["inline", "dash", "number", "table"] = Field(
        default="inline", description='How a list reads in the Word file: run into its sentence ("inline"), '
        'or one paragraph an item after the sentence, "- …;" ("dash") or "1. …." ("number"), or a table '
        'of one row an item, one column a field ("table": figures per year in a review, say)')
    aggregate: Aggregate | None = None  # None: the type's default (AGGREGATES_BY_TYPE)
    from_below: str | None = Field(default=None, pattern=KEY_RE, description="The key, in the template of the "
                                   "units below (Template.below), whose compiled figure is offered as the answer")
    cumulative: bool = Field(default=False, description="Also summed over the plan's earlier periods "
                             "({key.total} in prose, key.total in expressions; the template's 'since')")

    @model_validator(mode="after")
    def _type_specific(self) -> "Indicator":
        if self.cumulative and self.type not in ("integer", "decimal"):
            raise ValueError("'cumulative' is only for integer and decimal figures")
        if self.from_below and self.type not in ("integer", "decimal"):
            raise ValueError("'from_below' is only for integer and decimal figures")
        if self.aggregate is not None and self.aggregate not in AGGREGATES_BY_TYPE[self.type]:
            allowed = ", ".join(AGGREGATES_BY_TYPE[self.type])
            raise ValueError(f"'aggregate: {self.aggregate}' does not fit type {self.type} (use {allowed})")
        if (self.type in ("choice", "multichoice")) != bool(self.choices):
            raise ValueError("'choices' is required for choice/multichoice and only allowed there")
        if len({c.id for c in self.choices}) != len(self.choices):
            raise ValueError("choice ids must be unique")
        if (self.type == "list") != bool(self.fields):
            raise ValueError("'fields' is required for type list and only allowed there")
        if self.standard is not None and self.type != "text":
            raise ValueError("'standard' (a standard paragraph) is only allowed for type text")
        if (self.min is not None or self.max is not None) and self.type not in (
            "integer", "decimal", "percent", "pair"
        ):
            raise ValueError("'min'/'max' are only allowed for numeric types")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("'min' is greater than 'max'")
        if self.list_style != "inline" and self.type != "list":
            raise ValueError("'list_style' is only allowed for type list")
        if self.item_format is not None:
            if self.type != "list":
                raise ValueError("'item_format' is only allowed for type list")
            names = {name for name, _ in PLACEHOLDER_RE.findall(self.item_format)}
            unknown = names - {f.key for f in self.fields}
            if unknown:
                raise ValueError(f"'item_format' names unknown field(s) {', '.join(sorted(unknown))}")
        if self.relevant:
            _check_expression(self.relevant)
        return self

    @property
    def short_label(self) -> str:
        if self.label:
            return self.label
        text = self.question.rstrip("?").strip()
        return text if len(text) <= 60 else text[:57].rstrip() + "…"

    @property
    def combine(self) -> str:
        """How this indicator combines across units (its ``aggregate``, or the type's default)."""
        return self.aggregate or AGGREGATES_BY_TYPE[self.type][0]

    @property
    def choice_labels(self) -> dict[str, str]:
        return {c.id: c.label for c in self.choices}

    @property
    def carries(self) -> bool:
        """Whether last period's answer tends to hold again and is offered to keep."""
        return self.carry if self.carry is not None else (self.profile or self.standard is not None)


class Sentence(_Strict):
    """A prose pattern chosen by a condition on the values: ``text`` when ``when`` holds,
    ``otherwise`` when it does not (either may be empty: nothing is written), nothing when the
    condition cannot be told (a value it names is missing). This is how a zero gets a sentence
    of its own ("Trong kỳ, không có đơn thư vượt cấp.") instead of "0 đơn thư vượt cấp"."""

    when: str
    text: str = ""
    otherwise: str = ""

    @field_validator("when")
    @classmethod
    def _valid(cls, v: str) -> str:
        _check_expression(v)
        return v

    def patterns(self) -> tuple[str, ...]:
        return tuple(p for p in (self.text, self.otherwise) if p)


Prose = Union[str, Sentence]


def prose_patterns(items: tuple[Prose, ...]) -> Iterator[str]:
    """Every pattern text of a section's prose, alternatives included (for checks)."""
    for item in items:
        yield from ((item,) if isinstance(item, str) else item.patterns())


class Section(_Strict):
    key: str = Field(pattern=KEY_RE)
    title: str = Field(min_length=1)
    heading: str | None = Field(default=None, description="The Word file's heading when not the title; "
                                "may name {year} and {next_year}")
    indicators: tuple[Indicator, ...] = ()
    sections: tuple["Section", ...] = ()
    prose: tuple[Prose, ...] = ()
    compiled: tuple[Prose, ...] = Field(default=(), description="Sentences of the compiled report across units")

    def walk(self, depth: int = 0) -> Iterator[tuple[int, "Section"]]:
        yield depth, self
        for sub in self.sections:
            yield from sub.walk(depth + 1)


class Rule(_Strict):
    check: str
    message: str = Field(min_length=1)

    @field_validator("check")
    @classmethod
    def _valid(cls, v: str) -> str:
        _check_expression(v)
        return v

    @property
    def keys(self) -> frozenset[str]:
        return names_in(self.check)


class Computed(_Strict):
    key: str = Field(pattern=KEY_RE)
    label: str = Field(min_length=1)
    expr: str
    format: Literal["integer", "decimal", "percent"] = "decimal"

    @field_validator("expr")
    @classmethod
    def _valid(cls, v: str) -> str:
        _check_expression(v)
        return v


class Template(_Strict):
    key: str = Field(pattern=KEY_RE)
    version: int = Field(ge=1)
    level: Literal["commune", "district", "province"] = "commune"
    period: PeriodKind
    period_years: int | None = Field(default=None, ge=2, le=20, description="Years a multi_year review covers")
    below: str | None = Field(default=None, pattern=KEY_RE, description="The template the units below fill "
                              "in for the same period: its compiled figures are offered (Indicator.from_below)")
    since: int | None = Field(default=None, ge=2000, le=2100, description="First year of the plan whose "
                              "cumulative figures add up this period's with the earlier ones")
    name: str = Field(min_length=1, description="Short label shown when choosing a report")
    title: str = Field(default="BÁO CÁO")
    parts: bool = Field(default=False, description="Top sections are parts: Phần thứ nhất, Phần thứ hai …")
    subnumbers: Literal["letters", "decimal"] = Field(
        default="letters", description="Below 1., 2.: a), b) or 1.1., 1.2.")
    abstract: str = Field(min_length=1, description="Trích yếu; {year} is replaced")
    symbol: str | None = Field(default=None, pattern=r"^[A-ZĐ][A-ZĐ0-9]*(?:[/-][A-ZĐ0-9]+)+$", max_length=24,
                               description="The report's own document symbol (BC-BCĐ), else the unit's")
    sections: tuple[Section, ...] = Field(min_length=1)
    rules: tuple[Rule, ...] = ()
    computed: tuple[Computed, ...] = ()
    summary: tuple[str, ...] = ()
    compiled_abstract: str | None = Field(default=None, description="Trích yếu of the compiled report")
    annex: tuple[str, ...] = Field(default=(), description="Key figures of the compiled report's per-unit table")

    @model_validator(mode="after")
    def _cross_checks(self) -> "Template":
        if (self.period == "multi_year") != (self.period_years is not None):
            raise ValueError("'period_years' is needed with 'period: multi_year', and only with it")
        if any(ind.from_below for ind in self.indicators) and self.below is None:
            raise ValueError("'from_below' needs the template's 'below', the template of the units below")
        cumulative = {ind.key for ind in self.indicators if ind.cumulative}
        if cumulative and self.since is None:
            raise ValueError("cumulative figures need 'since', the first year of the plan")
        seen: set[str] = set()
        for ind in self.indicators:
            if ind.key in seen:
                raise ValueError(f"indicator key '{ind.key}' is used twice")
            seen.add(ind.key)
        for comp in self.computed:
            if comp.key in seen:
                raise ValueError(f"computed key '{comp.key}' clashes with another key")
            seen.add(comp.key)
        earlier: set[str] = set()
        for ind in self.indicators:
            if ind.relevant:
                _check_names(ind.relevant, earlier, f"indicator '{ind.key}' relevant (earlier keys only)")
            earlier.add(ind.key)
        for i, rule in enumerate(self.rules):
            _check_names(rule.check, seen, f"rules[{i}]")
        for comp in self.computed:
            _check_names(comp.expr, seen, f"computed '{comp.key}'")
        for _, sec in self.walk():
            for items, known in ((sec.prose, seen), (sec.compiled, seen | COMPILED_NAMES)):
                for item in items:
                    if isinstance(item, Sentence):
                        _check_names(item.when, known, f"section '{sec.key}' prose condition")
            for pattern in prose_patterns(sec.prose):
                for name, attr in PLACEHOLDER_RE.findall(pattern):
                    if name not in seen:
                        raise ValueError(f"section '{sec.key}' prose names unknown key '{name}'")
                    if attr not in ("", "change", "raw", "total"):
                        raise ValueError(f"section '{sec.key}' prose: unknown modifier .{attr}")
                    if attr == "total" and name not in cumulative:
                        raise ValueError(f"section '{sec.key}' prose: .total on '{name}', which is not cumulative")
                _check_block_list(self, sec.key, pattern)
        for _, sec in self.walk():
            for pattern in prose_patterns(sec.compiled):
                for name, attr in PLACEHOLDER_RE.findall(pattern):
                    if name not in seen | COMPILED_NAMES:
                        raise ValueError(f"section '{sec.key}' compiled prose names unknown key '{name}'")
                    if attr not in ("", "change", "raw"):
                        raise ValueError(f"section '{sec.key}' compiled prose: unknown modifier .{attr}")
        for where, keys in (("summary", self.summary), ("annex", self.annex)):
            for key in keys:
                if key not in seen:
                    raise ValueError(f"{where} names unknown key '{key}'")
        return self

    @property
    def menu_name(self) -> str:
        """The name without a period, where a report is chosen before its period."""
        return " ".join(self.name.replace("{period}", "").split())

    @property
    def years(self) -> int:
        """How many years one period of this template covers (a multi-year review: several)."""
        return self.period_years or 1

    def report_name(self, period: Period) -> str:
        """How a report of this template is named to people: "Báo cáo 6 tháng đầu năm 2026" (the
        name, then the year), or the name with ``{period}`` replaced by the period's label ("Báo cáo
        sơ kết 3 năm 2022–2024 thực hiện Chỉ thị 08")."""
        if "{period}" in self.name:
            return period.with_years(self.name)
        return f"{self.name} {period.year}"

    def walk(self) -> Iterator[tuple[int, Section]]:
        for sec in self.sections:
            yield from sec.walk()

    @cached_property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(ind for _, sec in self.walk() for ind in sec.indicators)

    @cached_property
    def by_key(self) -> dict[str, Indicator]:
        return {ind.key: ind for ind in self.indicators}

    @cached_property
    def computed_by_key(self) -> dict[str, Computed]:
        return {c.key: c for c in self.computed}

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {ind.key: n for n, ind in enumerate(self.indicators)}

    @cached_property
    def _sections(self) -> dict[str, Section]:
        found: dict[str, Section] = {}
        for _, sec in self.walk():
            for ind in sec.indicators:
                found.setdefault(ind.key, sec)
        return found

    def position(self, key: str) -> int:
        return self._positions[key]

    def section_of(self, key: str) -> Section:
        return self._sections[key]


def _check_expression(source: str) -> None:
    try:
        compile_expression(source)
    except ExpressionError as exc:
        raise ValueError(f"expression {source!r}: {exc}") from None


def block_list(template: "Template", pattern: str) -> tuple[str, Indicator] | None:
    """(the words before it, the list) when ``pattern`` writes a list one paragraph an item (its
    ``list_style`` is not inline); such a list ends its pattern."""
    for m in PLACEHOLDER_RE.finditer(pattern):
        ind = template.by_key.get(m.group(1))
        if ind is not None and ind.type == "list" and ind.list_style != "inline" and not m.group(2):
            return pattern[:m.start()], ind
    return None


def _check_block_list(template: "Template", section: str, pattern: str) -> None:
    found = block_list(template, pattern)
    if found is None:
        return
    head, ind = found
    rest = pattern[len(head):].split("}", 1)[1]
    if rest.strip(" .;:") or PLACEHOLDER_RE.search(rest):
        raise ValueError(f"section '{section}' prose: list '{ind.key}' is written one item a paragraph "
                         f"(list_style: {ind.list_style}), so it must end its sentence")


def _check_names(source: str, known: set[str], where: str) -> None:
    unknown = sorted(names_in(source) - known)
    if unknown:
        raise ValueError(f"{where}: expression {source!r} names unknown key(s) {', '.join(unknown)}")


# ---------------------------------------------------------------------------- loading


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TemplateError(f"{path.name}: file not found") from None
    except yaml.YAMLError as exc:
        raise TemplateError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise TemplateError(f"{path.name}: the top level must be a mapping of keys")
    return data


def _merge_includes(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """``include: _fragment.yaml`` prepends the fragment's sections, rules and computed fields."""
    include = data.pop("include", None)
    if include is None:
        return data
    fragment = _read_yaml(path.parent / include)
    unknown = set(fragment) - {"sections", "rules", "computed", "summary", "annex"}
    if unknown:
        raise TemplateError(f"{include}: unknown key(s) {', '.join(sorted(unknown))}")
    merged = dict(data)
    for key in ("sections", "rules", "computed", "summary", "annex"):
        merged[key] = list(fragment.get(key) or []) + list(data.get(key) or [])
    return merged


def _substitute(obj: Any, variables: dict[str, str]) -> Any:
    """Replace ``{{period}}``-style template variables in every string."""
    if isinstance(obj, str):
        for name, value in variables.items():
            obj = obj.replace("{{" + name + "}}", value)
        return obj
    if isinstance(obj, list):
        return [_substitute(v, variables) for v in obj]
    if isinstance(obj, dict):
        return {k: _substitute(v, variables) for k, v in obj.items()}
    return obj


def _describe_loc(data: Any, loc: tuple[Any, ...]) -> str:
    """Turn a pydantic error location into a readable path using each item's ``key``."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
            label = node.get("key") if isinstance(node, dict) else None
            parts.append(f"[{label}]" if label else f"[{part}]")
        else:
            node = node.get(part) if isinstance(node, dict) else None
            parts.append(f".{part}")
    return "".join(parts).lstrip(".") or "(top level)"


def _line_of(path: Path, loc: tuple[Any, ...], msg: str) -> int | None:
    """The line (1-based) of ``path`` a problem is at: the node at ``loc``, or for a problem of the
    whole template that names a key (``'area'``), the line defining that key. None when the file
    pulls in another one (its items are not all in this file) or nothing is found."""
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    if node is None or "\ninclude:" in "\n" + text:
        return None
    found = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if k.value == part]
            if not match:
                break
            found = node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            found = node = node.value[part]
        else:
            break
    if found is not None:
        return found.start_mark.line + 1
    named = re.search(r"'([a-z][a-z0-9_]*)'", msg)
    if named:
        for n, line in enumerate(text.splitlines(), start=1):
            if re.match(rf"\s*-?\s*key:\s*{named[1]}\s*$", line):
                return n
    return None


def load_template(path: Path) -> Template:
    """A template from its YAML file, checked; the problems (``TemplateError``) name the file, the
    line where one can be told, the item (by its key) and what is wrong."""
    path = Path(path)
    data = _merge_includes(path, _read_yaml(path))
    data = _substitute(data, dict(data.pop("variables", None) or {}))
    try:
        return Template.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            line = _line_of(path, tuple(err["loc"]), msg)
            problems.append(f"{path.name}: {_describe_loc(data, err['loc'])}: {msg}" + (f" (line {line})" if line else ""))
        raise TemplateError("\n".join(problems)) from None


def load_templates(directory: Path = TEMPLATES_DIR) -> dict[str, Template]:
    templates: dict[str, Template] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        template = load_template(path)
        if template.key in templates:
            raise TemplateError(f"{path.name}: key: template key '{template.key}' is used twice")
        templates[template.key] = template
    if not templates:
        raise TemplateError(f"{directory}: no report template found")
    for template in templates.values():  # figures taken from the units below: their template must hold them
        if template.below is None:
            continue
        below = templates.get(template.below)
        if below is None or below.period != template.period:
            raise TemplateError(f"{template.key}: below: '{template.below}' is not a template of the same period kind")
        for ind in template.indicators:
            if ind.from_below and ind.from_below not in below.by_key and ind.from_below not in {
                    c.key for c in below.computed}:
                raise TemplateError(f"{template.key}: indicator '{ind.key}': from_below: '{below.key}' has no "
                                    f"'{ind.from_below}'")
    order = {kind: n for n, kind in enumerate(PERIOD_KINDS)}
    return dict(sorted(templates.items(), key=lambda kv: (order[kv[1].period], kv[0])))
