"""Schemathesis hooks for tests/schemathesis/run: who the fuzzer is.

Every operation is sent with the bearer token of the role under test
(CUS_ST_TOKEN), except `DELETE /api/v1/session`, which ends the session of
the token it carries: it gets a token of its own from a pool of spare
sessions (CUS_ST_SPARE_TOKENS, space separated) so that signing out never
ends the session the rest of the run uses. When the pool is spent it gets a
token that never existed, which the server answers 401 (documented).

Schemathesis knows this is authentication (`@schemathesis.auth`), so its
`ignored_auth` check still strips and forges it to see that it is enforced.
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
