// Errors as values with ZooKeeper's codes (KeeperException.Code), so callers can test either
// `err.code === Err.NONODE` or `err instanceof NoNodeError`. The message is Java's
// KeeperException message ("KeeperErrorCode = NoNode for /x") so tools can print it as-is.
import { ERR_NAME, Err } from '../protocol/codes';

/** A failed ZooKeeper operation: `code` is the wire error code, `path` the client path if any. */
export class ZkError extends Error {
  constructor(
    readonly code: number,
    readonly path?: string,
    message?: string,
  ) {
    super(message ?? keeperMessage(code, path));
    this.name = 'ZkError';
  }

  /** The code's name as Java prints it (NoNode, NodeExists, ...). */
  get codeName(): string {
    return ERR_NAME[this.code] ?? `Unknown error ${this.code}`;
  }
}

/** Java's KeeperException.getMessage(). */
export function keeperMessage(code: number, path?: string): string {
  const name = ERR_NAME[code] ?? `Unknown error ${code}`;
  return `KeeperErrorCode = ${name}${path ? ` for ${path}` : ''}`;
}

export class ConnectionLossError extends ZkError {}
export class OperationTimeoutError extends ZkError {}
export class BadArgumentsError extends ZkError {}
export class UnimplementedError extends ZkError {}
export class NoNodeError extends ZkError {}
export class NoAuthError extends ZkError {}
export class BadVersionError extends ZkError {}
export class NoChildrenForEphemeralsError extends ZkError {}
export class NodeExistsError extends ZkError {}
export class NotEmptyError extends ZkError {}
export class SessionExpiredError extends ZkError {}
export class InvalidACLError extends ZkError {}
export class AuthFailedError extends ZkError {}
export class SessionMovedError extends ZkError {}
export class NotReadOnlyError extends ZkError {}
export class NoWatcherError extends ZkError {}
export class ReconfigDisabledError extends ZkError {}
export class RuntimeInconsistencyError extends ZkError {}
export class MarshallingError extends ZkError {}

const BY_CODE: Record<number, new (code: number, path?: string, message?: string) => ZkError> = {
  [Err.CONNECTIONLOSS]: ConnectionLossError,
  [Err.OPERATIONTIMEOUT]: OperationTimeoutError,
  [Err.BADARGUMENTS]: BadArgumentsError,
  [Err.UNIMPLEMENTED]: UnimplementedError,
  [Err.NONODE]: NoNodeError,
  [Err.NOAUTH]: NoAuthError,
  [Err.BADVERSION]: BadVersionError,
  [Err.NOCHILDRENFOREPHEMERALS]: NoChildrenForEphemeralsError,
  [Err.NODEEXISTS]: NodeExistsError,
  [Err.NOTEMPTY]: NotEmptyError,
  [Err.SESSIONEXPIRED]: SessionExpiredError,
  [Err.INVALIDACL]: InvalidACLError,
  [Err.AUTHFAILED]: AuthFailedError,
  [Err.SESSIONMOVED]: SessionMovedError,
  [Err.NOTREADONLY]: NotReadOnlyError,
  [Err.NOWATCHER]: NoWatcherError,
  [Err.RECONFIGDISABLED]: ReconfigDisabledError,
  [Err.RUNTIMEINCONSISTENCY]: RuntimeInconsistencyError,
  [Err.MARSHALLINGERROR]: MarshallingError,
};

/** The typed error for a code (ZkError itself for codes without a subclass). */
export function zkError(code: number, path?: string, message?: string): ZkError {
  const Ctor = BY_CODE[code] ?? ZkError;
  const e = new Ctor(code, path, message);
  e.name = Ctor.name;
  return e;
}

/**
 * Bad input caught before anything is sent (Java throws IllegalArgumentException here:
 * invalid paths, TTL on a non-TTL mode...). Nothing was changed on the server.
 */
export class IllegalArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IllegalArgumentError';
  }
}

/** A multi whose ops failed: `code` is the first failing op's; `results` has every slot. */
export class MultiError<R> extends ZkError {
  constructor(
    code: number,
    readonly results: R[],
    readonly failedIndex: number,
  ) {
    super(code);
    this.name = 'MultiError';
  }
}
