import { setTimeout as sleep } from "node:timers/promises";
import { bodyObject, onlyFields, sessionOf } from "../http/context";
import type { RequestContext } from "../http/context";
import { semanticError, syntacticError } from "../http/errors";
import type { Reply } from "../http/envelope";
import type { Route } from "../http/router";

function status(ctx: RequestContext): Reply {
  const session = sessionOf(ctx);
  const open = ctx.appliance.store.isOpenFor(session.id);
  return {
    status: 200,
    body: {
      body: {
        commit_message: ctx.appliance.options.requireCommitMessage ? "required" : "optional",
        status: open ? "open" : "closed",
      },
      key: "transaction",
      // [R] an open transaction links its changelog (safeguard-ps only follows meta.changes when present).
      meta: {
        href: "/api/transaction",
        parent: "/api",
        ...(open ? { changes: "/api/transaction/changes" } : {}),
      },
    },
  };
}

// Opening twice is harmless ([N] what the box answers; the caller already holds the lock).
function open(ctx: RequestContext): Reply {
  const session = sessionOf(ctx);
  ctx.appliance.store.open(session.id, session.user);
  return status(ctx);
}

async function commit(ctx: RequestContext): Promise<Reply> {
  const session = sessionOf(ctx);
  const body = bodyObject(ctx);
  onlyFields(body, ["status", "commit_message"]);
  if (body.status !== "commit") throw syntacticError('The field "status" must be "commit".');
  const message = body.commit_message;
  if (message !== undefined && typeof message !== "string") {
    throw syntacticError('The field "commit_message" must be a string.');
  }
  const { store, options } = ctx.appliance;
  if (!store.isOpenFor(session.id)) {
    // Raises the lock error when someone else holds it, else "no open transaction".
    store.commit(session.id);
  }
  if (options.requireCommitMessage && !message) throw semanticError("A commit message is required.");
  if (options.commitMs > 0) await sleep(options.commitMs);
  if (ctx.faults.some((f) => f.kind === "commitFailure")) {
    // [N] the box's commit-failure answer is undocumented; the transaction stays open, so the client must
    // roll back (as safeguard-ps's sessionjoin does with DELETE /api/transaction on failure).
    throw semanticError("The configuration could not be committed.", { reason: "injected commitFailure" });
  }
  store.commit(session.id);
  return status(ctx);
}

function rollback(ctx: RequestContext): Reply {
  const session = sessionOf(ctx);
  ctx.appliance.store.rollback(session.id);
  return status(ctx);
}

function changes(ctx: RequestContext): Reply {
  const session = sessionOf(ctx);
  return {
    status: 200,
    body: {
      changes: ctx.appliance.store.changesOf(session.id),
      meta: { href: "/api/transaction/changes", parent: "/api/transaction", transaction: "/api/transaction" },
    },
  };
}

export const transactionRoutes: Route[] = [
  {
    pattern: "/api/transaction",
    auth: true,
    methods: { GET: status, POST: open, PUT: commit, DELETE: rollback },
  },
  { pattern: "/api/transaction/changes", auth: true, methods: { GET: changes } },
];
