"""Schemathesis hooks for tests/schemathesis/run: who the fuzzer is.

Every operation is sent with the bearer token of the role under test
(CUS_ST_TOKEN), except `DELETE /api/v1/session`, which ends the session of
the token it carries: it gets a token of its own from a pool of spare
sessions (CUS_ST_SPARE_TOKENS, space separated) so that signing out never
ends the session the rest of the run uses. When the pool is spent it gets a
token that never existed, which the server answers 401 (documented).

Schemathesis knows this is authentication (`@schemathesis.auth`), so its
`ignored_auth` check still strips and forges it to see that it is enforced.

Two data protection operations would change what later checks read, so
`before_call` keeps them harmless: `POST /api/v1/privacy/retention/run` is
always a dry run (a real one anonymises the demo's former client), and
`POST /api/v1/privacy/requests/{id}/decide` never grants (a granted erasure
anonymises a resident, a granted restriction makes every later write about
them 409): "granted" is sent as "partly", which is as valid.
"""

import os

import schemathesis

TOKEN = os.environ["CUS_ST_TOKEN"]
SPARE = os.environ.get("CUS_ST_SPARE_TOKENS", "").split()
SPENT = "0" * 64


def _signs_out(operation) -> bool:
    return operation.method.upper() == "DELETE" and operation.path.endswith("/session")


@schemathesis.auth(refresh_interval=None, retry_on=[])
class CusBearer:
    def get(self, case, ctx):
        if _signs_out(ctx.operation):
            return SPARE.pop() if SPARE else SPENT
        return TOKEN

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


def _is(operation, method, path) -> bool:
    return operation.method.upper() == method and operation.path.endswith(path)


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    body = case.body
    if not isinstance(body, dict):
        return
    if _is(case.operation, "POST", "/privacy/retention/run") and body.get("dry_run") is False:
        body["dry_run"] = True
    if _is(case.operation, "POST", "/decide") and body.get("decision") == "granted":
        body["decision"] = "partly"


# --- Polish identifiers ------------------------------------------------------
# The schema names them by `format` (with a `pattern` for their shape); the
# server also checks their checksums, which no JSON Schema can say. These
# strategies generate valid ones, so a schema-valid request is a valid one.

from hypothesis import strategies as st  # noqa: E402


def _nip(digits):
    d = list(digits)
    check = sum(a * b for a, b in zip(d, [6, 5, 7, 2, 3, 4, 5, 6, 7])) % 11
    return None if check == 10 else "".join(map(str, d + [check]))


def _regon9(digits):
    d = list(digits)
    check = sum(a * b for a, b in zip(d, [8, 9, 2, 3, 4, 5, 6, 7])) % 11 % 10
    return "".join(map(str, d + [check]))


def _regon14(digits):
    first = [int(c) for c in _regon9(digits[:8])]
    d = first + list(digits[8:])
    check = sum(a * b for a, b in zip(d, [2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8])) % 11 % 10
    return "".join(map(str, d + [check]))


def _iban(account):
    # PL, two check digits, 24 digits of account: mod 97 of the rearranged
    # number (PL = 25 21) must be 1.
    body = "".join(map(str, account))
    check = 98 - int(f"{body}252100") % 97
    return f"PL{check:02d}{body}"


_digit = st.integers(min_value=0, max_value=9)
schemathesis.openapi.format(
    "nip", st.lists(_digit, min_size=9, max_size=9).map(_nip).filter(lambda x: x is not None)
)
schemathesis.openapi.format(
    "regon",
    st.one_of(
        st.lists(_digit, min_size=8, max_size=8).map(_regon9),
        st.lists(_digit, min_size=12, max_size=12).map(_regon14),
    ),
)
schemathesis.openapi.format(
    "iban", st.one_of(st.just(""), st.lists(_digit, min_size=24, max_size=24).map(_iban))
)


def _pesel(parts):
    # YYMMDD with the century in the month (1900s: +0, 2000s: +20), a serial
    # of four digits and the check digit.
    year, month, day, serial = parts
    mm = month + (20 if year >= 2000 else 0)
    d = [int(c) for c in f"{year % 100:02d}{mm:02d}{day:02d}{serial:04d}"]
    check = (10 - sum(a * b for a, b in zip(d, [1, 3, 7, 9, 1, 3, 7, 9, 1, 3])) % 10) % 10
    return "".join(map(str, d + [check]))


_pesels = st.tuples(
    st.integers(min_value=1900, max_value=2099),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=28),
    st.integers(min_value=0, max_value=9999),
).map(_pesel)
schemathesis.openapi.format("pesel", _pesels)
schemathesis.openapi.format("pesel-or-blank", st.one_of(st.just(""), _pesels))
# What the server's email check (validator's validate_email) takes, simply.
_emails = st.from_regex(r"\A[a-z0-9]{1,20}@[a-z0-9]{1,20}\.(pl|com|example)\Z")
schemathesis.openapi.format("email-or-blank", st.one_of(st.just(""), _emails))
# The municipalities the server serves (the run script reads them from
# GET /api/v1/municipalities): a registration names one of them.
_served = os.environ.get("CUS_ST_MUNICIPALITIES", "").split() or ["1428011"]
schemathesis.openapi.format("teryt", st.sampled_from(_served))
