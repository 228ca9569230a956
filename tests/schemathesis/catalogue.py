#!/usr/bin/env python3
"""Summarises schemathesis NDJSON reports: one line per operation and kind of
failure, with the statuses seen and a sample of what was sent and answered.

    catalogue.py REPORT.ndjson [...]          # a table on stdout
    catalogue.py --json REPORT.ndjson [...]   # the same as JSON
    catalogue.py --markdown REPORT.ndjson ... # grouped as in FINDINGS.md
    catalogue.py --counts REPORT.ndjson ...   # distinct failures per group

Used by tests/schemathesis/run after each role's run, and to write
FINDINGS.md.
"""

import base64
import json
import sys
from collections import defaultdict


def load(paths):
    found = defaultdict(lambda: {"count": 0, "statuses": set(), "samples": []})
    for path in paths:
        role = path.rsplit("/", 1)[-1].split(".")[0]
        for line in open(path, encoding="utf-8"):
            event = json.loads(line)
            s = event.get("ScenarioFinished")
            if not s or s.get("status") != "failure":
                continue
            rec = s["recorder"]
            for case_id, checks in rec.get("checks", {}).items():
                for c in checks:
                    if c.get("status") != "failure":
                        continue
                    f = c["failure_info"]["failure"]
                    inter = rec.get("interactions", {}).get(case_id) or {}
                    resp = inter.get("response") or {}
                    req = inter.get("request") or {}
                    case = (rec.get("cases", {}).get(case_id) or {}).get("value", {})
                    op = f.get("operation") or rec["label"]
                    key = (op, f["code"], f["title"], first_line(f.get("message", "")))
                    entry = found[key]
                    entry["count"] += 1
                    entry["statuses"].add(resp.get("status_code"))
                    entry.setdefault("roles", set()).add(role)
                    if len(entry["samples"]) < 5:
                        entry["samples"].append(
                            {
                                "role": role,
                                "phase": (case.get("meta") or {}).get("phase", {}).get("name"),
                                "request": f"{req.get('method')} {req.get('uri')}",
                                "body": case.get("body"),
                                "query": case.get("query"),
                                "status": resp.get("status_code"),
                                "answer": content(resp)[:4000],
                                "message": f.get("message", "")[:600],
                            }
                        )
    return found


def first_line(message):
    lines = [l for l in message.splitlines() if l.strip()]
    # "Received: 404\nDocumented: 200" -> keep the documented part too
    return " / ".join(lines[:2])[:200]


def content(resp):
    c = resp.get("content")
    if isinstance(c, dict) and "$base64" in c:
        try:
            return base64.b64decode(c["$base64"]).decode("utf-8", "replace")
        except Exception:
            return ""
    return c if isinstance(c, str) else ""


def markdown(entries):
    """(a) list envelopes, (b) undocumented statuses, (c) refused valid
    requests with the fields the server named, (d) the rest."""
    import re

    undocumented, documented = defaultdict(set), {}
    refused = defaultdict(lambda: defaultdict(set))
    envelopes, other = set(), defaultdict(set)
    for e in entries:
        op = e["operation"]
        if e["code"] == "ST103":
            m = re.search(r"Received: (\d+) / Documented: (.*)", e["message"])
            if m:
                undocumented[op].add(int(m.group(1)))
                documented[op] = m.group(2)
        elif e["code"] == "ST202":
            for s in e["samples"]:
                try:
                    fields = json.loads(s["answer"]).get("fields") or {}
                except Exception:
                    fields = {}
                for f, msgs in fields.items():
                    f = re.sub(r"\[\d+\]", "[]", f)
                    if not f.isascii() or "?" in f:
                        f = f.split(".")[0] + ".<key>"
                    refused[op][f].update(msgs)
                if not fields:
                    refused[op]["(status %s)" % s["status"]].add(s["answer"][:100])
        elif e["code"] == "ST108" and 'is not of type "array"' in e["message"]:
            envelopes.add(op)
        else:
            other[(e["code"], e["title"])].add(op)
    out = ["### (a) list envelopes documented as arrays", ""]
    out += [f"- `{op}`" for op in sorted(envelopes)]
    out += ["", "### (b) undocumented status codes", "",
            "| operation | documented | also answered |", "|---|---|---|"]
    out += [f"| `{op}` | {documented[op]} | {', '.join(map(str, sorted(st)))} |"
            for op, st in sorted(undocumented.items())]
    out += ["", "### (c) schema-valid requests refused: the fields the 422 named", ""]
    for op in sorted(refused):
        out.append(f"- `{op}`")
        for f, msgs in sorted(refused[op].items()):
            out.append(f"  - `{f}`: {'; '.join(sorted(msgs))[:240]}")
    out += ["", "### (d) other", ""]
    for (code, title), ops in sorted(other.items()):
        out.append(f"- {code} {title}: " + ", ".join(f"`{o}`" for o in sorted(ops)))
    return "\n".join(out) + "\n"


def counts(entries):
    """Distinct failures across roles: (a) operations whose list envelope is
    documented as an array, (b) (operation, status) pairs undocumented, (c)
    operations refusing a schema-valid request, (d) the rest by code."""
    import re

    a, b, c, d = set(), set(), set(), defaultdict(set)
    for e in entries:
        op = e["operation"]
        if e["code"] == "ST103":
            m = re.search(r"Received: (\d+)", e["message"])
            b.add((op, m.group(1) if m else "?"))
        elif e["code"] == "ST202":
            c.add(op)
        elif e["code"] == "ST108" and 'is not of type "array"' in e["message"]:
            a.add(op)
        else:
            d[f"{e['code']} {e['title']}"].add(op)
    lines = [
        f"(a) list envelopes: {len(a)} operations",
        f"(b) undocumented status codes: {len(b)} (operation, status) pairs"
        f" in {len({op for op, _ in b})} operations",
        f"(c) schema-valid requests refused: {len(c)} operations",
    ]
    lines += [f"(d) {k}: {len(v)} operations" for k, v in sorted(d.items())]
    return "\n".join(lines) + "\n"


def entries_of(found):
    return [
        {
            "operation": k[0],
            "code": k[1],
            "title": k[2],
            "message": k[3],
            "count": v["count"],
            "statuses": sorted(x for x in v["statuses"] if x is not None),
            "roles": sorted(v.get("roles", [])),
            "samples": v["samples"],
        }
        for k, v in sorted(found.items())
    ]


def main(argv):
    as_json = "--json" in argv
    paths = [a for a in argv if not a.startswith("--")]
    found = load(paths)
    if "--counts" in argv:
        sys.stdout.write(counts(entries_of(found)))
        return
    if "--markdown" in argv:
        sys.stdout.write(markdown(entries_of(found)))
        return
    if as_json:
        out = entries_of(found)
        json.dump(out, sys.stdout, indent=1, ensure_ascii=False, default=str)
        return
    by_code = defaultdict(int)
    for (op, code, title, msg), v in sorted(found.items()):
        by_code[(code, title)] += v["count"]
        statuses = ",".join(str(x) for x in sorted(x for x in v["statuses"] if x is not None))
        print(f"{code} {op:<50} [{statuses}] x{v['count']}  {msg}")
    for (code, title), n in sorted(by_code.items()):
        print(f"total {code} {title}: {n}")


if __name__ == "__main__":
    main(sys.argv[1:])
