"""Parse YAML into plain data plus the source position of every key and value.

Dates stay strings (the timestamp resolver is dropped) so pydantic is the one parser of dates.
Duplicate keys are reported instead of silently keeping the last one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Pos:
    line: int  # 1-based
    col: int  # 1-based


@dataclass
class Positions:
    """Where each path's key and value start in the file."""

    keys: dict[Path_, Pos] = field(default_factory=dict)
    values: dict[Path_, Pos] = field(default_factory=dict)
    duplicates: list[tuple[Path_, Pos]] = field(default_factory=list)
    bool_keys: list[tuple[Path_, Pos]] = field(default_factory=list)

    def of(self, path: Path_, *, key: bool = False) -> Pos:
        """Position of the longest known prefix of `path` (the key's when `key`)."""
        for cut in range(len(path), -1, -1):
            prefix = path[:cut]
            if key and cut == len(path) and prefix in self.keys:
                return self.keys[prefix]
            if prefix in self.values:  # also list items, which have no key
                return self.values[prefix]
            if prefix in self.keys:
                return self.keys[prefix]
        return Pos(1, 1)


def _pos(mark: yaml.Mark) -> Pos:
    return Pos(mark.line + 1, mark.column + 1)


def parse(text: str) -> tuple[Any, Positions]:
    """YAML text -> (data, positions). Raises yaml.YAMLError on syntax errors."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        positions = Positions()
        data = None if node is None else _walk(loader, node, (), positions)
        return data, positions
    finally:
        loader.dispose()


def _walk(loader: _Loader, node: yaml.Node, path: Path_, positions: Positions) -> Any:
    positions.values[path] = _pos(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, bool) or key is None:
                # `no:`/`yes:`/`on:` keys turn into booleans in YAML 1.1: keep the text, flag it
                positions.bool_keys.append(((*path, key_node.value), _pos(key_node.start_mark)))
                key = key_node.value
            key = str(key) if not isinstance(key, str) else key
            child = (*path, key)
            if key in result:
                positions.duplicates.append((child, _pos(key_node.start_mark)))
                continue
            positions.keys[child] = _pos(key_node.start_mark)
            result[key] = _walk(loader, value_node, child, positions)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(loader, item, (*path, i), positions) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
