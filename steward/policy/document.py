"""A small document model (headings, paragraphs, lists, tables) written out as Markdown or HTML.

The published texts are built once as a Document, so the Markdown, the HTML page and the
printable file always say the same thing.
"""

from dataclasses import dataclass, field
from html import escape


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


Block = str | list[str] | Table  # a paragraph, a bulleted list, or a table


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)
    anchor: str = ""
    level: int = 2


@dataclass
class Document:
    title: str
    intro: list[str]
    sections: list[Section]


def to_markdown(doc: Document) -> str:
    out = [f"# {doc.title}", "", *[p + "\n" for p in doc.intro]]
    for section in doc.sections:
        out += [f"{'#' * section.level} {section.heading}", ""]
        for block in section.blocks:
            if isinstance(block, Table):
                out.append("| " + " | ".join(block.headers) + " |")
                out.append("|" + "---|" * len(block.headers))
                out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
            elif isinstance(block, list):
                out += [f"- {item}" for item in block]
            else:
                out.append(block)
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_html(doc: Document) -> str:
    """The document's body as an HTML fragment, every text escaped."""
    out = [f"<h1>{escape(doc.title)}</h1>", *[f"<p>{escape(p)}</p>" for p in doc.intro]]
    for section in doc.sections:
        anchor = f' id="{escape(section.anchor)}"' if section.anchor else ""
        h = f"h{section.level}"
        out.append(f"<section{anchor}><{h}>{escape(section.heading)}</{h}>")
        for block in section.blocks:
            if isinstance(block, Table):
                head = "".join(f'<th scope="col">{escape(h)}</th>' for h in block.headers)
                body = "".join(
                    "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                    for row in block.rows
                )
                # A narrow screen scrolls the table in its box: a keyboard must reach it too.
                label = escape(section.heading, quote=True)
                out.append(
                    f'<div class="table" role="region" aria-label="{label}" tabindex="0">'
                    f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
                )
            elif isinstance(block, list):
                out.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in block) + "</ul>")
            else:
                out.append(f"<p>{escape(block)}</p>")
        out.append("</section>")
    return "\n".join(out)


STYLE = """
body{font:16px/1.55 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff}
main{max-width:48rem;margin:0 auto;padding:1rem}
p,li{overflow-wrap:anywhere}
h1{font-size:1.8rem;line-height:1.2}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #ddd}
h3{font-size:1.1rem}
.table{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}
@media print{main{max-width:none}body{font-size:11pt}a{color:inherit}}
"""


def to_html_page(doc: Document, lang: str = "en") -> str:
    """A standalone page: readable on a phone and printable, no external resources."""
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(doc.title)}</title><style>{STYLE}</style></head>\n"
        f"<body><main>\n{to_html(doc)}\n</main></body></html>\n"
    )
