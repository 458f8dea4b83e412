import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261127125636 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "kustom_ipp_callback" drop constraint if exists "kustom_ipp_callback_webhook_id_unique";`);
    this.addSql(`create table if not exists "kustom_ipp_callback" ("id" text not null, "webhook_id" text not null, "event_type" text not null, "kustom_session_id" text null, "kustom_order_id" text null, "failure_reason" text null, "event_timestamp" timestamptz null, "status" text check ("status" in ('received', 'processed', 'failed')) not null default 'received', "attempts" integer not null default 0, "last_error" text null, "next_attempt_at" timestamptz null, "processed_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "kustom_ipp_callback_pkey" primary key ("id"));`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_kustom_ipp_callback_webhook_id_unique" ON "kustom_ipp_callback" ("webhook_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_kustom_ipp_callback_deleted_at" ON "kustom_ipp_callback" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_kustom_ipp_callback_kustom_session_id" ON "kustom_ipp_callback" ("kustom_session_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_kustom_ipp_callback_status_next_attempt_at" ON "kustom_ipp_callback" ("status", "next_attempt_at") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "kustom_ipp_callback" cascade;`);
  }

}
