"""Who may do what to a repository: IAM's policy evaluation logic, as the sandbox applies it to ECR.

Pages (IAM user guide):

- "Policy evaluation logic" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
  and "The difference between explicit and implicit denies": every request is denied by default; an explicit
  ``Deny`` in any applicable policy overrides every ``Allow`` ("the Deny statement trumps the Allow statement"),
  for the account's own identities too.
- "Cross-account policy evaluation logic"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html): within
  one account an identity-based *or* a resource-based policy may allow; across accounts both the resource-based
  policy (here the repository or registry policy) *and* the caller's identity-based policy must allow.
- "IAM JSON policy elements": ``Principal`` (an account id or ``arn:aws:iam::ACCOUNT:root`` means every principal
  of that account; a role ARN every session of the role; ``*`` everyone), ``Action``/``NotAction`` with ``*`` and
  ``?`` wildcards, case-insensitive; ``Resource``/``NotResource`` (registry policies; repository policies have none:
  the repository); ``Condition`` with its operators, ``...IfExists``, ``ForAnyValue:``/``ForAllValues:`` and
  "If the key that you specify in a policy condition is not present in the request context, the values do not
  match" (operators ``Not...`` then match, ``Null`` tests presence).
- "Troubleshooting access denied error messages"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html): the reason a denial names
  ("because no resource-based policy allows the X action", "with an explicit deny in a resource-based policy").

The sandbox's identities have no identity-based policies: each may do every ECR action in its own account and,
in another account, whatever that account's resource-based policy grants it (an identity policy that allows all).
Condition keys the sandbox does not know cannot be judged: a statement that uses one denies the request (a log line
names the key), rather than allowing what ECR might refuse.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

log = logging.getLogger("ecr_sandbox.model.iam")

# Condition keys the sandbox puts in a request context (present or known to be absent).
KNOWN_KEYS = frozenset({
    "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn", "aws:principaltype",
    "aws:userid", "aws:username", "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:securetransport",
    "aws:requestedregion", "aws:resourceaccount", "aws:calledvia", "aws:viaawsservice", "aws:principalisawsservice",
    "aws:principalservicename", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceip",
})

EXPLICIT_DENY, ALLOWED, IMPLICIT_DENY = "explicit-deny", "allowed", "implicit-deny"


@dataclass(frozen=True)
class Caller:
    """The identity a request comes from: an ARN (``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION``,
    ``arn:aws:iam::ACCOUNT:user/NAME``, ``arn:aws:iam::ACCOUNT:root``)."""

    arn: str

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]

    @property
    def role_arn(self) -> str | None:
        """The role an assumed-role session belongs to."""
        match = re.fullmatch(r"arn:aws:sts::(\d{12}):assumed-role/([^/]+)/.+", self.arn)
        return f"arn:aws:iam::{match[1]}:role/{match[2]}" if match else None

    @property
    def kind(self) -> str:
        """``aws:PrincipalType``: AssumedRole, User or Account."""
        if ":assumed-role/" in self.arn:
            return "AssumedRole"
        return "Account" if self.arn.endswith(":root") else "User"


@dataclass(frozen=True)
class Request:
    caller: Caller
    action: str  # "ecr:BatchGetImage"
    resource: str  # the repository's ARN
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # lower-case key -> values

    @property
    def resource_account(self) -> str:
        return self.resource.split(":")[4]


@dataclass(frozen=True)
class Decision:
    outcome: str  # allowed | explicit-deny | implicit-deny
    policy: str = ""  # "resource-based" (the policy that decided, for the message)
    unknown_keys: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.outcome == ALLOWED


def context_for(caller: Caller, region: str, resource_account: str, organization: tuple[str, Iterable[str]] | None,
                secure: bool = True) -> dict[str, tuple[str, ...]]:
    """The request context of a call by ``caller`` (global condition keys, "AWS global condition context keys"):
    ``aws:PrincipalOrgID`` only when the caller's account is in the sandbox's organization."""
    context = {"aws:principalaccount": (caller.account,), "aws:principalarn": (caller.role_arn or caller.arn,),
               "aws:principaltype": (caller.kind,), "aws:securetransport": ("true" if secure else "false",),
               "aws:requestedregion": (region,), "aws:resourceaccount": (resource_account,),
               "aws:principalisawsservice": ("false",), "aws:viaawsservice": ("false",)}
    if organization is not None and caller.account in set(organization[1]):
        context["aws:principalorgid"] = (organization[0],)
        context["aws:principalorgpaths"] = (f"{organization[0]}/*",)
    return context


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _wild(pattern: str, value: str, case: bool = True) -> bool:
    if not case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def _principal_matches(entry: str, caller: Caller) -> bool:
    if entry == "*":
        return True
    if re.fullmatch(r"\d{12}", entry):
        return caller.account == entry
    if re.fullmatch(r"arn:aws:iam::\d{12}:root", entry):
        return caller.account == entry.split(":")[4]
    return entry in (caller.arn, caller.role_arn)


def _names(statement: Mapping[str, Any], caller: Caller) -> bool:
    if "NotPrincipal" in statement:
        return not _names({"Principal": statement["NotPrincipal"]}, caller)
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    return any(_principal_matches(str(e), caller) for e in _listed(principal.get("AWS")))


def _covers_action(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(_wild(str(a), action, case=False) for a in _listed(statement["NotAction"]))
    return any(_wild(str(a), action, case=False) for a in _listed(statement.get("Action")))


def _covers_resource(statement: Mapping[str, Any], resource: str) -> bool:
    if "NotResource" in statement:
        return not any(_wild(str(r), resource) for r in _listed(statement["NotResource"]))
    if "Resource" not in statement:
        return True  # a repository policy: the repository it is attached to
    return any(_wild(str(r), resource) for r in _listed(statement["Resource"]))


def _compare(operator: str, wanted: str, actual: str) -> bool:
    base = operator.removesuffix("IfExists")
    if base in ("StringEquals", "StringNotEquals", "ArnEquals", "ArnNotEquals"):
        return actual == wanted
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return actual.lower() == wanted.lower()
    if base in ("StringLike", "StringNotLike", "ArnLike", "ArnNotLike"):
        return _wild(wanted, actual)
    if base == "Bool":
        return actual.lower() == wanted.lower()
    if base in ("IpAddress", "NotIpAddress"):
        try:
            return ipaddress.ip_address(actual) in ipaddress.ip_network(wanted, strict=False)
        except ValueError:
            return False
    raise ValueError(operator)


NEGATED = ("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike",
           "NotIpAddress")


def _condition_holds(operator: str, key: str, wanted: list[str], context: Mapping[str, tuple[str, ...]]) -> bool:
    qualifier, _, operator = operator.rpartition(":")
    actual = context.get(key.lower())
    if operator == "Null":
        return (actual is None) == (str(wanted[0]).lower() == "true")
    if actual is None:
        return operator.endswith("IfExists") or operator.removesuffix("IfExists") in NEGATED
    negated = operator.removesuffix("IfExists") in NEGATED
    if qualifier == "ForAllValues":
        matched = all(any(_compare(operator, w, a) for w in wanted) for a in actual)
    else:
        matched = any(_compare(operator, w, a) for w in wanted for a in actual)
    return not matched if negated else matched


def _conditions(statement: Mapping[str, Any], context: Mapping[str, tuple[str, ...]]) -> tuple[bool, tuple[str, ...]]:
    """Whether every condition of ``statement`` holds; and the condition keys the sandbox does not know."""
    block = statement.get("Condition") or {}
    unknown = tuple(key for operators in block.values() if isinstance(operators, dict)
                    for key in operators if key.lower() not in KNOWN_KEYS)
    if unknown:
        return False, unknown
    for operator, pairs in block.items():
        for key, wanted in (pairs or {}).items():
            try:
                if not _condition_holds(operator, key, [str(w) for w in _listed(wanted)], context):
                    return False, ()
            except ValueError:
                return False, (f"{operator} (operator)",)
    return True, ()


def statements(policy_text: str | None) -> list[dict[str, Any]]:
    if not policy_text:
        return []
    try:
        return [s for s in _listed(json.loads(policy_text).get("Statement")) if isinstance(s, dict)]
    except (ValueError, AttributeError):
        return []


def evaluate(request: Request, *resource_policies: str | None) -> Decision:
    """IAM's decision on ``request`` given the resource-based policies that apply (repository policy, registry
    policy); the caller's identity policy allows everything (see the module docstring)."""
    allowed = False
    unknown: list[str] = []
    for text in resource_policies:
        for statement in statements(text):
            if not (_names(statement, request.caller) and _covers_action(statement, request.action)
                    and _covers_resource(statement, request.resource)):
                continue
            holds, missing = _conditions(statement, request.context)
            if missing:
                unknown.extend(missing)
                log.warning("condition key(s) %s in a policy of %s are not evaluated by the sandbox: %s is denied",
                            ", ".join(missing), request.resource, request.action)
                continue
            if not holds:
                continue
            if statement.get("Effect") == "Deny":
                return Decision(EXPLICIT_DENY, "resource-based")
            if statement.get("Effect") == "Allow":
                allowed = True
    if unknown:
        return Decision(IMPLICIT_DENY, "resource-based", tuple(dict.fromkeys(unknown)))
    same_account = request.caller.account == request.resource_account
    return Decision(ALLOWED if same_account or allowed else IMPLICIT_DENY, "resource-based")


def denial_message(request: Request, decision: Decision) -> str:
    """The ``AccessDeniedException`` / registry ``denied`` text ("Troubleshooting access denied error messages")."""
    head = (f"User: {request.caller.arn} is not authorized to perform: {request.action} on resource: "
            f"{request.resource}")
    if decision.outcome == EXPLICIT_DENY:
        return f"{head} with an explicit deny in a {decision.policy} policy"
    return f"{head} because no {decision.policy} policy allows the {request.action} action"
