import { bodyObject, changeConfig, onlyFields, sessionOf, stringField, viewOf } from "../http/context";
import type { RequestContext } from "../http/context";
import { notFound, semanticError, syntacticError } from "../http/errors";
import { createdReply, listReply, objectReply, referenceJson, siblingMeta } from "../http/envelope";
import type { Reply } from "../http/envelope";
import type { Route } from "../http/router";
import { newUserKey } from "../core";
import type { ApplianceState, UserObject } from "../state/model";
import { COLLECTION_PATH } from "../state/references";
import { credentialsValid } from "./auth";
import { addPassword } from "./passwords";
import { referenceKey } from "./references";

const USERS = "/api/configuration/aaa/local_database/users";

function findUser(state: ApplianceState, key: string, path: string): UserObject {
  const user = state.config.users.find((u) => u.key === key);
  if (!user) throw notFound(path);
  return user;
}

function userBody(user: UserObject) {
  return { name: user.name, password: referenceJson(COLLECTION_PATH.password, user.password) };
}

function list(ctx: RequestContext): Reply {
  return listReply(
    USERS,
    viewOf(ctx).config.users.map((u) => u.key),
  );
}

function show(ctx: RequestContext): Reply {
  const view = viewOf(ctx);
  const user = findUser(view, ctx.params.key!, ctx.path);
  const siblings = view.config.users.map((u) => `${USERS}/${u.key}`);
  return objectReply(200, user.key, userBody(user), siblingMeta(`${USERS}/${user.key}`, siblings));
}

// [N] the per-user body beyond {name, password} is not documented; only these two fields are modelled.
function parseUser(ctx: RequestContext): { name: string; password: string } {
  const body = bodyObject(ctx);
  onlyFields(body, ["name", "password"]);
  const name = stringField(body, "name");
  if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) throw syntacticError(`Invalid user name "${name}".`);
  return { name, password: referenceKey(body.password, "password") };
}

function assertNameFree(state: ApplianceState, name: string, exceptKey?: string): void {
  if (state.config.users.some((u) => u.name === name && u.key !== exceptKey)) {
    throw semanticError(`A user named "${name}" already exists.`);
  }
}

function create(ctx: RequestContext): Reply {
  const input = parseUser(ctx);
  const key = changeConfig(ctx, (draft) => {
    assertNameFree(draft, input.name);
    const user = { key: newUserKey(), ...input };
    draft.config.users.push(user);
    return {
      result: user.key,
      changes: [{ type: "create", path: `${USERS}/${user.key}`, new_value: input }],
    };
  });
  return createdReply(key, USERS);
}

function replace(ctx: RequestContext): Reply {
  const input = parseUser(ctx);
  changeConfig(ctx, (draft) => {
    const user = findUser(draft, ctx.params.key!, ctx.path);
    // [N] renaming the built-in admin is refused, like deleting it.
    if (user.name === ctx.appliance.options.username && input.name !== user.name) {
      throw semanticError(`The ${user.name} user cannot be renamed.`);
    }
    assertNameFree(draft, input.name, user.key);
    const old = { name: user.name, password: user.password };
    user.name = input.name;
    user.password = input.password;
    return {
      result: undefined,
      changes: [{ type: "replace", path: `${USERS}/${user.key}`, old_value: old, new_value: input }],
    };
  });
  return show(ctx);
}

// "The admin user is available by default … not possible to delete this user." [N] error type chosen.
function remove(ctx: RequestContext): Reply {
  changeConfig(ctx, (draft) => {
    const user = findUser(draft, ctx.params.key!, ctx.path);
    if (user.name === ctx.appliance.options.username)
      throw semanticError(`The ${user.name} user cannot be deleted.`);
    draft.config.users = draft.config.users.filter((u) => u !== user);
    return {
      result: undefined,
      changes: [
        {
          type: "delete",
          path: `${USERS}/${user.key}`,
          old_value: { name: user.name, password: user.password },
        },
      ],
    };
  });
  const siblings = viewOf(ctx).config.users.map((u) => `${USERS}/${u.key}`);
  // [V] "Delete an object" answers meta only, href = the deleted object.
  const meta = siblingMeta(ctx.path, siblings);
  return { status: 200, body: { meta: { ...meta, href: ctx.path } } };
}

/**
 * The seed's "Change the user password": the caller's own password, given the current one in plain text,
 * to a password key or (single step) {"plain": …}. Goes through the transaction like any change.
 */
function changeOwnPassword(ctx: RequestContext): Reply {
  const session = sessionOf(ctx);
  const body = bodyObject(ctx);
  onlyFields(body, ["current_password_in_plaintext", "new_password_reference"]);
  const current = stringField(body, "current_password_in_plaintext");
  if (!credentialsValid(ctx.appliance.store.committed, session.user, current)) {
    // [N] wording and type; the doc only says the current password is required.
    throw semanticError("The current password is not correct.");
  }
  const reference = body.new_password_reference;
  changeConfig(ctx, (draft) => {
    const user = draft.config.users.find((u) => u.name === session.user);
    if (!user) throw notFound(ctx.path);
    const key =
      typeof reference === "string"
        ? referenceKey(reference, "new_password_reference")
        : addPassword(draft, reference).key;
    const old = user.password;
    user.password = key;
    return {
      result: undefined,
      changes: [{ type: "replace", path: `${USERS}/${user.key}`, old_value: old, new_value: key }],
    };
  });
  return { status: 200, body: { meta: { href: "/api/user/password", parent: "/api/user" } } };
}

// [C] SPS ≥ 7.5 wants the "user/info token" in X-Token for browser-like clients; [N] the field name.
function userInfo(ctx: RequestContext): Reply {
  const session = sessionOf(ctx);
  return {
    status: 200,
    body: {
      body: { name: session.user, token: session.xToken },
      key: "info",
      meta: { href: "/api/user/info", parent: "/api/user" },
    },
  };
}

export const userRoutes: Route[] = [
  { pattern: USERS, auth: true, methods: { GET: list, POST: create } },
  { pattern: `${USERS}/:key`, auth: true, methods: { GET: show, PUT: replace, DELETE: remove } },
  { pattern: "/api/user/password", auth: true, methods: { PUT: changeOwnPassword } },
  { pattern: "/api/user/info", auth: true, methods: { GET: userInfo } },
];
