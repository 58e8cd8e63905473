// Microsoft Graph v1.0: directoryObjects/getByIds, $batch, transitive member counts, sendMail.
import type { Faults } from './faults';
import type { DirectoryEntry, Fleet } from './fleet/types';
import { graphError, INVALID_JSON, json, type SimRequest, type SimResponse } from './http';

const MAX_IDS = 1000;
const MAX_BATCH = 20;

/** Properties Graph returns for users only when `$select`ed. */
const USER_SELECT_ONLY = new Set(['userType', 'accountEnabled']);
/** Simulator bookkeeping that Graph never returns as a property. */
const INTERNAL = new Set(['transitiveMemberCount']);

const TYPE_NAMES: Record<string, string> = {
  user: '#microsoft.graph.user',
  group: '#microsoft.graph.group',
  serviceprincipal: '#microsoft.graph.serviceprincipal',
  device: '#microsoft.graph.device',
  directoryobjectpartnerreference: '#microsoft.graph.directoryobjectpartnerreference',
  application: '#microsoft.graph.application',
  orgcontact: '#microsoft.graph.orgcontact',
};

export interface CapturedMail {
  sender: string;
  message: unknown;
  saveToSentItems: unknown;
}

/**
 * The application permission that lets an app read each object type through getByIds. Without it (and without
 * Directory.Read.All) objects of that type come back with only `id` and `@odata.type`, other properties null
 * (Graph getByIds reference; "Limited information returned for inaccessible member objects").
 */
const READ_PERMISSIONS: Record<string, string[]> = {
  '#microsoft.graph.user': ['User.Read.All', 'User.ReadWrite.All'],
  '#microsoft.graph.group': ['Group.Read.All', 'GroupMember.Read.All', 'Group.ReadWrite.All'],
  '#microsoft.graph.serviceprincipal': ['Application.Read.All', 'Application.ReadWrite.All'],
  '#microsoft.graph.device': ['Device.Read.All'],
};
const DIRECTORY_WIDE = ['Directory.Read.All', 'Directory.ReadWrite.All'];
/** Permissions that let an app count a group's transitive members. */
const MEMBER_PERMISSIONS = ['GroupMember.Read.All', 'Group.Read.All', ...DIRECTORY_WIDE];

function canRead(roles: readonly string[], type: string): boolean {
  if (roles.some((r) => DIRECTORY_WIDE.includes(r))) return true;
  const needed = READ_PERMISSIONS[type.toLowerCase()] ?? [];
  return roles.some((r) => needed.includes(r));
}

interface Directory {
  byId: Map<string, DirectoryEntry>;
  byUpn: Map<string, DirectoryEntry>;
}

function indexDirectory(entries: DirectoryEntry[]): Directory {
  const dir: Directory = { byId: new Map(), byUpn: new Map() };
  for (const entry of entries) {
    dir.byId.set(entry.id.toLowerCase(), entry);
    if (typeof entry.userPrincipalName === 'string') dir.byUpn.set(entry.userPrincipalName.toLowerCase(), entry);
  }
  return dir;
}

export class GraphSim {
  private byId = new Map<string, DirectoryEntry>();
  private byUpn = new Map<string, DirectoryEntry>();
  private homeTenant = '';
  /** Directories of other tenants (Azure Lighthouse customers), by tenant ID (lower case). */
  private others = new Map<string, Directory>();

  /** The directory of the caller's tenant (the token's `tid`). */
  private directoryOf(req: SimRequest): Directory {
    const tid = req.claims?.tid?.toLowerCase();
    if (tid && tid !== this.homeTenant) return this.others.get(tid) ?? { byId: new Map(), byUpn: new Map() };
    return { byId: this.byId, byUpn: this.byUpn };
  }

  constructor(
    fleet: Fleet,
    private readonly faults: Faults,
    private readonly mail: CapturedMail[],
  ) {
    this.setFleet(fleet);
  }

  setFleet(fleet: Fleet): void {
    const home = indexDirectory(fleet.directory);
    this.byId = home.byId;
    this.byUpn = home.byUpn;
    this.homeTenant = fleet.tenantId.toLowerCase();
    this.others = new Map(
      (fleet.otherTenants ?? []).map((t) => [t.tenantId.toLowerCase(), indexDirectory(t.directory)]),
    );
  }

  getByIds(req: SimRequest): SimResponse {
    const body = req.body;
    if (body === INVALID_JSON || typeof body !== 'object' || body === null) {
      return graphError(
        400,
        'BadRequest',
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
      );
    }
    const { ids, types } = body as { ids?: unknown; types?: unknown };
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
      return graphError(400, 'Request_BadRequest', "The request must carry 'ids', an array of strings.");
    }
    if (ids.length > MAX_IDS) {
      return graphError(
        400,
        'Request_BadRequest',
        `Too many ids in the request: ${ids.length}. The maximum number of ids allowed is ${MAX_IDS}.`,
      );
    }
    let wanted: Set<string> | undefined;
    if (types !== undefined && types !== null) {
      if (!Array.isArray(types) || types.some((t) => typeof t !== 'string')) {
        return graphError(400, 'Request_BadRequest', "'types' must be an array of strings.");
      }
      wanted = new Set();
      for (const t of types as string[]) {
        const name = TYPE_NAMES[t.toLowerCase().replace(/^#?microsoft\.graph\./, '')];
        if (!name) return graphError(400, 'Request_BadRequest', `Invalid type '${t}' in 'types'.`);
        wanted.add(name);
      }
    }
    const roles = req.claims?.roles ?? [];
    if (roles.length === 0) {
      // No Graph application permission at all.
      return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    }
    const directory = this.directoryOf(req);
    const select = parseSelect(req.query.get('$select'));
    const seen = new Set<string>();
    const value: Record<string, unknown>[] = [];
    for (const id of ids as string[]) {
      const key = id.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = directory.byId.get(key);
      if (!entry) continue;
      if (wanted && !wanted.has(String(entry['@odata.type']).toLowerCase())) continue;
      const projected = project(entry, select);
      value.push(canRead(roles, String(entry['@odata.type'])) ? projected : stripped(projected));
    }
    shuffle(value, this.faults.rng('graph.getByIds'));
    return json(200, {
      '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#directoryObjects${select ? `(${[...select].join(',')})` : ''}`,
      value,
    });
  }

  memberCount(req: SimRequest, groupId: string): SimResponse {
    if ((req.headers['consistencylevel'] ?? '').toLowerCase() !== 'eventual') {
      return graphError(
        400,
        'Request_BadRequest',
        'Count is not currently supported for this request without the ConsistencyLevel header set to eventual.',
      );
    }
    if (!(req.claims?.roles ?? []).some((r) => MEMBER_PERMISSIONS.includes(r))) {
      return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    }
    const entry = this.directoryOf(req).byId.get(groupId.toLowerCase());
    if (!entry || String(entry['@odata.type']).toLowerCase() !== '#microsoft.graph.group') {
      return graphError(
        404,
        'Request_ResourceNotFound',
        `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`,
      );
    }
    return { status: 200, body: String(entry.transitiveMemberCount ?? 0), contentType: 'text/plain' };
  }

  sendMail(req: SimRequest, user: string): SimResponse {
    const body = req.body;
    if (body === INVALID_JSON || typeof body !== 'object' || body === null) {
      return graphError(400, 'ErrorInvalidRequest', 'Cannot read the request body.');
    }
    const message = (body as { message?: unknown }).message;
    if (typeof message !== 'object' || message === null) {
      return graphError(400, 'ErrorInvalidRequest', "The request must carry a 'message' object.");
    }
    const to = (message as { toRecipients?: unknown }).toRecipients;
    const recipients = [
      ...(Array.isArray(to) ? to : []),
      ...asArray((message as { ccRecipients?: unknown }).ccRecipients),
      ...asArray((message as { bccRecipients?: unknown }).bccRecipients),
    ];
    if (recipients.length === 0) {
      return graphError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid., Recipient is missing.');
    }
    for (const r of recipients) {
      const address = (r as { emailAddress?: { address?: unknown } })?.emailAddress?.address;
      if (typeof address !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(address)) {
        return graphError(
          400,
          'ErrorInvalidRecipients',
          `At least one recipient is not valid., Recipient '${String(address)}' is not resolved.`,
        );
      }
    }
    // App-only sendMail names the mailbox in the path: a GUID must be a known user; an address is accepted as a mailbox.
    const known = this.byId.get(user.toLowerCase()) ?? this.byUpn.get(user.toLowerCase());
    if (!known && !user.includes('@')) {
      return graphError(404, 'ErrorInvalidUser', `The requested user '${user}' is invalid.`);
    }
    this.mail.push({ sender: user, message, saveToSentItems: (body as { saveToSentItems?: unknown }).saveToSentItems });
    return { status: 202 };
  }
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function parseSelect(raw: string | null): Set<string> | undefined {
  if (raw === null || raw.trim() === '') return undefined;
  return new Set(
    raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );
}

/** The object as Graph returns it: only `$select`ed properties (case-insensitive), else the default set. */
function project(entry: DirectoryEntry, select: Set<string> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.type': entry['@odata.type'] };
  const isUser = String(entry['@odata.type']).toLowerCase() === '#microsoft.graph.user';
  if (select) {
    const lower = new Map([...select].map((s) => [s.toLowerCase(), s]));
    for (const [key, value] of Object.entries(entry)) {
      if (key === '@odata.type' || INTERNAL.has(key)) continue;
      if (lower.has(key.toLowerCase())) out[key] = value;
    }
    return out;
  }
  for (const [key, value] of Object.entries(entry)) {
    if (key === '@odata.type' || INTERNAL.has(key)) continue;
    if (isUser && USER_SELECT_ONLY.has(key)) continue;
    out[key] = value;
  }
  return out;
}

/** An object the caller may not read: its id and type, every other property it would have had set to null. */
function stripped(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) out[key] = key === 'id' || key === '@odata.type' ? object[key] : null;
  return out;
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

export const GRAPH_LIMITS = { MAX_IDS, MAX_BATCH };
