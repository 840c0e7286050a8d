// Who a policy rule is evaluated for: the parts of a principal that policies read (issue 12's Principal fits).
import type { PrincipalSelector } from '../../model/policy-definition.js';

/** What policies need to know about a caller: structurally, `Principal` from src/access/principal.ts. */
export interface PolicyPrincipal {
  id: string;
  name: string;
  roles: readonly string[];
  groups: readonly string[];
  attributes: Readonly<Record<string, string>>;
}

/**
 * Whether `principal` is one of those `selector` names (a role, a user id or a group); an empty selector names nobody.
 * @example selectorMatches({ roles: ['analyst'] }, analystWest) // true
 */
export function selectorMatches(selector: PrincipalSelector, principal: PolicyPrincipal): boolean {
  return (
    (selector.roles ?? []).some((role) => principal.roles.includes(role)) ||
    (selector.users ?? []).includes(principal.id) ||
    (selector.groups ?? []).some((group) => principal.groups.includes(group))
  );
}

/**
 * Whether a rule with `appliesTo` (default: everybody) and `unless` applies to `principal`.
 * @example ruleApplies({ appliesTo: { roles: ['analyst'] }, unless: { users: ['lead'] } }, analystWest) // true
 */
export function ruleApplies(rule: { appliesTo?: PrincipalSelector; unless?: PrincipalSelector }, principal: PolicyPrincipal): boolean {
  if (rule.unless && selectorMatches(rule.unless, principal)) return false;
  return rule.appliesTo ? selectorMatches(rule.appliesTo, principal) : true;
}
