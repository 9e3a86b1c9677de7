// The lab backend's errors that the page translates: each has a stable code and its parameters
// beside the English sentence. The backend throws them (the sentence is what zk-lab, --json and
// the logs show, unchanged); the reply envelope carries the code and the parameters too
// (ReplyEnvelope), and the page shows the catalogue's sentence for the code in its language
// (src/renderer/i18n, section `errors`), or the English sentence for an error without a code.
// Why codes and not the page matching sentences: a sentence edited here would silently stop
// matching; a code cannot, and test/lint/i18n.test.ts checks that the English catalogue gives
// back exactly these sentences.

export type ErrorParams = Record<string, string | number>;

/** The English sentence of each code, with {{name}} where a parameter goes. */
export const ERROR_SENTENCES = {
  noLab: 'There is no lab yet: launch one first.',
  noMember: 'There is no member {{myid}} in this lab.',
  noNode: 'There is no node {{myid}} in this lab.',
  memberDownReadThrough: 'Member {{myid}} is down: start it, or read through another member.',
  nodeDown: 'Node {{myid}} is down: start it first.',
  noMemberRunning: 'No member is running: start one first.',
  attachedNoSignal: 'This ensemble is attached, not launched by the lab: the lab does not signal processes it did not start.',
  attachedNoFaults: "This ensemble is attached, not launched by the lab: its network and processes are not the lab's to break.",
  attachedReadOnly: 'This ensemble is attached read-only: the lab writes nothing to an ensemble it did not launch. Turn off Read-only in the Tree explorer to allow writes for this attach.',
  launching: 'A lab is being launched already; wait for it.',
  labExists: 'There is a lab already: destroy it (or detach) before launching another.',
  labOpenNoAttach: 'A lab is open: destroy it before attaching to another ensemble.',
  notBuilt: 'Our server is not built: run `npm run build`, then launch again.',
  apacheMissing: 'Apache ZooKeeper is not installed here: install the Debian packages zookeeper, libjetty9-java and default-jre-headless, or launch with our engine.',
  apacheNoSlowApply: 'Node {{myid}} runs Apache ZooKeeper, which has no slow-learner fault; use one of our members.',
  noFault: 'There is no fault {{id}} in force (faults: {{faults}}).',
} as const;

export type ErrorCode = keyof typeof ERROR_SENTENCES;

/** Fills a sentence's {{name}} places with the parameters. */
export function fillSentence(sentence: string, params: ErrorParams): string {
  return sentence.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(params[k] ?? `{{${k}}}`));
}

/** An error the page can say in its own language: the English message, its code and parameters. */
export class LabError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: ErrorParams = {},
  ) {
    super(fillSentence(ERROR_SENTENCES[code], params));
  }
}

/** The code and parameters a reply carries for an error, if it has them. */
export function errorFields(e: unknown): { code?: ErrorCode; params?: ErrorParams } {
  return e instanceof LabError ? { code: e.code, params: e.params } : {};
}

/** An error received from the backend, with the code and parameters it came with. */
export class ReplyError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly params?: ErrorParams,
  ) {
    super(message);
  }
}
