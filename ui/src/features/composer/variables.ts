// Snippet variables: `{{customer.firstName}}` and friends, filled from what Hilo knows about
// the conversation. A variable Hilo does not know, or knows no value for, stays in the text
// exactly as written and is reported, so it is never silently blanked before sending.

/** The variables a snippet may use. */
export const KNOWN_VARIABLES = [
  'customer.firstName',
  'customer.name',
  'agent.name',
  'agent.firstName',
  'conversation.id',
  'conversation.subject',
] as const;

export type KnownVariable = (typeof KNOWN_VARIABLES)[number];

export interface VariableContext {
  customerName: string | null;
  agentName: string | null;
  conversationId: number | null;
  subject: string | null;
}

/** A variable left in the text: not one Hilo knows, or one with no value here. */
export interface Unresolved {
  name: string;
  reason: 'unknown' | 'empty';
}

export interface Rendered {
  text: string;
  unresolved: Unresolved[];
}

const VARIABLE = /\{\{\s*([^{}\s]+)\s*\}\}/g;

function firstName(name: string | null): string | null {
  const first = name?.trim().split(/\s+/)[0];
  return first === undefined || first === '' ? null : first;
}

function clean(value: string | null): string | null {
  const v = value?.trim();
  return v === undefined || v === '' ? null : v;
}

function isKnown(name: string): name is KnownVariable {
  return (KNOWN_VARIABLES as readonly string[]).includes(name);
}

export function variableValue(name: KnownVariable, ctx: VariableContext): string | null {
  switch (name) {
    case 'customer.firstName':
      return firstName(ctx.customerName);
    case 'customer.name':
      return clean(ctx.customerName);
    case 'agent.name':
      return clean(ctx.agentName);
    case 'agent.firstName':
      return firstName(ctx.agentName);
    case 'conversation.id':
      return ctx.conversationId === null ? null : String(ctx.conversationId);
    case 'conversation.subject':
      return clean(ctx.subject);
  }
}

/** Fills the variables it can; leaves the others visible and lists them (once each). */
export function renderSnippet(body: string, ctx: VariableContext): Rendered {
  const unresolved: Unresolved[] = [];
  const note = (u: Unresolved): void => {
    if (!unresolved.some((x) => x.name === u.name)) unresolved.push(u);
  };
  const text = body.replace(VARIABLE, (whole, name: string) => {
    if (!isKnown(name)) {
      note({ name, reason: 'unknown' });
      return whole;
    }
    const value = variableValue(name, ctx);
    if (value === null) {
      note({ name, reason: 'empty' });
      return whole;
    }
    return value;
  });
  return { text, unresolved };
}

/** Every `{{variable}}` still in a text (what the agent has yet to fill in), once each. */
export function leftoverVariables(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(VARIABLE)) {
    const name = m[1] ?? '';
    if (!names.includes(name)) names.push(name);
  }
  return names;
}
