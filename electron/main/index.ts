/**
 * The Electron entry: one locked-down window, the engine behind IPC. This file, the preload and
 * nothing else under electron/ imports `electron`.
 */
import { app, BrowserWindow, ipcMain, Notification, session, shell } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createApp, type GantryApp } from '../app/create-app';
import { watchMigrationEnds } from '../app/desktop-notices';
import { registerIpc } from '../ipc/register-ipc';
import { resolveDataDir } from '../store/data-dir';

const rendererDevUrl = process.env.ELECTRON_RENDERER_URL;
const rendererFile = fileURLToPath(new URL('../renderer/index.html', import.meta.url));
const preloadFile = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const iconFile = fileURLToPath(new URL('../../resources/icon.png', import.meta.url));

/** Only the app's own renderer (the built file, or the dev server in development) may call IPC. */
function isTrustedUrl(url: string): boolean {
  if (rendererDevUrl) return url.startsWith(new URL(rendererDevUrl).origin + '/');
  return url.split('#')[0] === pathToFileURL(rendererFile).href;
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 600,
    title: 'Gantry',
    icon: iconFile,
    show: false,
    webPreferences: {
      preload: preloadFile,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  if (rendererDevUrl) void window.loadURL(rendererDevUrl);
  else void window.loadFile(rendererFile);
  return window;
}

function lockDownNavigation(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isTrustedUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Links to documentation open in the operator's browser, never inside Gantry.
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  lockDownNavigation();
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  // Gantry needs no web permission: asking (request) and checking (e.g. navigator.permissions, HID, serial) both say no.
  session.defaultSession.setPermissionCheckHandler(() => false);

  const dataDir = resolveDataDir(process.env, app.getPath('userData'));
  const engine: GantryApp = createApp({ dataDir, version: app.getVersion() });
  registerIpc(ipcMain, engine.router, isTrustedUrl);

  let window = createWindow();
  if (Notification.isSupported()) {
    watchMigrationEnds(engine.events, (notice) => {
      const shown = new Notification({ title: notice.title, body: notice.body, silent: notice.tone === 'ok' });
      // Clicking it brings Gantry forward (the migration is at the top of its Migrations list).
      shown.on('click', () => {
        if (window.isDestroyed()) window = createWindow();
        if (window.isMinimized()) window.restore();
        window.show();
        window.focus();
      });
      shown.show();
    });
  }
  engine.events.subscribe((event, payload) => {
    for (const each of BrowserWindow.getAllWindows()) {
      if (!each.isDestroyed() && !each.webContents.isDestroyed()) each.webContents.send(event, payload);
    }
  });

  app.on('second-instance', () => {
    if (window.isDestroyed()) window = createWindow();
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) window = createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    void engine.close().finally(() => app.exit(0));
  });
}

void start();
