"""Loading policy.yaml (line map, schema, cross-checks) against a plain YAML parse.

The baseline is PyYAML's fastest safe parser (libyaml's CSafeLoader when present): the raw
cost of reading the file, with no validation at all.

Run: .venv/bin/python bench/policy_load.py [FILE] [--rounds N]
"""

import argparse
import time
from pathlib import Path

import yaml

from steward.policy.loader import parse_policy

ROOT = Path(__file__).resolve().parent.parent


def per_second(work, rounds: int) -> float:
    work()  # warm up
    start = time.perf_counter()
    for _ in range(rounds):
        work()
    return rounds / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", nargs="?", default=ROOT / "examples" / "houston-generator.yaml")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    text = Path(args.file).read_text()
    steward = per_second(lambda: parse_policy(text), args.rounds)
    fastest = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    baseline = per_second(lambda: yaml.load(text, Loader=fastest), args.rounds)
    print(f"file: {args.file} ({len(text.splitlines())} lines)")
    print(f"steward parse_policy : {steward:8.1f} loads/s ({1000 / steward:.2f} ms each)")
    print(f"plain YAML parse     : {baseline:8.1f} loads/s ({1000 / baseline:.2f} ms each)")
    print(f"ratio: Steward takes {baseline / steward:.2f}x the time of the plain parse")


if __name__ == "__main__":
    main()
