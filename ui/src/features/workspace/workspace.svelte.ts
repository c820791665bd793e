import type { WorkspaceInfo } from '../../bindings/WorkspaceInfo';
import {
  toHiloError,
  workspaceLoadDemo,
  workspaceOpen,
  workspaceResetCache,
  type HiloError,
} from '../../ipc';

export type WorkspaceState =
  | { kind: 'loading' }
  | { kind: 'empty'; info: WorkspaceInfo }
  | { kind: 'ready'; info: WorkspaceInfo }
  | { kind: 'error'; error: HiloError };

function stateFor(info: WorkspaceInfo): WorkspaceState {
  return info.conversations === 0 ? { kind: 'empty', info } : { kind: 'ready', info };
}

/** Opening the local workspace, first-run demo, and recovery from an unreadable cache. */
export class WorkspaceStore {
  state = $state.raw<WorkspaceState>({ kind: 'loading' });
  /** An action in flight, to disable its button. */
  busy = $state<'demo' | 'reset' | null>(null);
  /** The error of the last demo/reset action (the state itself stays). */
  actionError = $state.raw<HiloError | null>(null);
  /** Where an unreadable cache was moved, after a reset. */
  movedTo = $state.raw<string[]>([]);
  /** Bumped whenever the workspace (re)opens, so views reload their data. */
  epoch = $state(0);

  async open(): Promise<void> {
    this.state = { kind: 'loading' };
    try {
      this.state = stateFor(await workspaceOpen());
    } catch (reason) {
      this.state = { kind: 'error', error: toHiloError(reason) };
    }
    this.epoch++;
  }

  async loadDemo(): Promise<void> {
    if (this.busy) return;
    this.busy = 'demo';
    this.actionError = null;
    try {
      this.state = stateFor(await workspaceLoadDemo());
      this.epoch++;
    } catch (reason) {
      this.actionError = toHiloError(reason);
    } finally {
      this.busy = null;
    }
  }

  async resetCache(): Promise<void> {
    if (this.busy) return;
    this.busy = 'reset';
    this.actionError = null;
    try {
      const reset = await workspaceResetCache();
      this.movedTo = reset.movedTo;
    } catch (reason) {
      this.actionError = toHiloError(reason);
      return;
    } finally {
      this.busy = null;
    }
    await this.open();
  }

  dismissMoved(): void {
    this.movedTo = [];
  }
}
