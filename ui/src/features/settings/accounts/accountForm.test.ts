import { describe, expect, it } from 'vitest';
import type { AccountView } from '../../../bindings/AccountView';
import { ACCOUNT_KINDS, checkForm, emptyForm, formOf, type AccountForm } from './accountForm';

function filled(
  form: AccountForm,
  fields: Record<string, string>,
  extra: Partial<AccountForm> = {},
) {
  return { ...form, ...extra, fields: { ...form.fields, ...fields } };
}

describe('account forms', () => {
  it('a Chatwoot account needs a URL, a numeric account id and, when new, its token', () => {
    const form = filled(
      emptyForm('chatwoot'),
      { url: 'chat.example.com', accountId: 'x' },
      { name: '' },
    );
    const checked = checkForm(form);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors).toEqual({
      name: 'accounts.error.required',
      url: 'accounts.error.url',
      accountId: 'accounts.error.accountId',
      secret: 'accounts.error.required',
    });
    const good = checkForm(
      filled(
        emptyForm('chatwoot'),
        { url: 'https://chat.example.com', accountId: '3' },
        {
          name: ' Soporte ',
          secret: 'tok',
        },
      ),
    );
    expect(good).toEqual({
      ok: true,
      save: {
        id: null,
        name: 'Soporte',
        settings: { kind: 'chatwoot', url: 'https://chat.example.com', accountId: 3 },
        secret: 'tok',
      },
    });
  });

  it('an edit may leave the secret blank: the stored one is kept (null is sent)', () => {
    const view: AccountView = {
      id: 9,
      name: 'Buzón',
      settings: {
        kind: 'email',
        imap: 'mail.example.com:993',
        smtp: 'mail.example.com:465',
        user: 'soporte@example.com',
        security: 'tls',
        mailbox: 'INBOX',
        address: null,
      },
      hasSecret: true,
      demo: false,
      sync: null,
    };
    const form = formOf(view);
    expect(form.secret, 'the secret is never shown').toBe('');
    expect(form.fields['address']).toBe('');
    const checked = checkForm(form);
    expect(checked.ok && checked.save.secret).toBeNull();
    expect(checked.ok && checked.save.settings).toEqual(view.settings);
  });

  it('email servers are host:port, the From address an address', () => {
    const form = filled(
      emptyForm('email'),
      { imap: 'mail.example.com', smtp: 'mail.example.com:99999', user: '', address: 'nope' },
      { name: 'Buzón', secret: 'pw' },
    );
    const checked = checkForm(form);
    expect(checked.ok ? {} : checked.errors).toEqual({
      imap: 'accounts.error.hostPort',
      smtp: 'accounts.error.hostPort',
      user: 'accounts.error.required',
      address: 'accounts.error.email',
    });
    const ipv6 = checkForm(
      filled(form, { imap: '[::1]:1143', smtp: '127.0.0.1:1025', user: 'u', address: '' }),
    );
    expect(ipv6.ok).toBe(true);
  });

  it('telephony: ports in range, one-word endpoints, CTI on loopback only', () => {
    const ami = checkForm(
      filled(
        emptyForm('ami'),
        { host: 'pbx', port: '0', username: 'hilo', endpoint: 'PJSIP 1986' },
        {
          name: 'Centralita',
          secret: 's',
        },
      ),
    );
    expect(ami.ok ? {} : ami.errors).toEqual({
      port: 'accounts.error.port',
      endpoint: 'accounts.error.word',
    });
    const cti = checkForm(
      filled(
        emptyForm('cti_webhook'),
        { listen: '0.0.0.0:8089', extension: '1986' },
        {
          name: 'CTI',
          secret: 't',
        },
      ),
    );
    expect(cti.ok ? {} : cti.errors).toEqual({ listen: 'accounts.error.loopback' });
    const blocked = checkForm(
      filled(
        emptyForm('cti_webhook'),
        { extension: '1986', blockedNumbers: '+34 600 1\n\n 999, 123' },
        {
          name: 'CTI',
          secret: 't',
        },
      ),
    );
    expect(blocked.ok && blocked.save.settings).toEqual({
      kind: 'cti_webhook',
      listen: '127.0.0.1:8089',
      extension: '1986',
      blockedNumbers: ['+34 600 1', '999', '123'],
    });
  });

  it('every kind starts with a form the CLI defaults fill', () => {
    for (const kind of ACCOUNT_KINDS) {
      const form = emptyForm(kind);
      expect(form.kind).toBe(kind);
      expect(form.id).toBeNull();
    }
    expect(emptyForm('ami').fields['port']).toBe('5038');
    expect(emptyForm('esl').fields['dialplan']).toBe('XML default');
  });
});
