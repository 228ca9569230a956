"""Check 1: every operation of the served OpenAPI document × every principal
(anonymous, each demo role, the accounts the fixtures add) × the ids of the
caller's municipality, of the other one, of another organization or
resident, and a random UUID. The expectations come from API.md, DOMAIN.md
and the README (rules.py); any 2xx where a rule says no is a finding, and
every allowed read is searched for the other municipality's records."""

import re

from harness import BRZEZINY, FINDINGS, SOCHACZEW, Client
import rules

CHECK = "1 authorization"
LEAK = "1 cross-municipality leak"

# The path segment before a parameter names the kind of record it takes.
KIND_OF_SEGMENT = {
    "agreements": "agreement", "competitions": "competition", "offers": "offer",
    "organizations": "organization", "plans": "plan", "programs": "program",
    "requests": "request", "residents": "resident", "services": "service", "users": "user",
    "threads": "thread", "posts": "post", "communities": "community",
    "social-programs": "social_program", "diagnoses": "diagnosis",
    "households": "household", "referrals": "referral", "social-contracts": "social_contract",
    "districts": "district",
}
# Two segments where one would mistake the kind (/privacy/requests/{id} is
# a data subject request, not a request for a service).
KIND_OF_SEGMENTS = {"privacy/requests": "privacy_request"}
# Path parameters that are positions within the record, not ids: filled
# with a fixed value, never taken for the record's kind
# (/social-contracts/{id}/commitments/{n}: the contract's first commitment).
FIXED_PARAMS = {"n": "0"}


def operations(doc):
    """(method, path, parameters, has_body) of every operation, as served."""
    out = []
    for path, item in sorted(doc.get("paths", {}).items()):
        shared = item.get("parameters", [])
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = shared + op.get("parameters", [])
            out.append((method.upper(), path, params, "requestBody" in op))
    return out


def path_kind(path):
    """The kind of the record of the path's (last) parameter, or None."""
    segs = path.strip("/").split("/")
    kind = None
    for i, s in enumerate(segs):
        if s.startswith("{") and i > 0 and s.strip("{}") not in FIXED_PARAMS:
            kind = KIND_OF_SEGMENTS.get("/".join(segs[max(i - 2, 0):i])) or KIND_OF_SEGMENT.get(segs[i - 1], "unknown")
    return kind


def fill(path, value):
    for name, fixed in FIXED_PARAMS.items():
        path = path.replace("{%s}" % name, fixed)
    return re.sub(r"\{[^}]+\}", value, path)


def variants(world, principal, kind):
    """(variant, id, relation) to try for `principal`: relation is what the
    id is to the caller: own, other_muni, other_org, other_resident, random."""
    recs = world.records.get(kind, {})
    teryt = world.principal_teryt(principal)
    out = []
    if teryt == BRZEZINY:
        if "other" in recs:
            out.append(("own", recs["other"], "own"))
        if "own" in recs:
            out.append(("other", recs["own"], "other_muni"))
    else:
        personal = kind in ("request", "resident", "plan")
        org_bound = kind in ("organization", "offer", "agreement")
        if "own" in recs:
            if principal == "ngo2" and org_bound:
                out.append(("other_org", recs["own"], "other_org"))
            elif principal == "resident2" and personal:
                out.append(("other_resident", recs["own"], "other_resident"))
            elif principal == "resident" and kind == "plan":
                out.append(("other_resident", recs["own"], "other_resident"))
            else:
                out.append(("own", recs["own"], "own"))
        if "other" in recs:
            out.append(("other", recs["other"], "other_muni" if teryt else "any"))
        if "other_org" in recs and principal == "ngo":
            out.append(("other_org", recs["other_org"], "other_org"))
        if "other_resident" in recs and principal == "resident" and kind != "plan":
            out.append(("other_resident", recs["other_resident"], "other_resident"))
    out.append(("random", recs.get("random") or "0190ffff-0000-7000-8000-000000000000", "random"))
    return out


def leak_check(world, principal, method, path, answer):
    if not answer.ok or method != "GET" or rules.cross_municipality_public(path):
        return
    teryt = world.principal_teryt(principal)
    if teryt not in (SOCHACZEW, BRZEZINY):
        return
    other = BRZEZINY if teryt == SOCHACZEW else SOCHACZEW
    FINDINGS.probe(LEAK)
    hits = sorted(m for m in world.markers[other] if m in answer.text)
    if hits:
        FINDINGS.add(LEAK, "%s %s as %s (%s): the body holds %s's records %s"
                     % (method, path, principal, teryt, other, ", ".join(hits[:4])))
    people = rules.private_markers(world, principal)
    hits = sorted(m for m in people if m in answer.text)
    if hits:
        FINDINGS.add(LEAK, "%s %s as %s: the body names residents it must not see: %s"
                     % (method, path, principal, ", ".join(hits[:4])))


def run(world, doc, spare):
    ops = operations(doc)
    principals = ["anonymous"] + list(world.users)
    anon = Client(world.base, "anonymous")
    unclassified = set()
    n_pairs = 0
    for method, path, params, has_body in ops:
        key = "%s %s" % (method, path)
        rule = rules.rule_for(key)
        if rule is None:
            # A route the table does not know yet: signed-in callers only
            # unless the document declares no security for it.
            unclassified.add(key)
            op = doc["paths"][path].get(method.lower(), {})
            rule = dict(rules.DEFAULT, public=not (op.get("security") or doc.get("security")))
        kind = path_kind(path)
        for p in principals:
            client = anon if p == "anonymous" else world.users[p]
            if rule.get("skip") and p != "anonymous":
                continue
            role = client.me.get("role", "anonymous")
            if kind is None:
                tries = [("none", None, "own")]
            else:
                tries = variants(world, p, kind) if p != "anonymous" else [("own", (world.records.get(kind) or {}).get("own") or "x", "own")]
            n_pairs += 1
            for variant, rid, relation in tries:
                url = fill(path, rid) if rid else path
                if "{" in url:
                    url = fill(url, world.records.get("random", {}).get("x", "0190ffff-0000-7000-8000-000000000000"))
                url = rules.with_query(key, url)
                denied, why = rules.expect_denied(key, rule, p, role, relation, world)
                if method != "GET" and not denied:
                    continue  # allowed writes are not replayed here
                body = rules.body_for(key, world, p, rid) if has_body or method in ("POST", "PUT") else None
                token = None
                if key == "DELETE /api/v1/session" and p != "anonymous":
                    if not spare.get(p):
                        continue
                    token = spare[p].pop()
                FINDINGS.probe(CHECK)
                a = client.call(method, url, body=body if method != "GET" else None, token=token)
                if a.status is None:
                    continue
                if denied:
                    if a.ok or a.status in (301, 302, 303):
                        FINDINGS.add(CHECK, "%s as %s (%s, id %s) answered %d, want a refusal (%s): %s"
                                     % (key, p, role, variant, a.status, why, a.text[:200].replace("\n", " ")))
                    else:
                        FINDINGS.refusal(CHECK + " [%s]" % why.split(":")[0], a.status)
                        want = rules.WANT.get(why.split(":")[0])
                        if why == "anonymous" and rule.get("anon"):
                            want = rule["anon"]
                        if want and a.status not in want:
                            FINDINGS.add(CHECK, "%s as %s (id %s): %d, want one of %s (%s)"
                                         % (key, p, variant, a.status, sorted(want), why))
                leak_check(world, p, method, url, a)
    return {"operations": len(ops), "principals": len(principals), "pairs": n_pairs,
            "unclassified": sorted(unclassified)}
