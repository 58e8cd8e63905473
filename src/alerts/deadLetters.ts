// Dead deliveries: a delivery given up (too many attempts, or a week old) is recorded here and reported in the next
// digest of each digest channel (Teams, the configured mail recipients) until that channel has carried it.
//
// Table `akscomplianceAlertDeadLetters`: PK `dead`, RK = sha256 of `run|channel|recipient`; `reportedTeams` and
// `reportedMail` say which digest channels have reported it.
import { createHash } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import type { AzureClients } from '../azure/clients';
import type { DeliveryKey } from './claims';
import { once } from '../store/tables';

export const DEAD_LETTERS_TABLE = 'akscomplianceAlertDeadLetters';
const PARTITION = 'dead';

export interface DeadLetter extends DeliveryKey {
  id: string;
  alerts: number;
  attempts: number;
  firstAttemptAt: string;
  deadAt: string;
  reason: string;
}

export type DigestChannel = 'teams' | 'mail';
const FLAG: Record<DigestChannel, string> = { teams: 'reportedTeams', mail: 'reportedMail' };

const idOf = (key: DeliveryKey) =>
  createHash('sha256').update(`${key.runId}|${key.channel}|${key.recipient}`).digest('hex').slice(0, 48);

export class DeadLetters {
  private readonly client: TableClient;
  private readonly ensureTable: () => Promise<void>;

  constructor(clients: Pick<AzureClients, 'tableClient'>) {
    this.client = clients.tableClient(DEAD_LETTERS_TABLE);
    this.ensureTable = once(() => this.client.createTable());
  }

  async add(letter: Omit<DeadLetter, 'id'>): Promise<string> {
    await this.ensureTable();
    const id = idOf(letter);
    await this.client.upsertEntity(
      {
        partitionKey: PARTITION,
        rowKey: id,
        runId: letter.runId,
        channel: letter.channel,
        recipient: letter.recipient.slice(0, 1000),
        alerts: letter.alerts,
        attempts: letter.attempts,
        firstAttemptAt: letter.firstAttemptAt,
        deadAt: letter.deadAt,
        reason: letter.reason.slice(0, 2000),
        reportedTeams: false,
        reportedMail: false,
      },
      'Replace',
    );
    return id;
  }

  /** Dead deliveries a digest channel has not reported yet, oldest first. */
  async unreported(channel: DigestChannel): Promise<DeadLetter[]> {
    await this.ensureTable();
    const out: DeadLetter[] = [];
    const flag = FLAG[channel];
    for await (const e of this.client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` },
    })) {
      if (e[flag] === true) continue;
      out.push({
        id: String(e.rowKey),
        runId: String(e.runId),
        channel: String(e.channel),
        recipient: String(e.recipient),
        alerts: Number(e.alerts ?? 0),
        attempts: Number(e.attempts ?? 0),
        firstAttemptAt: String(e.firstAttemptAt ?? ''),
        deadAt: String(e.deadAt ?? ''),
        reason: String(e.reason ?? ''),
      });
    }
    return out.sort((a, b) => a.deadAt.localeCompare(b.deadAt));
  }

  async markReported(channel: DigestChannel, ids: string[]): Promise<void> {
    for (const id of ids) {
      await this.client.updateEntity({ partitionKey: PARTITION, rowKey: id, [FLAG[channel]]: true }, 'Merge');
    }
  }
}
