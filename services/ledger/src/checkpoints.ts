import type Database from 'better-sqlite3';

/** The custody reactor's checkpoint: where `serve` resumes re-applying process-manager reactions. */
export const CUSTODY_REACTOR = 'custody-process-manager';

/** Where background subscriptions (the custody reactor) resume after a restart. */
export class CheckpointStore {
  private readonly select: Database.Statement<[string], { position: number }>;
  private readonly upsert: Database.Statement<[string, number]>;

  constructor(db: Database.Database) {
    db.exec(
      'CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL) STRICT',
    );
    this.select = db.prepare('SELECT position FROM checkpoints WHERE name = ?');
    this.upsert = db.prepare(
      'INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
    );
  }

  get(name: string): number | undefined {
    return this.select.get(name)?.position;
  }

  set(name: string, position: number): void {
    this.upsert.run(name, position);
  }
}
