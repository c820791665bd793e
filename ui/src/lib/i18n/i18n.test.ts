import { describe, expect, it } from 'vitest';
import { en } from './en';
import { es } from './es';
import { detectLocale, dictionaries, LOCALES, placeholders, translate } from './translate';

describe('i18n dictionaries', () => {
  it('es and en have exactly the same keys', () => {
    const esKeys = Object.keys(es).sort();
    const enKeys = Object.keys(en).sort();
    expect(enKeys, 'every Spanish key needs an English text and vice versa').toEqual(esKeys);
  });

  it('no text is empty or only whitespace', () => {
    for (const locale of LOCALES) {
      const empty = Object.entries(dictionaries[locale])
        .filter(([, text]) => text.trim() === '')
        .map(([key]) => key);
      expect(empty, `empty texts in ${locale}`).toEqual([]);
    }
  });

  it('both languages use the same placeholders for each key', () => {
    const mismatched = Object.keys(es).filter((key) => {
      const k = key as keyof typeof es;
      return placeholders(es[k]).join() !== placeholders(en[k]).join();
    });
    expect(mismatched, 'a placeholder missing in one language shows as {name}').toEqual([]);
  });

  it('has a text for every channel, status, priority, call outcome, event kind and identity', () => {
    const required = [
      ...['email', 'chat', 'whatsapp', 'facebook', 'instagram', 'x', 'sms', 'telegram'].map(
        (c) => `channel.${c}`,
      ),
      ...['line', 'api', 'voice'].map((c) => `channel.${c}`),
      ...['open', 'pending', 'snoozed', 'resolved'].map((s) => `status.${s}`),
      ...['none', 'low', 'medium', 'high', 'urgent'].map((p) => `priority.${p}`),
      ...['ringing', 'answered', 'missed', 'busy', 'failed'].map((o) => `call.outcome.${o}`),
      ...['status_changed', 'assigned', 'priority_changed', 'handoff', 'merged', 'unmerged'].map(
        (e) => `event.${e}`,
      ),
      'event.sla_alert',
      ...[
        'email',
        'phone',
        'phone_unparsed',
        'contact',
        'facebook',
        'instagram',
        'x',
        'telegram',
      ].map((i) => `identity.${i}`),
      ...['cacheUnreadable', 'cacheKeyMissing', 'keychainUnavailable', 'notFound'].map(
        (c) => `error.${c}`,
      ),
      ...['invalidInput', 'io', 'internal'].map((c) => `error.${c}`),
    ];
    const missing = required.filter((key) => !Object.hasOwn(es, key));
    expect(missing).toEqual([]);
  });
});

describe('detectLocale', () => {
  it('maps any Spanish variant to es and everything else to en', () => {
    expect(detectLocale('es')).toBe('es');
    expect(detectLocale('es-ES')).toBe('es');
    expect(detectLocale('es-419')).toBe('es');
    expect(detectLocale('ES')).toBe('es');
    expect(detectLocale('en-US')).toBe('en');
    expect(detectLocale('pt-BR')).toBe('en');
    expect(detectLocale('')).toBe('en');
    expect(detectLocale(undefined)).toBe('en');
    expect(detectLocale(null)).toBe('en');
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('es', 'event.assigned', { to: 'Ana' })).toBe('Asignada a Ana');
    expect(translate('en', 'event.assigned', { to: 'Ana' })).toBe('Assigned to Ana');
    expect(translate('en', 'event.assigned')).toBe('Assigned to {to}');
    expect(translate('en', 'call.duration', { duration: '04:05' })).toBe('Duration 04:05');
  });

  it('does not interpret replacement patterns in values', () => {
    expect(translate('en', 'event.assigned', { to: '$& $1 {to}' })).toBe('Assigned to $& $1 {to}');
  });
});
