import { createHash, randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { FailureList, hasUnknown, schemaFailures } from "../common/check";
import type { DeviceArgs } from "../common/deviceArgs";
import { deviceSecretOutputs, secretDevice } from "../common/deviceArgs";
import { changedKeys, providerChanged } from "../common/diff";
import { HostedResource, providerText } from "../common/remote";
import type { DeviceRef } from "../common/connections";
import { deviceLabel } from "../transport/connection";
import { deviceRefIdentity, deviceRefSchema, deviceUrlOf } from "../common/connections";
import type { PasswordFormat } from "./client";
import { SpsClient } from "./client";

// [V] admin guide: the root password is at most 150 characters of A-Z a-z 0-9 space and this punctuation.
const ROOT_PASSWORD = /^[A-Za-z0-9 !"#$%&'()*+,\-./:;<>=?@[\]\\^`{}_|]{1,150}$/;

export const spsPasswordInputsSchema = z
  .object({
    device: deviceRefSchema,
    plain: z.string().min(1, "must not be empty").max(1024).optional(),
    hash: z
      .string()
      .regex(
        /^\$(1|5|6|2[abxy]?|y)\$[^\s]+$/,
        "must be a crypt(5) salted hash such as $6$rounds=5000$salt$hash",
      )
      .max(512)
      .optional(),
    nthash: z
      .string()
      .regex(/^[0-9a-fA-F]{32}$/, "must be 32 hexadecimal digits (the NT hash)")
      .optional(),
    localUser: z
      .string()
      .regex(/^[A-Za-z0-9_.@-]{1,64}$/, "is not a legal SPS user name")
      .optional(),
    rootPassword: z.literal(true).optional(),
    /** Create the local user when it does not exist (default true). */
    createUser: z.boolean().optional(),
    /** On delete, remove the local user if it still uses this password (default false). */
    removeUserOnDelete: z.boolean().optional(),
  })
  .strict();

export type SpsPasswordInputs = z.infer<typeof spsPasswordInputsSchema>;

export interface SpsPasswordOutputs {
  device: DeviceRef;
  deviceUrl: string;
  localUser?: string;
  rootPassword?: true;
  createUser?: boolean;
  removeUserOnDelete?: boolean;
  /** Which formats were given (never their values). */
  formats: string[];
  /** Salted SHA-256 of the secret, to see an input change without keeping the password; stored as a secret. */
  secretDigest: string;
  salt: string;
  passwordKey: string;
  /** What the place references now; differs from passwordKey when someone moved it. */
  referencedKey: string;
}

const FORMATS = ["plain", "hash", "nthash"] as const;

function formatOf(i: SpsPasswordInputs): PasswordFormat {
  if (i.plain !== undefined) return { plain: i.plain };
  if (i.hash !== undefined)
    return i.nthash !== undefined ? { hash: i.hash, nthash: i.nthash } : { hash: i.hash };
  return { nthash: i.nthash! };
}

function digest(salt: string, i: SpsPasswordInputs): string {
  return createHash("sha256")
    .update(salt)
    .update(JSON.stringify(formatOf(i)))
    .digest("hex");
}

function placeOf(i: { localUser?: string; rootPassword?: true }): string {
  return i.rootPassword ? "root password" : `local user ${i.localUser}`;
}

/** A password object on SPS and the one place that references it (a local user, or root). */
export class SpsPasswordProvider implements pulumi.dynamic.ResourceProvider {
  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    const { value, failures } = schemaFailures(spsPasswordInputsSchema, news);
    const list = new FailureList();
    list.items.push(...failures);
    const given = FORMATS.filter((f) => news[f] !== undefined);
    if (given.length === 0)
      list.add("plain", "one password format is needed: plain, hash, nthash, or hash with nthash");
    if (news.plain !== undefined && given.length > 1) {
      for (const f of given.filter((g) => g !== "plain"))
        list.add(f, `${f} conflicts with plain: give the plaintext, or its hashes, not both`);
    }
    if ((news.localUser === undefined) === (news.rootPassword === undefined)) {
      list.add("localUser", "exactly one of localUser or rootPassword says where the password is used");
    }
    if (
      value?.rootPassword &&
      value.plain !== undefined &&
      !hasUnknown(value.plain) &&
      !ROOT_PASSWORD.test(value.plain)
    ) {
      list.add(
        "plain",
        "a root password is 1 to 150 characters of letters, digits, space and the punctuation SPS allows",
      );
    }
    return { inputs: news, failures: list.items };
  }

  async diff(
    _id: string,
    olds: SpsPasswordOutputs,
    news: SpsPasswordInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const replaces: string[] = [];
    if (deviceRefIdentity(olds.device) !== deviceRefIdentity(news.device)) replaces.push("device");
    if (olds.localUser !== news.localUser) replaces.push("localUser");
    if (olds.rootPassword !== news.rootPassword) replaces.push("rootPassword");
    const given = FORMATS.filter((f) => news[f] !== undefined);
    if (hasUnknown(given.map((f) => news[f])) || digest(olds.salt, news) !== olds.secretDigest)
      replaces.push(...given);
    // Drift: the place references another password now (set by hand, or the object is gone).
    if (olds.referencedKey !== olds.passwordKey) replaces.push("referencedKey");
    const other = changedKeys(
      { device: olds.device, createUser: olds.createUser, removeUserOnDelete: olds.removeUserOnDelete },
      { device: news.device, createUser: news.createUser, removeUserOnDelete: news.removeUserOnDelete },
      [],
    );
    return {
      changes: replaces.length > 0 || other.length > 0 || providerChanged(olds, news),
      replaces: [...new Set(replaces)],
    };
  }

  async create(inputs: SpsPasswordInputs): Promise<pulumi.dynamic.CreateResult> {
    const client = new SpsClient(inputs.device);
    const key = await client.withTransaction(
      `pulumi: set the password of the ${placeOf(inputs)}`,
      async () => {
        const passwordKey = await client.createPassword(formatOf(inputs));
        if (inputs.rootPassword) {
          await client.putRootPassword(passwordKey);
          return passwordKey;
        }
        const user = (await client.listUsers()).find((u) => u.name === inputs.localUser);
        if (user) {
          await client.putUser(user.key, { name: user.name, password: passwordKey });
          return passwordKey;
        }
        if (inputs.createUser === false)
          throw new Error(
            `${client.device}: local user "${inputs.localUser}" does not exist (createUser is false)`,
          );
        await client.createUser({ name: inputs.localUser!, password: passwordKey });
        return passwordKey;
      },
    );
    const salt = randomBytes(16).toString("hex");
    return { id: key, outs: outputs(inputs, key, key, salt) };
  }

  async read(id: string, props: SpsPasswordOutputs): Promise<pulumi.dynamic.ReadResult> {
    const client = new SpsClient(props.device);
    let referenced: string | undefined;
    if (props.rootPassword) referenced = await client.getRootPassword();
    else referenced = (await client.listUsers()).find((u) => u.name === props.localUser)?.password;
    if (referenced === undefined) return {}; // the user itself is gone
    if (referenced === id && !(await client.getPassword(id))) return {};
    const outs: SpsPasswordOutputs = { ...props, referencedKey: referenced };
    return { id, props: outs };
  }

  async update(
    id: string,
    olds: SpsPasswordOutputs,
    news: SpsPasswordInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    // Only credentials, trust and createUser reach here; the password object itself is immutable.
    return { outs: outputs(news, id, olds.referencedKey, olds.salt) };
  }

  /**
   * SPS has no way to delete a password object. With removeUserOnDelete, delete removes the local user if it
   * still uses this password (a replacement has already moved it to its successor), and the appliance
   * reclaims the object at commit. Otherwise the password stays where it is: taking away the root or a
   * user's password would lock people out.
   */
  async delete(id: string, props: SpsPasswordOutputs): Promise<void> {
    if (!props.removeUserOnDelete || !props.localUser) return;
    const client = new SpsClient(props.device);
    const user = (await client.listUsers()).find((u) => u.name === props.localUser);
    if (!user || user.password !== id) return;
    await client.withTransaction(`pulumi: remove local user ${user.name}`, () => client.deleteUser(user.key));
  }
}

function outputs(
  inputs: SpsPasswordInputs,
  key: string,
  referenced: string,
  salt: string,
): SpsPasswordOutputs {
  const out: SpsPasswordOutputs = {
    device: inputs.device,
    deviceUrl: deviceLabel(deviceUrlOf(inputs.device)),
    formats: FORMATS.filter((f) => inputs[f] !== undefined),
    secretDigest: digest(salt, inputs),
    salt,
    passwordKey: key,
    referencedKey: referenced,
  };
  if (inputs.localUser !== undefined) out.localUser = inputs.localUser;
  if (inputs.rootPassword) out.rootPassword = true;
  if (inputs.createUser !== undefined) out.createUser = inputs.createUser;
  if (inputs.removeUserOnDelete !== undefined) out.removeUserOnDelete = inputs.removeUserOnDelete;
  return out;
}

const PROVIDER = providerText("pulumi-axis-sps/dist/provider/sps/password", "SpsPasswordProvider");

export interface SpsPasswordArgs {
  /** The device: a connection, or the name of one in the stack config `pulumi-axis-sps:devices`. */
  device: pulumi.Input<DeviceArgs>;
  /** The password in plain text (SPS hashes it). */
  plain?: pulumi.Input<string>;
  /** A crypt(5) salted hash, e.g. $6$…; may go with nthash. */
  hash?: pulumi.Input<string>;
  /** The NT hash (32 hex digits). */
  nthash?: pulumi.Input<string>;
  /** The local user whose password this is. */
  localUser?: pulumi.Input<string>;
  /** Or: this is the root password. */
  rootPassword?: pulumi.Input<true>;
  /** Create the local user when missing (default true). */
  createUser?: pulumi.Input<boolean>;
  /** On delete, remove the local user if it still uses this password (default false). */
  removeUserOnDelete?: pulumi.Input<boolean>;
}

/** A password on an SPS appliance, created and referenced in one transaction. */
export class SpsPassword extends HostedResource {
  declare readonly passwordKey: pulumi.Output<string>;
  declare readonly referencedKey: pulumi.Output<string>;
  declare readonly deviceUrl: pulumi.Output<string>;

  constructor(name: string, args: SpsPasswordArgs, opts?: pulumi.CustomResourceOptions) {
    const secret = <T>(v: pulumi.Input<T> | undefined) => (v === undefined ? undefined : pulumi.secret(v));
    super(
      PROVIDER,
      name,
      {
        ...args,
        device: secretDevice(args.device),
        plain: secret(args.plain),
        hash: secret(args.hash),
        nthash: secret(args.nthash),
        passwordKey: undefined,
        referencedKey: undefined,
        deviceUrl: undefined,
        secretDigest: undefined,
      },
      pulumi.mergeOptions(opts, {
        additionalSecretOutputs: [...deviceSecretOutputs(args.device), "secretDigest", "salt"],
      }),
      "sps",
      "Password",
    );
  }
}
