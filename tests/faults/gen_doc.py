#!/usr/bin/env python3
"""Fills the generated parts of docs/faults.md -- between <!-- BEGIN name --> and
<!-- END name --> -- from the data the suites run: tests/faults/calls.tsv (the system calls),
tests/faults/expected.tsv (the fault table) and the cases of tests/faults/hostile.py. The
prose around them is written by hand. `gen_doc.py` rewrites the file; the fault suite fails
when the file differs from what this would write."""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.path.join(HERE, "..", "..", "docs", "faults.md")
sys.path.insert(0, HERE)


def rows(path):
    with open(path) as f:
        lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, l.split("\t") + [""] * len(header))) for l in lines[1:]]


def cell(text):
    return text.replace("|", "\\|")


def calls_table():
    out = ["| call | made by | when | errors it can really return | in the fault table |",
           "|---|---|---|---|---|"]
    for row in rows(os.path.join(HERE, "calls.tsv")):
        out.append("| `{}` | {} | {} | {} | {} |".format(
            row["call"], cell(row["where"]), row["when"], cell(row["errors"]), cell(row["in the table"])))
    return out


def fault_table():
    out = ["| call | error | when | role | required outcome | today | the call it hits |",
           "|---|---|---|---|---|---|---|"]
    cells = rows(os.path.join(HERE, "expected.tsv"))
    for row in cells:
        today = f"**{row['today']}**" if row["today"] else "same"
        out.append(f"| `{row['call']}` | {row['error']} | {row['when']} | {row['role']} | {row['outcome']} | "
                   f"{today} | {cell(row['note'])} |")
    failing = sum(1 for row in cells if row["today"])
    out.append("")
    out.append(f"{len(cells)} cells; {failing} differ today from what is required (in bold): the defects.")
    return out


def hostile_table():
    import hostile
    out = ["| environment | documented outcome | today |", "|---|---|---|"]
    for case in hostile.CASES:
        today = f"**{case.today}**" if case.today else "as documented"
        out.append(f"| {cell(case.title)} | {cell(case.outcome)} | {cell(today)} |")
    return out


SECTIONS = {"calls": calls_table, "faults": fault_table, "hostile": hostile_table}


def render():
    with open(DOC) as f:
        text = f.read()
    for name, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.S)
        text = pattern.sub(lambda m: m.group(1) + "\n".join(make()) + "\n" + m.group(2), text)
    return text


if __name__ == "__main__":
    rendered = render()
    with open(DOC, "w") as f:
        f.write(rendered)
