/**
 * The preload: the renderer's only door to the main process. It exposes `invoke` and `on`,
 * each checked against the contract's channel names; `ipcRenderer` itself and Electron's event
 * objects never cross into the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isEventChannel, isRequestChannel } from '@shared/ipc/contract';

const api = {
  kind: 'electron' as const,
  invoke(channel: unknown, request: unknown): Promise<unknown> {
    if (!isRequestChannel(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'unknown_channel', message: `"${String(channel)}" is not a Gantry IPC channel.` } });
    }
    return ipcRenderer.invoke(channel, request);
  },
  on(event: unknown, callback: (payload: unknown) => void): () => void {
    if (!isEventChannel(event) || typeof callback !== 'function') throw new Error(`"${String(event)}" is not a Gantry event channel.`);
    const listener = (_event: IpcRendererEvent, payload: unknown) => callback(payload);
    ipcRenderer.on(event, listener);
    return () => ipcRenderer.removeListener(event, listener);
  },
};

contextBridge.exposeInMainWorld('gantry', api);
