"""Load the knowledge base from TOML files, validate it, and resolve names.

Layout of a data folder (the package's own is ``dosewise/knowledge/data``)::

    sources.toml          [[sources]]  citations shared by several entries
    classes.toml          [[classes]]  interaction categories and their parents
    interactions.toml     [[interactions]] rules (+ optional [[sources]])
    emergency.toml        [emergency]  guidance shown with every emergency
    claims.toml           the seed article's claims, transcription fixes, non-claims
    substances/<id>.toml  one substance or class per file (+ optional [[sources]])

Validation happens in two passes: each file against its schema (errors name the file and the field),
then the cross-references (source ids, classes, members, names unique across entries, claims).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from dosewise.errors import DataError, UnknownSubstanceError
from dosewise.knowledge.schema import (
    ClaimsFile,
    ClassDef,
    ClassesFile,
    EmergencyFile,
    EmergencyGuidance,
    InteractionRule,
    InteractionsFile,
    Source,
    SourcesFile,
    Substance,
)

DATA_DIR = Path(__file__).parent / "data"
SEED_ARTICLE = DATA_DIR / "seed" / "baclofen-article.txt"

M = TypeVar("M", bound=BaseModel)

_NAME_KEY_RE = re.compile(r"[\s\-_.,'’()/]+")


def name_key(name: str) -> str:
    """The key names are matched on: case-folded, without spaces, hyphens and punctuation."""
    return _NAME_KEY_RE.sub("", name.casefold())


# --------------------------------------------------------------------------------------------
# Reading files


def _format_loc(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _validation_problems(error: ValidationError, data: dict[str, Any]) -> list[str]:
    problems = []
    for item in error.errors():
        loc = [p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        where = _format_loc(loc)
        where = _with_entry_name(where, loc, data)
        message = item["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if item["type"] == "extra_forbidden":
            message = "unknown field (check the spelling against docs/data-model.md)"
        elif item["type"] == "missing":
            message = "required field is missing"
        given = item.get("input")
        if item["type"] not in ("missing", "extra_forbidden") and _is_short(given):
            message += f" (got {given!r})"
        problems.append(f"{where}: {message}")
    return problems


def _is_short(value: Any) -> bool:
    return isinstance(value, (int, float, str, bool)) and len(repr(value)) <= 60


def _with_entry_name(where: str, loc: list[int | str], data: dict[str, Any]) -> str:
    """Add the id of the list entry concerned (``interactions[3] (baclofen + alcohol)``)."""
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        items = data.get(loc[0])
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            entry = items[loc[1]]
            label = entry.get("id") or (
                f"{entry.get('a')} + {entry.get('b')}" if "a" in entry else None
            )
            if label:
                return f"{where} ({label})"
    return where


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(str(path), [f"not valid TOML: {exc}"]) from exc
    except OSError as exc:
        raise DataError(str(path), [f"cannot be read: {exc.strerror}"]) from exc


def parse_model(model: type[M], data: dict[str, Any], file: str) -> M:
    """Validate ``data`` as ``model``; a :class:`DataError` names the file and each field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise DataError(file, _validation_problems(exc, data)) from exc


FILE_KINDS: dict[str, type[BaseModel]] = {
    "substance": Substance,
    "sources": SourcesFile,
    "classes": ClassesFile,
    "interactions": InteractionsFile,
    "emergency": EmergencyFile,
    "claims": ClaimsFile,
}


def detect_kind(data: dict[str, Any]) -> str:
    """Which kind of data file this is, from its top-level keys."""
    if "claims" in data:
        return "claims"
    if "interactions" in data:
        return "interactions"
    if "emergency" in data:
        return "emergency"
    if "classes" in data and "id" not in data:
        return "classes"
    if "id" in data or "name" in data:
        return "substance"
    if "sources" in data:
        return "sources"
    raise DataError(
        "(unknown file)",
        [
            "cannot tell what this file is: a substance needs 'id' and 'name'; other files hold "
            "[[sources]], [[classes]], [[interactions]], [emergency] or [[claims]]"
        ],
    )


# --------------------------------------------------------------------------------------------
# The catalog


@dataclass
class SearchHit:
    substance: Substance
    matched_on: str
    field: str
    score: float


@dataclass
class Catalog:
    """The validated knowledge base, with name resolution and search."""

    substances: dict[str, Substance]
    sources: dict[str, Source]
    classes: dict[str, ClassDef]
    interactions: list[InteractionRule]
    emergency: EmergencyGuidance | None
    claims: ClaimsFile | None
    source_files: dict[str, str] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict, repr=False)
    _display: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)
    _closures: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    # ---- construction -------------------------------------------------------------------

    def __post_init__(self) -> None:
        for substance in self.substances.values():
            for name, kind in _names_of(substance):
                key = name_key(name)
                if key and key not in self._names:
                    self._names[key] = substance.id
                    self._display[key] = (name, kind)

    # ---- lookups --------------------------------------------------------------------------

    def get(self, substance_id: str) -> Substance:
        return self.substances[substance_id]

    def resolve(self, name: str) -> Substance:
        """Find a substance by id, name, INN, brand, alias or known misspelling (any case).

        Raises
        ------
        UnknownSubstanceError
            With up to five "did you mean" suggestions from fuzzy matching.
        """
        key = name_key(name)
        found = self._names.get(key)
        if found is not None:
            return self.substances[found]
        raise UnknownSubstanceError(name.strip(), self.suggest(name))

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        """Names close to ``name`` (rapidfuzz WRatio), one per substance, best first."""
        from rapidfuzz import fuzz, process

        key = name_key(name)
        if not key:
            return []
        matches = process.extract(
            key, list(self._names), scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=75
        )
        out: list[str] = []
        seen: set[str] = set()
        best = matches[0][1] if matches else 0.0
        for match_key, score, _idx in matches:
            if score < best - 12:
                break
            substance_id = self._names[match_key]
            if substance_id in seen:
                continue
            seen.add(substance_id)
            display, kind = self._display[match_key]
            name_shown = self.substances[substance_id].name
            out.append(name_shown if kind == "name" else f"{display} ({name_shown})")
            if len(out) == limit:
                break
        return out

    def class_closure(self, class_ids: Iterable[str]) -> set[str]:
        """The classes given plus all their ancestors."""
        out: set[str] = set()
        stack = list(class_ids)
        while stack:
            current = stack.pop()
            if current in out:
                continue
            out.add(current)
            definition = self.classes.get(current)
            if definition is not None:
                stack.extend(definition.parents)
        return out

    def classes_of(self, substance: Substance) -> frozenset[str]:
        """The substance's classes with all their ancestors (memoised per substance id)."""
        found = self._closures.get(substance.id)
        if found is None or self.substances.get(substance.id) is not substance:
            found = frozenset(self.class_closure(substance.classes))
            if self.substances.get(substance.id) is substance:
                self._closures[substance.id] = found
        return found

    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Find entries by name, alias, brand, class or effect (substring, then fuzzy)."""
        from rapidfuzz import fuzz

        query = text.strip().casefold()
        qkey = name_key(text)
        if not query:
            return []
        hits: dict[str, SearchHit] = {}

        def add(substance: Substance, matched: str, where: str, score: float) -> None:
            best = hits.get(substance.id)
            if best is None or score > best.score:
                hits[substance.id] = SearchHit(substance, matched, where, score)

        for substance in self.substances.values():
            for name, kind in _names_of(substance):
                nkey = name_key(name)
                if not nkey:
                    continue
                if nkey == qkey:
                    add(substance, name, kind, 100)
                elif nkey.startswith(qkey):
                    add(substance, name, kind, 90)
                elif qkey in nkey:
                    add(substance, name, kind, 80)
                else:
                    score = fuzz.ratio(qkey, nkey)
                    if score >= 80:
                        add(substance, name, kind, score * 0.7)
            for class_id in sorted(self.classes_of(substance)):
                definition = self.classes.get(class_id)
                label = definition.name if definition else class_id
                if query in label.casefold() or qkey == name_key(class_id):
                    add(substance, label, "class", 70)
            for label in substance.pharmacological_class + substance.chemical_class:
                if query in label.casefold():
                    add(substance, label, "class", 65)
            for effect in substance.effects:
                if query in effect.name.casefold():
                    add(substance, effect.name, "effect", 50)
        ranked = sorted(hits.values(), key=lambda h: (-h.score, h.substance.name.casefold()))
        return ranked[:limit]

    def source(self, source_id: str) -> Source:
        return self.sources[source_id]

    def sources_cited(self, obj: BaseModel) -> list[str]:
        """Every source id cited anywhere inside ``obj``, in first-seen order."""
        return list(dict.fromkeys(iter_source_ids(obj)))

    def claims_for(self, substance_id: str) -> ClaimsFile | None:
        if self.claims is not None and self.claims.substance == substance_id:
            return self.claims
        return None


def _names_of(substance: Substance) -> Iterator[tuple[str, str]]:
    yield substance.name, "name"
    yield substance.id, "id"
    if substance.names.inn:
        yield substance.names.inn, "inn"
    for other in substance.names.other:
        yield other, "name"
    for brand in substance.names.brands:
        yield brand.name, "brand"
    for alias in substance.names.aliases:
        yield alias, "alias"
    for misspelling in substance.names.misspellings:
        yield misspelling, "misspelling"


def iter_source_ids(obj: Any) -> Iterator[str]:
    """Walk a model tree and yield the source ids in every ``sources`` list of ids."""
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            if name == "sources" and isinstance(value, list):
                for item in value:
                    if isinstance(item, str):
                        yield item
                    else:
                        yield from iter_source_ids(item)
            elif name == "seed_source" and isinstance(value, str):
                yield value
            else:
                yield from iter_source_ids(value)
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from iter_source_ids(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from iter_source_ids(item)


# --------------------------------------------------------------------------------------------
# Loading


@dataclass
class _Parsed:
    substances: dict[str, tuple[Substance, str]] = field(default_factory=dict)
    sources: dict[str, tuple[Source, str]] = field(default_factory=dict)
    classes: dict[str, tuple[ClassDef, str]] = field(default_factory=dict)
    interactions: list[tuple[InteractionRule, str]] = field(default_factory=list)
    emergency: tuple[EmergencyGuidance, str] | None = None
    claims: tuple[ClaimsFile, str] | None = None
    errors: list[DataError] = field(default_factory=list)

    def add_sources(self, sources: Iterable[Source], file: str) -> None:
        for source in sources:
            if source.id in self.sources:
                other = self.sources[source.id][1]
                self.errors.append(
                    DataError(file, [f"sources: id {source.id!r} is also defined in {other}"])
                )
            else:
                self.sources[source.id] = (source, file)

    def add_file(self, path: Path, label: str) -> None:
        try:
            data = read_toml(path)
            kind = detect_kind(data)
            model = parse_model(FILE_KINDS[kind], data, label)
        except DataError as exc:
            if exc.file == "(unknown file)":
                exc = DataError(label, exc.problems)
            self.errors.append(exc)
            return
        if isinstance(model, Substance):
            if path.parent.name == "substances" and path.stem != model.id:
                self.errors.append(
                    DataError(label, [f"id: {model.id!r} must match the file name {path.stem!r}"])
                )
            if model.id in self.substances:
                other = self.substances[model.id][1]
                self.errors.append(DataError(label, [f"id: {model.id!r} is also used in {other}"]))
            else:
                self.substances[model.id] = (model, label)
            self.add_sources(model.sources, label)
        elif isinstance(model, SourcesFile):
            self.add_sources(model.sources, label)
        elif isinstance(model, ClassesFile):
            for definition in model.classes:
                if definition.id in self.classes:
                    self.errors.append(
                        DataError(label, [f"classes: id {definition.id!r} is defined twice"])
                    )
                self.classes[definition.id] = (definition, label)
        elif isinstance(model, InteractionsFile):
            self.interactions += [(rule, label) for rule in model.interactions]
            self.add_sources(model.sources, label)
        elif isinstance(model, EmergencyFile):
            self.emergency = (model.emergency, label)
            self.add_sources(model.sources, label)
        elif isinstance(model, ClaimsFile):
            self.claims = (model, label)
            self.add_sources(model.sources, label)


def _data_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*.toml") if p.is_file())


def _cross_check(parsed: _Parsed) -> None:
    """Second pass: references between files."""
    known_sources = set(parsed.sources)
    known_classes = set(parsed.classes)
    problems: dict[str, list[str]] = {}

    def problem(file: str, text: str) -> None:
        problems.setdefault(file, []).append(text)

    for definition, file in parsed.classes.values():
        for parent in definition.parents:
            if parent not in known_classes:
                problem(file, f"classes ({definition.id}).parents: unknown class {parent!r}")

    name_owner: dict[str, tuple[str, str, str]] = {}
    for substance, file in parsed.substances.values():
        for source_id in iter_source_ids(substance):
            if source_id not in known_sources:
                problem(file, f"unknown source id {source_id!r} (define it in [[sources]])")
        for class_id in substance.classes:
            if class_id not in known_classes:
                problem(file, f"classes: unknown class {class_id!r} (see classes.toml)")
        for member in substance.members:
            entry = parsed.substances.get(member)
            if entry is None:
                problem(file, f"members: unknown substance {member!r}")
            elif entry[0].kind != "substance":
                problem(file, f"members: {member!r} is itself a class")
        reported: set[str] = set()
        for name, kind in _names_of(substance):
            key = name_key(name)
            if not key:
                problem(file, f"names: {name!r} has no letters or digits")
                continue
            owner = name_owner.get(key)
            if owner is not None and owner[0] != substance.id and key not in reported:
                reported.add(key)
                problem(
                    file,
                    f"names: {kind} {name!r} is already a name of {owner[0]!r} "
                    f"({owner[2]} {owner[1]!r}); names must be unique",
                )
            else:
                name_owner.setdefault(key, (substance.id, name, kind))

    for rule, file in parsed.interactions:
        for ref in (rule.a, rule.b):
            if ref.startswith("class:"):
                if ref[6:] not in known_classes:
                    problem(file, f"interactions ({rule.a} + {rule.b}): unknown class {ref!r}")
            elif ref not in parsed.substances:
                problem(file, f"interactions ({rule.a} + {rule.b}): unknown substance {ref!r}")
        for source_id in rule.sources:
            if source_id not in known_sources:
                problem(file, f"interactions ({rule.a} + {rule.b}): unknown source {source_id!r}")

    if parsed.emergency is not None:
        guidance, file = parsed.emergency
        for source_id in iter_source_ids(guidance):
            if source_id not in known_sources:
                problem(file, f"emergency: unknown source id {source_id!r}")

    if parsed.claims is not None:
        claims, file = parsed.claims
        if claims.substance not in parsed.substances:
            problem(file, f"substance: unknown substance {claims.substance!r}")
        for source_id in iter_source_ids(claims):
            if source_id not in known_sources:
                problem(file, f"unknown source id {source_id!r}")
        ids = [c.id for c in claims.claims]
        for claim_id in sorted({i for i in ids if ids.count(i) > 1}):
            problem(file, f"claims: id {claim_id} is used twice")
        sections = set(Substance.model_fields)
        for claim in claims.claims:
            for section in claim.represented_in:
                if section.split(".")[0] not in sections:
                    problem(
                        file,
                        f"claims ({claim.id}).represented_in: {section!r} is not a section "
                        f"(sections: {', '.join(sorted(sections))})",
                    )

    for file, lines in problems.items():
        parsed.errors.append(DataError(file, lines))


def _parse_tree(roots: Iterable[Path], base: Path | None = None) -> _Parsed:
    parsed = _Parsed()
    for root in roots:
        for path in _data_files(root):
            label = str(path.relative_to(base)) if base and path.is_relative_to(base) else str(path)
            parsed.add_file(path, label)
    return parsed


def _build(parsed: _Parsed) -> Catalog:
    return Catalog(
        substances={k: v[0] for k, v in sorted(parsed.substances.items())},
        sources={k: v[0] for k, v in parsed.sources.items()},
        classes={k: v[0] for k, v in parsed.classes.items()},
        interactions=[rule for rule, _ in parsed.interactions],
        emergency=parsed.emergency[0] if parsed.emergency else None,
        claims=parsed.claims[0] if parsed.claims else None,
        source_files={k: v[1] for k, v in parsed.sources.items()},
    )


def load_catalog(data_dir: Path | None = None) -> Catalog:
    """Load and validate a data folder (default: the built-in knowledge base).

    Raises
    ------
    DataError
        The first file with problems; all problems of that file are listed. Use
        :func:`validate_paths` to collect every problem of every file.
    """
    root = data_dir or DATA_DIR
    parsed = _parse_tree([root], base=root)
    if not parsed.errors:
        _cross_check(parsed)
    if parsed.errors:
        raise parsed.errors[0]
    return _build(parsed)


CACHE_FORMAT = 1


def _fingerprint(root: Path) -> str:
    """Changes whenever a data file, the code of the schema or catalog, dosewise, pydantic or
    Python changes (a pickle of an older class layout must never be reused)."""
    import pydantic

    from dosewise import __version__

    digest = hashlib.sha256()
    for part in (
        str(CACHE_FORMAT),
        __version__,
        pydantic.VERSION,
        sys.version,
        str(root.resolve()),
    ):
        digest.update(part.encode())
    for path in _data_files(root):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    code = Path(__file__).parent
    for name in ("catalog.py", "schema.py"):
        digest.update((code / name).read_bytes())
    return digest.hexdigest()[:24]


def cache_dir() -> Path:
    """Where the validated catalog is cached (``DOSEWISE_CACHE_DIR`` overrides)."""
    override = os.environ.get("DOSEWISE_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("dosewise", appauthor=False))


def load_catalog_cached(data_dir: Path | None = None) -> Catalog:
    """Like :func:`load_catalog`, but reuse a validated copy while no data file has changed.

    The cache is a pickle in the user's cache folder, written atomically and ignored if it cannot
    be read or written (it only saves time: a fresh load validates everything). Set
    ``DOSEWISE_NO_CACHE=1`` to always validate.
    """
    root = data_dir or DATA_DIR
    if os.environ.get("DOSEWISE_NO_CACHE"):
        return load_catalog(root)
    path = cache_dir() / f"catalog-{_fingerprint(root)}.pickle"
    try:
        with path.open("rb") as handle:
            cached = pickle.load(handle)
        if isinstance(cached, Catalog):
            return cached
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pass
    catalog = load_catalog(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob("catalog-*.pickle"):
            stale.unlink(missing_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(catalog, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        pass
    return catalog


@cache
def default_catalog() -> Catalog:
    """The built-in knowledge base, loaded once per process (from the cache when valid)."""
    return load_catalog_cached()


def validate_paths(paths: Iterable[Path], *, with_builtin: bool = True) -> list[DataError]:
    """Validate third-party data files or folders; returns every problem found (empty = valid).

    With ``with_builtin`` the built-in knowledge base is loaded alongside, so new files may cite
    its sources, classes and substances; name clashes with built-in entries are reported, and so
    are problems in the built-in files themselves (never hidden). Cross-file checks run once
    every file has passed its schema.
    """
    targets = [Path(p) for p in paths]
    parsed = _parse_tree([DATA_DIR], base=DATA_DIR) if with_builtin else _Parsed()
    missing = [p for p in targets if not p.exists()]
    for path in missing:
        parsed.errors.append(DataError(str(path), ["no such file or folder"]))
    for root in (p for p in targets if p.exists()):
        for path in _data_files(root):
            if with_builtin and path.resolve().is_relative_to(DATA_DIR.resolve()):
                continue
            parsed.add_file(path, str(path))
    if not parsed.errors:
        _cross_check(parsed)
    return parsed.errors
