"""Check 6: bad input on every operation of the served document, as a caller
the operation's rule allows (so the request gets past authorization):
NUL and other control characters in every string field and query
parameter, huge numbers (2^63, -2^63-1, 1e309), dates out of range, bodies
over 1 MiB (413), the wrong content type (415), malformed JSON (400), huge
page numbers; page forms with NUL in every field. Never a 500 (the harness
flags every 500 it sees) and never a dropped connection."""

import json
import re

import authz
import rules
from harness import FINDINGS, Client
from web import DESTRUCTIVE_FORMS, form_targets, safe_form

CHECK = "6 bad input"
STRINGS = ["a\x00b", "a\x07\x1b[31mb", "\x00"]
NUMBERS = ["9223372036854775808", "-9223372036854775809", "1e309", "-1e309", "18446744073709551616"]
DATES = ["0000-01-01", "+262142-01-01", "2201-01-01", "2026-02-30", "-0001-01-01"]
QUERY = ["%00", "a%01b", "9223372036854775807", "-9223372036854775809", "1e309", "0000-01-01",
         "%2B262142-01-01", "%FF%FE"]
PREFER = ["organizer", "coordinator", "desk", "ngo", "community_organizer", "social_worker", "benefits",
          "commission", "council", "resident", "iod", "admin"]
SKIP = {"DELETE /api/v1/session"}


def resolve(doc, s, depth=0):
    if not isinstance(s, dict) or depth > 8:
        return {}
    if "$ref" in s:
        name = s["$ref"].split("/")[-1]
        return resolve(doc, doc.get("components", {}).get("schemas", {}).get(name, {}), depth + 1)
    for k in ("allOf", "oneOf", "anyOf"):
        if k in s:
            merged = {"properties": {}}
            for sub in s[k]:
                r = resolve(doc, sub, depth + 1)
                merged["properties"].update(r.get("properties", {}))
                for kk in ("type", "format"):
                    if kk in r and kk not in merged:
                        merged[kk] = r[kk]
            return merged
    return s


def field_types(doc, op, sample):
    """{field: "string"|"integer"|"number"|"date"} of the top-level body."""
    out = {}
    try:
        content = op.get("requestBody", {}).get("content", {})
        schema = resolve(doc, next(iter(content.values())).get("schema", {})) if content else {}
    except (StopIteration, AttributeError):
        schema = {}
    for name, p in (schema.get("properties") or {}).items():
        p = resolve(doc, p)
        t = p.get("type")
        t = [x for x in t if x != "null"][0] if isinstance(t, list) and len(t) > 1 else (t[0] if isinstance(t, list) else t)
        if p.get("format") == "date":
            out[name] = "date"
        elif t in ("string", "integer", "number"):
            out[name] = t
    for name, v in (sample or {}).items():  # the document may say less than the sample
        if name not in out:
            if isinstance(v, bool):
                continue
            if isinstance(v, int):
                out[name] = "integer"
            elif isinstance(v, str):
                out[name] = "date" if re.fullmatch(r"\d{4}-\d\d-\d\d", v) else "string"
    return out


def principal_for(world, key):
    rule = rules.rule_for(key) or rules.DEFAULT
    if rule["public"] and key.startswith("POST"):
        return "anonymous"
    for p in PREFER:
        role = world.users[p].me.get("role")
        if role in rule["allow"]:
            return p
    return "organizer"


def raw_body(body, field, literal):
    """The JSON of `body` with `field` set to the literal JSON text."""
    b = dict(body)
    b[field] = "__RAW__"
    return json.dumps(b).replace('"__RAW__"', literal).encode()


def run(world, doc):
    anon = Client(world.base, "anonymous")
    n = 0
    refusals = {}

    def send(client, method, url, raw=None, ctype="application/json", want=None, what=""):
        nonlocal n
        n += 1
        FINDINGS.probe(CHECK)
        a = client.call(method, url, raw=raw, headers={"content-type": ctype} if raw is not None else None)
        if a.status is not None:
            refusals.setdefault(what, {}).setdefault(a.status, 0)
            refusals[what][a.status] += 1
            if want and a.status not in want:
                FINDINGS.add(CHECK, "%s %s as %s (%s): %d, want %s: %s"
                             % (method, url[:100], client.name, what, a.status, sorted(want), a.text[:120]))
        return a

    for method, path, params, has_body in authz.operations(doc):
        key = "%s %s" % (method, path)
        if key in SKIP:
            continue
        who = principal_for(world, key)
        client = anon if who == "anonymous" else world.users[who]
        kind = authz.path_kind(path)
        rid = None
        if kind:
            rid = world.records.get(kind, {}).get("own") or world.records.get(kind, {}).get("random")
        # A record the fixtures do not hold is named by a well-formed random
        # id: typed ids refuse a malformed one (404) before the body is read.
        url = authz.fill(path, rid or world.records.get("random", {}).get("x") or "0190ffff-0000-7000-8000-000000000000")
        op = doc["paths"][path][method.lower()]
        # Query parameters.
        for p in params:
            if p.get("in") != "query":
                continue
            for v in QUERY:
                sep = "&" if "?" in url else "?"
                send(client, method, url + sep + "%s=%s" % (p["name"], v), what="query " + p["name"])
        if method == "GET":
            sep = "&" if "?" in url else "?"
            send(client, method, url + sep + "page=9223372036854775807&per_page=9223372036854775807",
                 what="huge page")
            continue
        if key == "POST /api/v1/session":
            body = {"email": "nobody@attack.example", "password": "x"}
        elif key == "PUT /api/v1/users/{id}":
            body = {"role": "desk"}
        else:
            body = rules.body_for(key, world, who, rid) or {}
        if not has_body and method != "POST":
            continue
        types = field_types(doc, op, body)
        limit_strings = STRINGS if key != "POST /api/v1/session" else STRINGS[:1]
        for field, t in sorted(types.items()):
            if t == "string":
                for v in limit_strings:
                    send(client, method, url, raw=raw_body(body, field, json.dumps(v)), what="control in " + field)
            elif t in ("integer", "number"):
                for v in NUMBERS:
                    send(client, method, url, raw=raw_body(body, field, v), what="number in " + field)
            elif t == "date":
                for v in DATES:
                    send(client, method, url, raw=raw_body(body, field, json.dumps(v)), what="date in " + field)
        if not has_body:
            continue
        big = json.dumps(dict(body, padding="a" * (1024 * 1024 + 16))).encode()
        send(client, method, url, raw=big, want={413}, what="over 1 MiB")
        send(client, method, url, raw=json.dumps(body).encode(), ctype="text/plain", want={415}, what="text/plain")
        send(client, method, url, raw=json.dumps(body).encode(), ctype="application/x-www-form-urlencoded",
             want={415}, what="form content type")
        send(client, method, url, raw=b'{"title": "x", ', want={400}, what="malformed JSON")
        send(client, method, url, raw=b'\xff\xfe{}', want={400}, what="not UTF-8")
        send(client, method, url, raw=b'[1, 2]', want={400, 422}, what="an array body")
        send(client, method, url, raw=(b'[' * 5000) + (b']' * 5000), want={400, 422}, what="deep nesting")
    # Page forms: every field with a NUL; a form body over the form limit.
    for who, pages in (getattr(world, "crawled", {}) or {}).items():
        if who == "anonymous":
            continue
        c = world.page_clients[who]
        done = set()
        for path, a, parsed in pages:
            if not parsed:
                continue
            for f in parsed.forms:
                if f["method"] != "post":
                    continue
                for action in form_targets(path, f):
                    shape = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "{id}", action)
                    if shape in done or shape == "/logout" or shape in DESTRUCTIVE_FORMS:
                        continue
                    done.add(shape)
                    fields = [(name, c.csrf if name == "csrf" else (value if is_button else value + "\x00\x01"))
                              for name, value, is_button in safe_form(shape, f["fields"])]
                    if not any(name != "csrf" and not is_button for name, _, is_button in f["fields"]):
                        continue  # nothing to put a NUL in
                    n += 1
                    FINDINGS.probe(CHECK)
                    r = c.form_post(action, fields)
                    if r.status is not None and r.status in (302, 303):
                        FINDINGS.add(CHECK, "POST %s (form) as %s with NUL in every field was accepted (%d)"
                                     % (action, who, r.status))
        if who == "organizer":
            n += 1
            r = c.form_post("/forum/threads", [("csrf", c.csrf), ("title", "x"), ("body", "a" * (70 * 1024))])
            if r.status not in (400, 413, 422):
                FINDINGS.add(CHECK, "POST /forum/threads with a 70 KiB form: %s, want 413" % r.status)
    world.badinput_refusals = refusals
    return {"requests": n}
