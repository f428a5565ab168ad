"""Reading YAML while remembering the line of every key, and refusing duplicate keys."""

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass
class Located:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    duplicates: list[tuple[int, str]] = field(default_factory=list)

    def line_of(self, path: Path) -> int:
        """The line of `path`, or of its nearest ancestor that exists in the file."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


class YamlError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


# libyaml's parser when the wheel has it (about ten times faster), the Python one otherwise.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """Leaves dates as text, so that a wrong date is reported by the schema with its line."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str) -> Located:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        located = Located(data=None)
        if root is not None:
            _walk(root, (), located)
            located.data = loader.construct_document(root)
        return located
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = error.problem or "the file is not valid YAML"
        context = error.context_mark
        if context is not None and context.line + 1 != line:
            problem += f" ({error.context or 'in what starts'} on line {context.line + 1})"
        raise YamlError(line, f"This is not valid YAML: {problem}.") from error
    except yaml.YAMLError as error:
        raise YamlError(1, f"This is not valid YAML: {error}.") from error
    finally:
        loader.dispose()


def _walk(node: yaml.Node, path: Path, located: Located) -> None:
    located.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        kept = []
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                where = " > ".join(str(p) for p in path) or "the top level"
                located.duplicates.append(
                    (
                        line,
                        f"'{key}' appears twice in {where} (first on line {seen[key]}); "
                        "keep one of them.",
                    )
                )
                continue
            seen[key] = line
            kept.append((key_node, value_node))
            located.lines[(*path, key)] = line
            _walk(value_node, (*path, key), located)
        node.value = kept  # the first of duplicate keys is the one checked further
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), located)
