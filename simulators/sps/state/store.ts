import { configurationLocked, semanticError } from "../http/errors";
import type { ApplianceState } from "./model";
import { cloneState } from "./model";
import { assertReferencesValid } from "./references";
import type { ReclaimSwitches } from "./reclaim";
import { markReferenced, reclaim } from "./reclaim";

/** One entry of GET /api/transaction/changes ([V] fields: type, path, new_value, old_value). */
export interface Change {
  type: "create" | "delete" | "replace";
  path: string;
  new_value?: unknown;
  old_value?: unknown;
}

interface Transaction {
  owner: string;
  ownerName: string;
  staged: ApplianceState;
  changes: Change[];
}

export interface StoreEvents {
  opened(): void;
  committed(): void;
  rolledBack(): void;
  /** The committed configuration changed (by a commit or out of band): the web listener may need a new certificate. */
  configurationApplied(): void;
}

/** Name reported as lock holder when the control surface plays "another administrator". */
export const OTHER_ADMIN = "other-administrator";

/**
 * Committed configuration plus at most one open transaction. The transaction is the configuration lock:
 * "starting a transaction in the REST API locks the configuration" (wire notes §2.6), so while one session
 * has it, other sessions may read the committed state but neither open nor change anything.
 */
export class ApplianceStore {
  committed: ApplianceState;
  private transaction: Transaction | undefined;
  private externalLock: { timer?: NodeJS.Timeout } | undefined;

  constructor(
    initial: ApplianceState,
    private readonly switches: ReclaimSwitches,
    private readonly events: StoreEvents,
  ) {
    this.committed = initial;
  }

  /** What a session sees: its own staged changes while it holds the transaction, the committed state otherwise. */
  view(sessionId: string | undefined): ApplianceState {
    return this.transaction && this.transaction.owner === sessionId
      ? this.transaction.staged
      : this.committed;
  }

  isOpenFor(sessionId: string): boolean {
    return this.transaction?.owner === sessionId;
  }

  hasTransaction(): boolean {
    return this.transaction !== undefined || this.externalLock !== undefined;
  }

  changesOf(sessionId: string): Change[] {
    return this.isOpenFor(sessionId) ? [...this.transaction!.changes] : [];
  }

  private assertNotLockedByOther(sessionId: string): void {
    if (this.externalLock) throw configurationLocked(OTHER_ADMIN);
    if (this.transaction && this.transaction.owner !== sessionId)
      throw configurationLocked(this.transaction.ownerName);
  }

  /** Opens (or keeps) this session's transaction. Returns false when it was already open. */
  open(sessionId: string, userName: string): boolean {
    this.assertNotLockedByOther(sessionId);
    if (this.transaction) return false;
    this.transaction = {
      owner: sessionId,
      ownerName: userName,
      staged: cloneState(this.committed),
      changes: [],
    };
    this.events.opened();
    return true;
  }

  /**
   * Applies a configuration change inside the session's transaction, opening it on first change
   * ("the first change of the configuration will open the transaction automatically"). The change is made
   * on a copy and only kept when every reference in the result is valid.
   */
  change<T>(
    sessionId: string,
    userName: string,
    mutate: (draft: ApplianceState) => { result: T; changes: Change[] },
  ): T {
    this.open(sessionId, userName);
    const tx = this.transaction!;
    const draft = cloneState(tx.staged);
    const { result, changes } = mutate(draft);
    assertReferencesValid(draft);
    markReferenced(draft);
    tx.staged = draft;
    tx.changes.push(...changes);
    return result;
  }

  commit(sessionId: string): void {
    this.assertNotLockedByOther(sessionId);
    if (!this.transaction) throw semanticError("There is no open transaction to commit.");
    const staged = this.transaction.staged;
    reclaim(staged, this.switches);
    this.committed = staged;
    this.transaction = undefined;
    this.events.committed();
    this.events.configurationApplied();
  }

  /** Discards the session's transaction; false when it had none (rolling back nothing is not an error). */
  rollback(sessionId: string): boolean {
    this.assertNotLockedByOther(sessionId);
    if (!this.transaction) return false;
    this.transaction = undefined;
    this.events.rolledBack();
    return true;
  }

  /** A session that ends (expiry) loses its lock and its uncommitted changes. */
  dropSession(sessionId: string): void {
    if (this.transaction?.owner === sessionId) {
      this.transaction = undefined;
      this.events.rolledBack();
    }
  }

  /** State outside the configuration lock (CSRs are PKI state, not configuration): lands everywhere at once. */
  immediate(mutate: (state: ApplianceState) => void): void {
    mutate(this.committed);
    if (this.transaction) mutate(this.transaction.staged);
  }

  /**
   * A change made by "another administrator" through the web UI: it needs the lock too, and is committed
   * at once, with the same reference rules and reclamation as any commit.
   */
  outOfBand(mutate: (draft: ApplianceState) => void): void {
    if (this.hasTransaction()) throw new Error("the configuration is locked (a transaction is open)");
    const draft = cloneState(this.committed);
    mutate(draft);
    assertReferencesValid(draft);
    markReferenced(draft);
    reclaim(draft, this.switches);
    this.committed = draft;
    this.events.configurationApplied();
  }

  holdExternalLock(ms?: number): void {
    if (this.transaction) throw new Error("a session holds the configuration lock");
    this.releaseExternalLock();
    this.externalLock = {};
    if (ms !== undefined) {
      this.externalLock.timer = setTimeout(() => this.releaseExternalLock(), ms);
      this.externalLock.timer.unref();
    }
  }

  releaseExternalLock(): void {
    if (this.externalLock?.timer) clearTimeout(this.externalLock.timer);
    this.externalLock = undefined;
  }
}
