import { describe, expect, it } from 'vitest';
import { IDLE, sendStep, type SendState } from './send';
import { moveHighlight, replaceToken, slashToken } from './slash';
import { leftoverVariables, renderSnippet, type VariableContext } from './variables';

const ctx: VariableContext = {
  customerName: 'Claudio Pérez',
  agentName: 'Ana García',
  conversationId: 42,
  subject: null,
};

describe('snippet variables', () => {
  it('fills every variable Hilo knows', () => {
    const r = renderSnippet(
      'Hola {{customer.firstName}} ({{customer.name}}), soy {{agent.firstName}} — {{agent.name}}, caso #{{conversation.id}}',
      ctx,
    );
    expect(r.text).toBe('Hola Claudio (Claudio Pérez), soy Ana — Ana García, caso #42');
    expect(r.unresolved).toEqual([]);
  });

  it('leaves unknown variables visible and flags them, never blanks them', () => {
    const r = renderSnippet(
      'Tu pedido {{order.id}} y {{ order.id }} de {{customer.firstName}}',
      ctx,
    );
    expect(r.text).toBe('Tu pedido {{order.id}} y {{ order.id }} de Claudio');
    expect(r.unresolved, 'each unknown variable is reported once').toEqual([
      { name: 'order.id', reason: 'unknown' },
    ]);
  });

  it('flags known variables with no value here (no subject, no agent name yet)', () => {
    const r = renderSnippet('{{conversation.subject}} — {{agent.name}}', {
      ...ctx,
      agentName: '  ',
    });
    expect(r.text).toBe('{{conversation.subject}} — {{agent.name}}');
    expect(r.unresolved).toEqual([
      { name: 'conversation.subject', reason: 'empty' },
      { name: 'agent.name', reason: 'empty' },
    ]);
  });

  it('finds what is left to fill in a text', () => {
    expect(leftoverVariables('a {{x}} b {{y.z}} {{x}}')).toEqual(['x', 'y.z']);
    expect(leftoverVariables('no {single} braces')).toEqual([]);
  });
});

describe('the / picker', () => {
  it('opens on a slash at the start or after a space, with the query up to the caret', () => {
    expect(slashToken('/disc', 5)).toEqual({ start: 0, query: 'disc' });
    expect(slashToken('Hola /env', 9)).toEqual({ start: 5, query: 'env' });
    expect(slashToken('línea\n/', 7)).toEqual({ start: 6, query: '' });
    expect(slashToken('/estado del', 11), 'titles have spaces').toEqual({
      start: 0,
      query: 'estado del',
    });
  });

  it('does not open inside words, across lines or after a space right after the slash', () => {
    expect(slashToken('and/or', 6)).toBeNull();
    expect(slashToken('/x\nmore', 7)).toBeNull();
    expect(slashToken('a / b', 5)).toBeNull();
    expect(slashToken('plain text', 10)).toBeNull();
  });

  it('replaces the /query with the snippet and puts the caret after it', () => {
    const text = 'Hola /disc y más';
    const token = slashToken(text, 10);
    expect(token).not.toBeNull();
    if (!token) return;
    expect(replaceToken(text, token, 10, 'Lo siento')).toEqual({
      text: 'Hola Lo siento y más',
      caret: 14,
    });
  });

  it('moves the highlight with the arrows and wraps around', () => {
    expect(moveHighlight(-1, 3, 'ArrowDown')).toBe(0);
    expect(moveHighlight(-1, 3, 'ArrowUp')).toBe(2);
    expect(moveHighlight(2, 3, 'ArrowDown')).toBe(0);
    expect(moveHighlight(0, 3, 'ArrowUp')).toBe(2);
    expect(moveHighlight(0, 0, 'ArrowDown'), 'no results, no highlight').toBe(-1);
  });
});

describe('sending', () => {
  const press = (state: SendState, text: string, leftovers: string[] = []) =>
    sendStep(state, { type: 'press', text, leftovers });

  it('sends a complete reply at once and clears only after it is queued', () => {
    const first = press(IDLE, 'Hola Claudio');
    expect(first).toEqual({ state: { kind: 'sending' }, send: true, clear: false });
    expect(sendStep(first.state, { type: 'succeeded' })).toEqual({
      state: { kind: 'sent' },
      send: false,
      clear: true,
    });
  });

  it('asks for a second press while {{variables}} are left', () => {
    const first = press(IDLE, 'Pedido {{order.id}}', ['order.id']);
    expect(first.send).toBe(false);
    expect(first.state).toEqual({ kind: 'confirm', leftovers: ['order.id'] });
    const second = press(first.state, 'Pedido {{order.id}}', ['order.id']);
    expect(second.send, 'the second press sends anyway').toBe(true);
    const edited = sendStep(first.state, { type: 'edit' });
    expect(edited.state, 'editing after the warning starts over').toEqual(IDLE);
  });

  it('never sends twice while one send is in flight, and keeps the text on failure', () => {
    const sending: SendState = { kind: 'sending' };
    expect(press(sending, 'Hola').send).toBe(false);
    expect(sendStep(sending, { type: 'edit' }).state).toEqual(sending);
    const failed = sendStep(sending, { type: 'failed', message: 'disk full' });
    expect(failed).toEqual({
      state: { kind: 'error', message: 'disk full' },
      send: false,
      clear: false,
    });
    expect(press(failed.state, 'Hola').send, 'a failed send can be pressed again').toBe(true);
  });

  it('ignores an empty reply', () => {
    expect(press(IDLE, '   \n')).toEqual({ state: IDLE, send: false, clear: false });
  });
});
