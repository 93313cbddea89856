import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { closeAfterEach, makeTempDir } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { sqliteAvailable } from '../src/sqlite.js';
import { Ledger } from '../src/ledger.js';
import { LEDGER_MIGRATIONS, LEDGER_SCHEMA_VERSION } from '../src/ledger-schema.js';

const sha256 = async (path: string): Promise<string> => createHash('sha256').update(await readFile(path)).digest('hex');

describe.skipIf(!sqliteAvailable())('the ledger schema', () => {
  const track = closeAfterEach();

  it('is a list of named migrations, and a new ledger is at the last of them', async () => {
    expect(LEDGER_MIGRATIONS.map((migration) => migration.name)).toEqual(['recordings and runs', 'off-site copies', 'alert state', 'camera holdings and lost reasons']);
    expect(new Set(LEDGER_MIGRATIONS.map((migration) => migration.name)).size).toBe(LEDGER_MIGRATIONS.length);
    const dir = track(await makeTempDir('camdl-ledger-schema-'));
    const ledger = Ledger.open(join(dir.path, 'ledger.sqlite'));
    expect(ledger.schemaVersion).toBe(LEDGER_SCHEMA_VERSION);
    ledger.close();
  });

  it('a ledger of a newer schema is refused by every way of opening it, and left as it is', async () => {
    const dir = track(await makeTempDir('camdl-ledger-schema-'));
    const path = join(dir.path, 'ledger.sqlite');
    Ledger.open(path).close();
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA journal_mode = DELETE; CREATE TABLE from_the_future (id INTEGER); PRAGMA user_version = ${LEDGER_SCHEMA_VERSION + 1}`);
    db.close();
    const before = await sha256(path);
    for (const options of [{}, { readOnly: true }, { existingOnly: true }]) {
      expect(() => Ledger.open(path, options), JSON.stringify(options)).toThrow(
        expect.objectContaining({
          code: 'ERR_SYNC_LEDGER',
          message: `the ledger ${path} has schema version ${LEDGER_SCHEMA_VERSION + 1}, newer than this camdl understands (${LEDGER_SCHEMA_VERSION}): upgrade camdl`,
        }),
      );
    }
    expect(await sha256(path)).toBe(before);
  });
});
