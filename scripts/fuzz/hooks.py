"""schemathesis hooks for scripts/fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

Each hook fixes one thing a fuzzer cannot know from a JSON Schema, without
loosening what the API checks: the request keeps its shape, only a value the
server must have issued (or that must lie ahead of the clock) is made real.
"""

import base64
import json
import os
import re
import itertools
from datetime import datetime, timedelta, timezone

import schemathesis

# Lists keyed by a number (src/plans/queries.ts); every other list takes a string key.
NUMBER_KEYED = {"/v1/plans/{id}/versions"}
# Fresh keys in a fixed order, so a seeded run sends the same requests each time (each run has its own database).
KEYS = itertools.count(1)


# Operations whose body carries usage charges, or entitlements that may name a meter.
CHARGED = {"/v1/plans", "/v1/plans/{id}", "/v1/subscriptions/{id}/prices"}
ENTITLED = {"/v1/plans", "/v1/plans/{id}", "/v1/subscriptions/{id}/entitlements/{feature}"}
# The meter scripts/fuzz.sh creates for each run: a sum of `calls` by `region`.
FUZZ_METER = "fuzz_calls"
MODEL_FIELDS = {
    "per_unit": {"unit_price": "1"},
    "graduated": {"tiers": [{"up_to": None, "unit_price": "1"}]},
    "volume": {"tiers": [{"up_to": None, "unit_price": "1"}]},
    "package": {"package_size": 1, "package_price": "1"},
}
PRICE_FIELDS = {"unit_price", "tiers", "package_size", "package_price"}


def _fit_price(model, price):
    """The model's own price fields only, present, tiers rising and ending open."""
    own = MODEL_FIELDS.get(model)
    if own is None:
        return
    for field in PRICE_FIELDS - own.keys():
        price.pop(field, None)
    for field, default in own.items():
        price.setdefault(field, default)
    tiers = price.get("tiers")
    if isinstance(tiers, list):
        tiers = [t for t in tiers if isinstance(t, dict)] or [{"up_to": None, "unit_price": "1"}]
        for i, tier in enumerate(tiers):
            tier["up_to"] = None if i == len(tiers) - 1 else (i + 1) * 10
        price["tiers"] = tiers


def _fit_charges(body):
    charges = body.get("charges")
    if not isinstance(charges, list) or not charges or not isinstance(charges[0], dict):
        return
    charge = charges[0]
    body["charges"] = [charge]
    charge["meter"] = FUZZ_METER
    charge.pop("currency", None)
    model = charge.get("model")
    if any(field in charge for field in PRICE_FIELDS) or not charge.get("prices"):
        _fit_price(model, charge)
    prices = [p for p in charge.get("prices") or [] if isinstance(p, dict)]
    for j, price in enumerate(prices):
        price["dimensions"] = {"region": f"r{j}"}
        _fit_price(model, price)
    if "prices" in charge:
        charge["prices"] = prices
    low, high = charge.get("min_amount"), charge.get("max_amount")
    number = lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)
    if number(low) and number(high) and low > high:
        charge["min_amount"], charge["max_amount"] = high, low

def _fit_plan_charges(body):
    """A plan's charges fitted, and (charges being priced in the version's currency only) no other currencies."""
    _fit_charges(body)
    if body.get("charges"):
        body["prices"] = {}
    elif body.get("prices"):
        # Prices in other currencies on a plan whose version has charges: the change drops the charges.
        body["charges"] = []


def _fit_entitlement(feature, entitlement):
    if not isinstance(entitlement, dict):
        return
    if entitlement.get("type") != "metered" or (isinstance(feature, str) and feature.strip().lower() == "ai_tokens"):
        entitlement.pop("meter", None)
        entitlement.pop("dimensions", None)
        return
    if "meter" in entitlement:
        entitlement["meter"] = FUZZ_METER
        if isinstance(entitlement.get("dimensions"), dict):
            entitlement["dimensions"] = {"region": "r0"} if entitlement["dimensions"] else {}
    else:
        entitlement.pop("dimensions", None)


def _is_positive(case) -> bool:
    meta = case.meta
    return meta is None or meta.generation.mode.is_positive


def _cursor(key) -> str:
    """What db/paging.ts `encodeCursor` hands out: unpadded base64 of the key's JSON."""
    return base64.b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _unused_id(parameter):
    """An id of the parameter's kind that was never issued: its prefix, then 26 zeros (src/kernel/ids.ts)."""
    definition = getattr(parameter, "definition", None) or {}
    pattern = (definition.get("schema") or {}).get("pattern", "")
    match = re.fullmatch(r"\^([a-z]+_)\[0-9A-Z\]\{26\}\$", pattern)
    return f"{match.group(1)}{'0' * 26}" if match else None


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    # Only schema-valid cases are touched: schemathesis revalidates a case a hook edits, and an
    # edited negative case (say, one sent without `Authorization`) would be relabelled positive.
    if not _is_positive(case):
        return
    # A stateful step takes a path parameter from an earlier response through an inferred link;
    # when that field is null there, schemathesis sends "None" (refused: 400) yet calls the case
    # schema-valid. Such a parameter becomes a well-formed id that exists nowhere (404).
    for parameter in case.operation.path_parameters:
        if case.path_parameters.get(parameter.name) in (None, "None"):
            unused = _unused_id(parameter)
            if unused is not None:
                case.path_parameters[parameter.name] = unused

    # The run's own operator is never changed: disabling it, or changing its password, ends the
    # session every later request uses, and the rest of the run would see only 401s.
    own = os.environ.get("FUZZ_OPERATOR_ID")
    if own and case.operation.path == "/v1/operators/{id}" and case.path_parameters.get("id") == own:
        case.path_parameters["id"] = "op_" + "0" * 26

    # A key is one request: the fuzzer draws keys from a small space and sends the same one
    # with different bodies, which the API refuses by design (422). Each request gets a fresh key.
    headers = case.headers or {}
    if isinstance(headers.get("Idempotency-Key"), str):
        headers["Idempotency-Key"] = f"fuzz-{next(KEYS)}"

    # A cursor is what `next_cursor` gave; a made-up one (well-formed base64) is refused with 400.
    # A schema-valid cursor becomes one the list could have handed out, the generated text as its key.
    query = case.query or {}
    cursor = query.get("cursor")
    if isinstance(cursor, str):
        query["cursor"] = _cursor(len(cursor)) if case.operation.path in NUMBER_KEYED else _cursor(str(len(cursor)))

    body = case.body
    # `ai_tokens` is always metered (400 naming `type` otherwise). A plan's body says so in its
    # schema (the `ai_tokens` key); an override's body cannot, its feature being in the path: a
    # schema-valid override of another type for `ai_tokens` goes to another feature instead.
    if case.operation.path == "/v1/subscriptions/{id}/entitlements/{feature}" and isinstance(body, dict):
        feature = case.path_parameters.get("feature")
        if isinstance(feature, str) and feature.strip() == "ai_tokens" and body.get("type") != "metered":
            case.path_parameters["feature"] = "ai_tokens_other"

    # Usage charges and meter-backed entitlements obey rules across fields and against the meters
    # that no JSON Schema states (docs/pricing.md, docs/entitlements.md): each model takes its own
    # price fields, tiers rise and end open, min ≤ max, one price per set of dimension values, the
    # meter exists and groups by the dimensions named, one charge per meter, charges only in the
    # version's currency. A schema-valid body is made one that keeps them; its shape is unchanged.
    if isinstance(body, dict) and case.operation.path in CHARGED:
        (_fit_charges if case.operation.path.endswith("/prices") else _fit_plan_charges)(body)
    if isinstance(body, dict) and case.operation.path in ENTITLED:
        if case.operation.path.endswith("{feature}"):
            _fit_entitlement(case.path_parameters.get("feature"), body)
        elif isinstance(body.get("entitlements"), dict):
            for feature, entitlement in body["entitlements"].items():
                _fit_entitlement(feature, entitlement)

    # An API key's `expires_at` must lie in the future (400 otherwise); a past date moves a year ahead.
    if isinstance(body, dict) and isinstance(body.get("expires_at"), str):
        try:
            at = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
        except ValueError:
            return
        if at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
        now = datetime.now(timezone.utc)
        if at <= now + timedelta(minutes=1):
            body["expires_at"] = (now + timedelta(days=365)).isoformat().replace("+00:00", "Z")
