// ClusterShelf: the inventory's cluster records between the read and the rules, held compactly. The records of each
// Resource Graph page are kept as one deflated JSON buffer (outside the JavaScript heap), next to a small head per
// cluster: what the region catalogs and the access pass read (ID, subscription, location, tenant, aadProfile). The
// rules get the records back one page at a time, so the fleet's records are never all live at once.
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { normaliseId, type ClusterHead, type ClusterNotifications, type ClusterRecord } from '../model';

interface Page {
  data: Buffer;
  count: number;
}

/** Records deflated a page at a time: fast settings (the buffer lives for one run). */
const DEFLATE = { level: 1, strategy: constants.Z_DEFAULT_STRATEGY };

export class ClusterShelf implements Iterable<ClusterRecord> {
  private readonly pages: Page[] = [];
  private headList: ClusterHead[] = [];
  private dropped?: ReadonlySet<string>;
  // Subscription IDs and locations repeat across the fleet: one string each.
  private readonly words = new Map<string, string>();
  private notificationsOf?: (cluster: ClusterRecord) => ClusterNotifications;
  private bytes = 0;

  /** Shelves one page of records (in the order given). */
  add(records: ClusterRecord[]): void {
    if (records.length === 0) return;
    for (const r of records) {
      this.headList.push({
        // Normalised: the passes that read heads compare IDs in lower case (the record keeps Azure's spelling).
        id: normaliseId(r.id),
        subscriptionId: this.word(r.subscriptionId),
        location: this.word(r.location),
        ...(r.tenantId !== undefined ? { tenantId: this.word(r.tenantId) } : {}),
        properties: r.properties.aadProfile !== undefined ? { aadProfile: r.properties.aadProfile } : {},
      });
    }
    // Copied into memory of its own: zlib's output of a small input is a view of a larger chunk.
    const deflated = deflateRawSync(JSON.stringify(records), DEFLATE);
    const data = Buffer.allocUnsafeSlow(deflated.length);
    deflated.copy(data);
    this.bytes += data.length;
    this.pages.push({ data, count: records.length });
  }

  /**
   * Leaves out the clusters of these subscriptions (lower case): a subscription Resource Graph refused after some of
   * its pages were read is not judged (its clusters keep their last known state).
   */
  dropSubscriptions(subscriptions: ReadonlySet<string>): void {
    if (subscriptions.size === 0) return;
    this.dropped = new Set([...(this.dropped ?? []), ...subscriptions]);
    const dropped = this.dropped;
    this.headList = this.headList.filter((h) => !dropped.has(h.subscriptionId.toLowerCase()));
  }

  /** Sets each record's `notifications` as it is taken from the shelf. */
  attachNotifications(of: (cluster: ClusterRecord) => ClusterNotifications): void {
    this.notificationsOf = of;
  }

  /** The clusters' heads, in shelf order. */
  get heads(): readonly ClusterHead[] {
    return this.headList;
  }

  get length(): number {
    return this.headList.length;
  }

  /** Deflated bytes held. */
  get size(): number {
    return this.bytes;
  }

  /** The records of each page in turn (fresh objects each time). */
  *recordPages(): Generator<ClusterRecord[]> {
    for (const page of this.pages) {
      let records = JSON.parse(inflateRawSync(page.data).toString('utf8')) as ClusterRecord[];
      const dropped = this.dropped;
      if (dropped) records = records.filter((r) => !dropped.has(r.subscriptionId.toLowerCase()));
      if (this.notificationsOf) for (const r of records) r.notifications = this.notificationsOf(r);
      if (records.length > 0) yield records;
    }
  }

  *[Symbol.iterator](): Generator<ClusterRecord> {
    for (const records of this.recordPages()) yield* records;
  }

  private word(value: string): string {
    const known = this.words.get(value);
    if (known !== undefined) return known;
    this.words.set(value, value);
    return value;
  }
}
