import { create } from 'zustand';

/** The top-level sections of the app, in navigation order. */
export const sections = [
  { id: 'environments', label: 'Environments' },
  { id: 'migrations', label: 'Migrations' },
  { id: 'approvals', label: 'Approvals' },
  { id: 'history', label: 'History' },
  { id: 'servers', label: 'Servers' },
  { id: 'settings', label: 'Settings' },
] as const;

/** One top-level section. */
export type SectionId = (typeof sections)[number]['id'];

function sectionFromHash(hash: string): SectionId {
  const id = hash.replace(/^#\/?/, '').split(/[/?&]/)[0];
  return sections.find((section) => section.id === id)?.id ?? 'environments';
}

interface NavigationState {
  section: SectionId;
  go(section: SectionId): void;
}

/** Which section is shown; mirrored in the address hash (`#/servers`) so a reload keeps it. */
export const useNavigation = create<NavigationState>((set) => ({
  section: sectionFromHash(window.location.hash),
  go(section) {
    window.history.replaceState(null, '', `#/${section}`);
    set({ section });
  },
}));
