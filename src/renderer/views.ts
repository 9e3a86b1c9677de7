// The lab's views and where they sit in the navigation. A view is a component that gets the
// lab API, the current lab and the shared event feed; adding one is adding an entry here.
// The "Learn" group runs the seed's claims on the lab (walkthroughs).
import type { ComponentType } from 'react';
import type { HistoryEvent, LabApi, LabView, Progress } from '../shared/contract';
import { Cluster } from './Cluster';
import { Load } from './Load';
import { LockPlayground } from './LockPlayground';
import { MemberConsole } from './MemberConsole';
import { Terminals } from './Terminals';
import { Timeline } from './Timeline';
import { TreeExplorer } from './TreeExplorer';
import { Walkthroughs } from './Walkthroughs';
import { Watches } from './Watches';
import { Wire } from './Wire';

export interface ViewProps {
  lab: LabApi;
  view: LabView | null;
  /** The newest events of the lab, live. */
  events: HistoryEvent[];
  progress: Progress | null;
  /** Runs an action; a failure shows in the app's error banner and as a notification, `done` (if given) as one when it succeeds. */
  run: (p: Promise<unknown>, done?: string) => Promise<void>;
}

export interface ViewEntry {
  id: string;
  /** English, for what is not translated (logs); the navigation shows the catalogue's `labelKey`. */
  label: string;
  labelKey: string;
  group: 'Ensemble' | 'Data' | 'Load' | 'Learn';
  groupKey: string;
  component: ComponentType<ViewProps>;
  /** Shown only while a lab is open (launched or attached). */
  needsLab: boolean;
}

export const VIEWS: ViewEntry[] = [
  { id: 'cluster', label: 'Cluster', labelKey: 'nav.cluster', group: 'Ensemble', groupKey: 'nav.groupEnsemble', component: Cluster, needsLab: false },
  { id: 'wire', label: 'Wire', labelKey: 'nav.wire', group: 'Ensemble', groupKey: 'nav.groupEnsemble', component: Wire, needsLab: true },
  { id: 'timeline', label: 'Timeline', labelKey: 'nav.timeline', group: 'Ensemble', groupKey: 'nav.groupEnsemble', component: Timeline, needsLab: true },
  { id: 'terminals', label: 'Terminals', labelKey: 'nav.terminals', group: 'Ensemble', groupKey: 'nav.groupEnsemble', component: Terminals, needsLab: true },
  { id: 'console', label: 'Member console', labelKey: 'nav.console', group: 'Ensemble', groupKey: 'nav.groupEnsemble', component: MemberConsole, needsLab: true },
  { id: 'tree', label: 'Tree explorer', labelKey: 'nav.tree', group: 'Data', groupKey: 'nav.groupData', component: TreeExplorer, needsLab: true },
  { id: 'watches', label: 'Watch inspector', labelKey: 'nav.watches', group: 'Data', groupKey: 'nav.groupData', component: Watches, needsLab: true },
  { id: 'locks', label: 'Lock playground', labelKey: 'nav.locks', group: 'Data', groupKey: 'nav.groupData', component: LockPlayground, needsLab: true },
  { id: 'load', label: 'Load', labelKey: 'nav.load', group: 'Load', groupKey: 'nav.groupLoad', component: Load, needsLab: true },
  { id: 'walkthroughs', label: 'Seed walkthroughs', labelKey: 'nav.walkthroughs', group: 'Learn', groupKey: 'nav.groupLearn', component: Walkthroughs, needsLab: true },
];
