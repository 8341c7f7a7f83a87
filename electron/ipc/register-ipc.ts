import { isRequestChannel, requestChannelNames } from '@shared/ipc/contract';
import { err } from '@shared/ipc/result';
import type { Router } from './router';

/** The part of Electron's `ipcMain` this module uses; tests pass a fake, the app passes `ipcMain`. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, payload: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The part of an Electron invoke event this module reads. */
export interface IpcInvokeEventLike {
  senderFrame: { url: string } | null;
}

/**
 * Registers every contract channel on Electron IPC. Each call is checked against the trusted
 * origin of the app's own renderer before its payload is even parsed.
 */
export function registerIpc(ipcMain: IpcMainLike, router: Router, isTrustedUrl: (url: string) => boolean): () => void {
  router.assertComplete();
  for (const channel of requestChannelNames) {
    ipcMain.handle(channel, async (event, payload) => {
      const url = event.senderFrame?.url ?? '';
      if (!isTrustedUrl(url)) return err('untrusted_sender', 'This request did not come from the Gantry window and was refused.');
      if (!isRequestChannel(channel)) return err('unknown_channel', 'Unknown channel.');
      return router.dispatch(channel, payload, { bridge: 'electron' });
    });
  }
  return () => requestChannelNames.forEach((channel) => ipcMain.removeHandler(channel));
}
