"""Time :func:`instrument.render.render_markdown` and ``plain_text`` on hostile input.

Every input is as long as the longest comment the application accepts
(:data:`instrument.render.MAX_COMMENT_CHARS`) and is built to stress a part
of the Markdown parser: unclosed link brackets, emphasis delimiters that
never pair, code spans with mismatched backtick runs, deep nesting of block
quotes and lists, wide tables and so on. An ordinary prose comment of the
same length is timed first as the reference.

Run: ``python benchmarks/render_adversarial.py [repeats]``. Prints the best
of ``repeats`` (default 3) runs per input, in milliseconds. No assertion:
the figures are for people to read.
"""

from __future__ import annotations

import sys
import time

from instrument.render import MAX_COMMENT_CHARS, plain_text, render_markdown

N = MAX_COMMENT_CHARS


def _cases() -> dict[str, str]:
    prose = (
        "Each Party shall take measures to protect migrant workers, documented or "
        "undocumented, against *discrimination* and **abuse**, in line with "
        "[the Cebu Declaration](https://asean.org/) and `paragraph 22`.\n\n"
    )
    nested_list = "".join("  " * i + "- item\n" for i in range(200))
    nested_ol = "".join("   " * i + "1. point\n" for i in range(200))
    return {
        "reference: prose": prose * (N // len(prose) + 1),
        "* run": "*" * N,
        "_ run": "_" * N,
        "[ run": "[" * N,
        "( run": "(" * N,
        '" run': '"' * N,
        "' run": "'" * N,
        "` run": "`" * N,
        "~ run": "~" * N,
        "< run": "<" * N,
        "& run": "&" * N,
        "\\ run": "\\" * N,
        "*a repeated": "*a" * N,
        "**a repeated": "**a" * N,
        "a** repeated": "a**" * N,
        "*a_ repeated": "*a_" * N,
        "_a_b repeated": "a_b_" * N,
        "~~a repeated": "~~a" * N,
        "[a]( repeated": "[a](" * N,
        "[]( repeated": "[](" * N,
        "[a] repeated": "[a]" * N,
        "![ repeated": "![" * N,
        "[ then ]": "[" * (N // 2) + "]" * (N // 2),
        "[ nest then ](b)": "[" * (N // 4) + "a" + "](b)" * N,
        "`a`` repeated": "`a``" * N,
        "growing ` runs": "".join("`" * i + "a" for i in range(1, 200)) * 10,
        "<a href= repeated": "<a href=" * N,
        "&#  repeated": "&#" * N,
        "> run (one line)": ">" * N,
        "> > nesting": "> " * N,
        "> lines": "> a\n" * N,
        "> - nesting": "> - " * N,
        "- - nesting": "- " * N,
        "nested list 200 deep": nested_list * 10,
        "nested ol 200 deep": nested_ol * 10,
        "setext lines": "a\n=\n" * N,
        "table rows": "|a|b|\n|-|-|\n" + "|x|y|\n" * N,
        "table wide": "|a" * 500 + "|\n" + "|-" * 500 + "|\n" + "|x" * 500 + "|\n",
        "reference defs": "[a]: <" * N,
        "short lines": "a\n" * N,
    }


def _best(func, text: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        func(text)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main(argv: list[str]) -> None:
    """Print one line per input: name, length, render and plain-text times in ms."""
    repeats = int(argv[1]) if len(argv) > 1 else 3
    print(f"{'input':24s} {'chars':>7s} {'render ms':>10s} {'plain ms':>10s}")
    worst = ("", 0.0)
    for name, text in _cases().items():
        text = text[:N]
        t_render = _best(render_markdown, text, repeats)
        t_plain = _best(plain_text, text, repeats)
        worst = max(worst, (name, t_render), key=lambda x: x[1])
        print(f"{name:24s} {len(text):7d} {t_render:10.1f} {t_plain:10.1f}", flush=True)
    print(f"slowest render: {worst[0]} ({worst[1]:.1f} ms)")


if __name__ == "__main__":
    main(sys.argv)
