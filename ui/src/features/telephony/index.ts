// What other features use from telephony: the click-to-call button (customer panel,
// timeline), the incoming-call cards and the inbox's callbacks view.
export { default as CallButton } from './CallButton.svelte';
export { default as CallbacksQueue } from './CallbacksQueue.svelte';
export { default as ScreenPop } from './ScreenPop.svelte';
export { CallbacksStore } from './callbacks.svelte';
export { isDialable } from './callAction.svelte';
