// The add / edit form of Settings → Accounts: one set of fields per kind (as the CLI's
// `hilo accounts add …` has them), checked here so the agent sees what is wrong before
// saving (the backend checks again). A secret is never shown: left blank on an edit, the
// stored one is kept.
import type { AccountSave } from '../../../bindings/AccountSave';
import type { AccountSettings } from '../../../bindings/AccountSettings';
import type { AccountView } from '../../../bindings/AccountView';
import type { MailSecurityMode } from '../../../bindings/MailSecurityMode';
import type { MessageKey } from '../../../lib/i18n/translate';

export type AccountKind = AccountSettings['kind'];

export const ACCOUNT_KINDS: readonly AccountKind[] = [
  'chatwoot',
  'email',
  'ami',
  'esl',
  'cti_webhook',
];

type Check =
  | 'required'
  | 'optional'
  | 'url'
  | 'positiveInt'
  | 'hostPort'
  | 'port'
  | 'word'
  | 'email'
  | 'loopback';

export interface FieldSpec {
  key: string;
  label: MessageKey;
  check: Check;
  input: 'text' | 'number' | 'select' | 'textarea';
  options?: readonly MailSecurityMode[];
}

export const SECURITY_MODES: readonly MailSecurityMode[] = ['tls', 'starttls', 'none'];

export const FIELDS: Readonly<Record<AccountKind, readonly FieldSpec[]>> = {
  chatwoot: [
    { key: 'url', label: 'accounts.field.url', check: 'url', input: 'text' },
    { key: 'accountId', label: 'accounts.field.accountId', check: 'positiveInt', input: 'number' },
  ],
  email: [
    { key: 'imap', label: 'accounts.field.imap', check: 'hostPort', input: 'text' },
    { key: 'smtp', label: 'accounts.field.smtp', check: 'hostPort', input: 'text' },
    { key: 'user', label: 'accounts.field.user', check: 'required', input: 'text' },
    {
      key: 'security',
      label: 'accounts.field.security',
      check: 'required',
      input: 'select',
      options: SECURITY_MODES,
    },
    { key: 'mailbox', label: 'accounts.field.mailbox', check: 'optional', input: 'text' },
    { key: 'address', label: 'accounts.field.address', check: 'email', input: 'text' },
  ],
  ami: [
    { key: 'host', label: 'accounts.field.host', check: 'word', input: 'text' },
    { key: 'port', label: 'accounts.field.port', check: 'port', input: 'number' },
    { key: 'username', label: 'accounts.field.username', check: 'word', input: 'text' },
    { key: 'endpoint', label: 'accounts.field.endpoint', check: 'word', input: 'text' },
    { key: 'context', label: 'accounts.field.context', check: 'word', input: 'text' },
    { key: 'dialPrefix', label: 'accounts.field.dialPrefix', check: 'optional', input: 'text' },
  ],
  esl: [
    { key: 'host', label: 'accounts.field.host', check: 'word', input: 'text' },
    { key: 'port', label: 'accounts.field.port', check: 'port', input: 'number' },
    { key: 'endpoint', label: 'accounts.field.eslEndpoint', check: 'word', input: 'text' },
    { key: 'dialplan', label: 'accounts.field.dialplan', check: 'required', input: 'text' },
    { key: 'dialPrefix', label: 'accounts.field.dialPrefix', check: 'optional', input: 'text' },
  ],
  cti_webhook: [
    { key: 'listen', label: 'accounts.field.listen', check: 'loopback', input: 'text' },
    { key: 'extension', label: 'accounts.field.extension', check: 'word', input: 'text' },
    {
      key: 'blockedNumbers',
      label: 'accounts.field.blocked',
      check: 'optional',
      input: 'textarea',
    },
  ],
};

export const SECRET_LABEL: Readonly<Record<AccountKind, MessageKey>> = {
  chatwoot: 'accounts.field.token',
  email: 'accounts.field.password',
  ami: 'accounts.field.amiSecret',
  esl: 'accounts.field.eslPassword',
  cti_webhook: 'accounts.field.ctiToken',
};

export interface AccountForm {
  /** null: a new account. */
  id: number | null;
  kind: AccountKind;
  name: string;
  fields: Record<string, string>;
  /** Typed by the agent; empty on an edit keeps the stored secret. */
  secret: string;
}

export type FormErrors = Partial<Record<string, MessageKey>>;

const DEFAULTS: Readonly<Record<AccountKind, Record<string, string>>> = {
  chatwoot: { url: 'https://', accountId: '' },
  email: { imap: '', smtp: '', user: '', security: 'tls', mailbox: 'INBOX', address: '' },
  ami: {
    host: '',
    port: '5038',
    username: '',
    endpoint: '',
    context: 'from-internal',
    dialPrefix: '',
  },
  esl: { host: '', port: '8021', endpoint: '', dialplan: 'XML default', dialPrefix: '' },
  cti_webhook: { listen: '127.0.0.1:8089', extension: '', blockedNumbers: '' },
};

export function emptyForm(kind: AccountKind): AccountForm {
  return { id: null, kind, name: '', fields: { ...DEFAULTS[kind] }, secret: '' };
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => text(v)).join('\n');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** The form for editing an account (its secret stays in the keychain: blank here). */
export function formOf(view: AccountView): AccountForm {
  const { kind, ...rest } = view.settings;
  const values = rest as Record<string, unknown>;
  const fields: Record<string, string> = { ...DEFAULTS[kind] };
  for (const spec of FIELDS[kind]) fields[spec.key] = text(values[spec.key]);
  return { id: view.id, kind, name: view.name, fields, secret: '' };
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/;

function portOk(value: string): boolean {
  if (!/^\d{1,5}$/.test(value)) return false;
  const n = Number(value);
  return n >= 1 && n <= 65535;
}

function checkField(check: Check, raw: string): MessageKey | null {
  const value = raw.trim();
  switch (check) {
    case 'optional':
      return null;
    case 'required':
      return value === '' ? 'accounts.error.required' : null;
    case 'url':
      return /^https?:\/\/[^\s/]+/.test(value) ? null : 'accounts.error.url';
    case 'positiveInt':
      return /^\d{1,15}$/.test(value) && Number(value) > 0 ? null : 'accounts.error.accountId';
    case 'hostPort': {
      const m = HOST_PORT.exec(value);
      return m && portOk(m[2] ?? '') ? null : 'accounts.error.hostPort';
    }
    case 'port':
      return portOk(value) ? null : 'accounts.error.port';
    case 'word':
      return value === ''
        ? 'accounts.error.required'
        : /\s/.test(value)
          ? 'accounts.error.word'
          : null;
    case 'email':
      return value === '' || /^[^\s@]+@[^\s@]+$/.test(value) ? null : 'accounts.error.email';
    case 'loopback': {
      const m = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]):(\d{1,5})$/.exec(value);
      return m && portOk(m[2] ?? '') ? null : 'accounts.error.loopback';
    }
  }
}

function orNull(value: string | undefined): string | null {
  const v = (value ?? '').trim();
  return v === '' ? null : v;
}

function settingsOf(form: AccountForm): AccountSettings {
  const f = (key: string): string => (form.fields[key] ?? '').trim();
  switch (form.kind) {
    case 'chatwoot':
      return { kind: 'chatwoot', url: f('url'), accountId: Number(f('accountId')) };
    case 'email': {
      const security = SECURITY_MODES.find((m) => m === f('security')) ?? 'tls';
      return {
        kind: 'email',
        imap: f('imap'),
        smtp: f('smtp'),
        user: f('user'),
        security,
        mailbox: f('mailbox') === '' ? 'INBOX' : f('mailbox'),
        address: orNull(f('address')),
      };
    }
    case 'ami':
      return {
        kind: 'ami',
        host: f('host'),
        port: Number(f('port')),
        username: f('username'),
        endpoint: f('endpoint'),
        context: f('context'),
        dialPrefix: orNull(f('dialPrefix')),
      };
    case 'esl':
      return {
        kind: 'esl',
        host: f('host'),
        port: Number(f('port')),
        endpoint: f('endpoint'),
        dialplan: f('dialplan'),
        dialPrefix: orNull(f('dialPrefix')),
      };
    case 'cti_webhook':
      return {
        kind: 'cti_webhook',
        listen: f('listen'),
        extension: f('extension'),
        blockedNumbers: f('blockedNumbers')
          .split(/[\n,]/)
          .map((n) => n.trim())
          .filter((n) => n !== ''),
      };
  }
}

export type Checked = { ok: true; save: AccountSave } | { ok: false; errors: FormErrors };

/** Checks the form; a new account needs its secret, an edit may leave it blank. */
export function checkForm(form: AccountForm): Checked {
  const errors: FormErrors = {};
  const name = form.name.trim();
  if (name === '') errors['name'] = 'accounts.error.required';
  else if (name.length > 64 || /[\n\r\t]/.test(name)) errors['name'] = 'accounts.error.name';
  for (const spec of FIELDS[form.kind]) {
    const error = checkField(spec.check, form.fields[spec.key] ?? '');
    if (error) errors[spec.key] = error;
  }
  if (form.id === null && form.secret.trim() === '') errors['secret'] = 'accounts.error.required';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    save: {
      id: form.id,
      name,
      settings: settingsOf(form),
      secret: form.secret === '' ? null : form.secret,
    },
  };
}
