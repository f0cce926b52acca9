import { readFileSync } from 'node:fs';
import { workspacePath } from '../paths';

/** Where the one workflow definition lives (shared with Terraform). */
export const WORKFLOW_TEMPLATE = 'infra/workflow/order-workflow.asl.json';

/**
 * Renders a template the way Terraform's `templatefile()` does for plain interpolations:
 * `${name}` is replaced by the variable's value, `$${` is a literal `${`, and a reference to a
 * variable that was not given is an error (Terraform fails the same way). Template directives
 * (`%{ ... }`) are not used by our workflow and are rejected rather than silently kept.
 */
export function renderTemplate(template: string, vars: Record<string, string>): string {
  if (/(^|[^%])%\{/.test(template)) {
    throw new Error('Template directives (%{...}) are not supported by the local renderer');
  }
  const missing = new Set<string>();
  const rendered = template.replace(/\$(\$?)\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}/g, (whole, escape: string, name: string) => {
    if (escape) return whole.slice(1);
    const value = vars[name];
    if (value === undefined) {
      missing.add(name);
      return whole;
    }
    return value;
  });
  if (missing.size > 0) {
    throw new Error(`Template variables not given: ${[...missing].join(', ')}`);
  }
  return rendered;
}

export interface WorkflowVariables {
  validate_order_arn: string;
  store_order_arn: string;
  order_queue_url: string;
}

/** Reads `infra/workflow/order-workflow.asl.json` and substitutes the Terraform placeholders. */
export function loadWorkflowDefinition(vars: WorkflowVariables, file = workspacePath(WORKFLOW_TEMPLATE)): Record<string, unknown> {
  const rendered = renderTemplate(readFileSync(file, 'utf8'), { ...vars });
  return JSON.parse(rendered) as Record<string, unknown>;
}
