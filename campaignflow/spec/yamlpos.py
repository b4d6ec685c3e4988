"""Parse YAML into plain data plus the source position of every key and value.

Dates stay strings (the timestamp resolver is dropped) so pydantic is the one parser of dates.
Duplicate keys are reported instead of silently keeping the last one.

Campaign files are shared between organisations, so the cost of reading one is bounded while it is
read: aliases are expanded by the walk below, which counts every node it builds (an "alias bomb"
of a few hundred bytes stops at `MAX_NODES`, not at gigabytes), merges (`<<:`) are counted as they
are flattened, nesting stops at `MAX_DEPTH`, and explicit tags (`!!python/object`, `!include`, …)
are refused by name: a campaign file holds text, numbers, lists and mappings only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

Path_ = tuple[str | int, ...]

MAX_NODES = 50_000  # values and keys after alias expansion (the shipped campaigns: < 5,000)
MAX_CHARS = 20_000_000  # characters of text after alias expansion
MAX_DEPTH = 64
_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
}


class Refused(yaml.YAMLError):
    """The file would expand past a bound, or uses what a campaign file may not: located."""

    def __init__(self, message: str, mark: yaml.Mark) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Counting:
    """What both loaders share: counting what the walk expands."""

    nodes = 0
    chars = 0
    top: yaml.Mark | None = None  # the top-level entry being read: where an expansion is said

    def count(self, node: yaml.Node, n: int = 1) -> None:
        self.nodes += n
        if self.nodes > MAX_NODES:
            raise Refused(
                f"文件展开后超过 {MAX_NODES:,} 个值（锚点 & 与引用 * 层层嵌套会成倍展开）："
                "请直接写出内容，或减少引用",
                self.top or node.start_mark,
            )

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        super().flatten_mapping(node)
        self.count(node, len(node.value))  # `<<: [*a, *a]` doubles a mapping per level


class _Loader(_Counting, yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: the pure-Python parser, whose syntax errors
    are the ones `errors` explains."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# libyaml's parser, when PyYAML was built with it (its wheels are)
_CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)

if _CParser is not None:

    class _CLoader(_Counting, _CParser, SafeConstructor, Resolver):
        """The same on libyaml's parser (5-10× faster), for files that parse."""

        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)


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
    """YAML text -> (data, positions). Raises yaml.YAMLError on syntax errors.

    libyaml composes the nodes; a file it cannot parse or that is refused is parsed again by the
    Python parser, whose messages (and marks) the error explanations are written for."""
    if _CParser is not None:
        try:
            return _parse(_CLoader(text))
        except yaml.YAMLError:
            pass
    return _parse(_Loader(text))


def _parse(loader: _Counting) -> tuple[Any, Positions]:
    try:
        node = loader.get_single_node()
        positions = Positions()
        data = None if node is None else _walk(loader, node, (), positions, 0)
        return data, positions
    finally:
        loader.dispose()


def _check(loader: _Counting, node: yaml.Node, depth: int) -> None:
    loader.count(node)
    if depth > MAX_DEPTH:
        raise Refused(f"嵌套超过 {MAX_DEPTH} 层：请检查缩进或括号", node.start_mark)
    if node.tag not in _PLAIN_TAGS:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise Refused(
            f"不支持 YAML 标签 {tag}：campaign 文件只能写文本、数字、列表和键值对"
            "（若这是文字，请加引号）",
            node.start_mark,
        )
    if isinstance(node, yaml.ScalarNode):
        loader.chars += len(node.value)
        if loader.chars > MAX_CHARS:
            raise Refused(
                f"文件展开后的文字超过 {MAX_CHARS:,} 字：请减少引用", loader.top or node.start_mark
            )


def _walk(loader: _Counting, node: yaml.Node, path: Path_, positions: Positions, depth: int) -> Any:
    if depth == 1:
        loader.top = node.start_mark
    _check(loader, node, depth)
    positions.values[path] = _pos(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise Refused("键应为文本，不能是列表或键值对", key_node.start_mark)
            _check(loader, key_node, depth + 1)
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
            result[key] = _walk(loader, value_node, child, positions, depth + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _walk(loader, item, (*path, i), positions, depth + 1)
            for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)
