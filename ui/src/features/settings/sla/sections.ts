// The SLA sections of the Settings panel, included there with one spread.
import type { Component } from 'svelte';
import type { MessageKey } from '../../../lib/i18n/translate';
import CalendarsSection from './CalendarsSection.svelte';
import PoliciesSection from './PoliciesSection.svelte';

export const SLA_SETTINGS_SECTIONS: readonly {
  id: string;
  label: MessageKey;
  component: Component;
}[] = [
  { id: 'sla-policies', label: 'slaConfig.section.policies', component: PoliciesSection },
  { id: 'sla-calendars', label: 'slaConfig.section.calendars', component: CalendarsSection },
];
