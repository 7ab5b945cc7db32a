"""The one YAML reader for every configuration file (config, harmonization, variables, indicators).

Config is data, not code, and a config file may come from someone else. So the reader accepts plain YAML
only and refuses, with a message naming the file and the line, everything that makes a small file do
something else than describe settings:

* text that is not UTF-8 (a file saved in cp1252 would silently change ä and ö);
* a key given twice in one block (PyYAML keeps the last one without a word);
* aliases that expand beyond a small budget (the "billion laughs" file: a few lines that expand to 10⁹
  nodes and hang every program that walks them, e.g. a schema validator);
* nesting deeper than `MAX_DEPTH` levels (PyYAML would recurse until Python's stack runs out);
* a `__use_yte__` key anywhere: Snakemake treats a config file whose top level has `__use_yte__: true` as a
  YTE template and evaluates the Python expressions in it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ath_analysis.errors import ConfigError

MAX_DEPTH = 50
# Nodes that aliases may add beyond those written in the file. Config files reuse a block now and then
# (`<<: *defaults`); nothing legitimate comes near this.
ALIAS_BUDGET = 10_000
TEMPLATE_KEY = "__use_yte__"


class _Refusal(yaml.MarkedYAMLError):
    """A construct the reader refuses (raised inside PyYAML so the position is known)."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that counts alias expansion and depth, and rejects duplicate and template keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._expanded: dict[int, int] = {}  # id(node) -> nodes it stands for, aliases expanded
        self._alias_nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            if node is not None:
                self._alias_nodes += self._size(node)
                if self._alias_nodes > ALIAS_BUDGET:
                    raise _Refusal(None, None, f"aliases (*{event.anchor}) expand to more than {ALIAS_BUDGET} "
                                               "values; write the values out instead", event.start_mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refusal(None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def _size(self, node: yaml.Node) -> int:
        """Nodes `node` stands for with aliases expanded (memoized: shared nodes are counted once each)."""
        key = id(node)
        if key not in self._expanded:
            if isinstance(node, yaml.SequenceNode):
                size = 1 + sum(self._size(child) for child in node.value)
            elif isinstance(node, yaml.MappingNode):
                size = 1 + sum(self._size(k) + self._size(v) for k, v in node.value)
            else:
                size = 1
            self._expanded[key] = size
        return self._expanded[key]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[tuple[str, str], int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if key_node.value == TEMPLATE_KEY:
                raise _Refusal(None, None, f"'{TEMPLATE_KEY}' is not allowed: configuration files are plain YAML "
                                           "and are never evaluated as templates", key_node.start_mark)
            key = (key_node.tag, key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _Refusal(None, None, f"key '{key_node.value}' is given twice in the same block (first on "
                                           f"line {seen[key]}); remove one", key_node.start_mark)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str, source: str | Path) -> Any:
    """Parse YAML text under the rules above; every problem is a ConfigError naming `source` and the line."""
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}" if mark is not None else ""
        column = f" (column {mark.column + 1})" if mark is not None else ""
        what = exc.problem or exc.context or "invalid YAML"
        if isinstance(exc, _Refusal):
            raise ConfigError(f"{source}{where}: {what}") from None
        raise ConfigError(f"{source}{where}: YAML syntax error{column}: {what}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: YAML error: {exc}") from None
    except RecursionError:  # defensive: PyYAML's composer is recursive
        raise ConfigError(f"{source}: nested too deeply to read") from None
    finally:
        loader.dispose()


def read_yaml(path: str | Path) -> Any:
    """Read and parse a UTF-8 YAML file (a BOM is allowed) under the rules of this module."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: the file is not UTF-8 text (byte {raw[exc.start]:#04x}); save it as "
                          "UTF-8 (e.g. in Notepad: Save as → Encoding: UTF-8)") from None
    return parse_yaml(text, path)
