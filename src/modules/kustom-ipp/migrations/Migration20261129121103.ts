import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261129121103 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "kustom_ipp_payment_problem" drop constraint if exists "kustom_ipp_payment_problem_kustom_session_id_unique";`);

    this.addSql(`create table if not exists "kustom_ipp_payment_problem" ("id" text not null, "kustom_session_id" text not null, "kustom_order_id" text null, "sale_kind" text check ("sale_kind" in ('cart', 'draft_order')) not null, "sale_id" text not null, "payment_session_id" text null, "device_id" text null, "currency_code" text not null, "paid_amount" numeric not null, "problem" text not null, "raw_paid_amount" jsonb not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "kustom_ipp_payment_problem_pkey" primary key ("id"));`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_kustom_ipp_payment_problem_kustom_session_id_unique" ON "kustom_ipp_payment_problem" ("kustom_session_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_kustom_ipp_payment_problem_deleted_at" ON "kustom_ipp_payment_problem" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_kustom_ipp_payment_problem_sale_id" ON "kustom_ipp_payment_problem" ("sale_id") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "kustom_ipp_payment_problem" cascade;`);
  }

}
