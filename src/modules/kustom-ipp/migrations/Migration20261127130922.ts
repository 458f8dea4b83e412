import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261127130922 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "kustom_ipp_location_link" drop constraint if exists "kustom_ipp_location_link_stock_location_id_unique";`);
    this.addSql(`alter table if exists "kustom_ipp_enrollment_code" drop constraint if exists "kustom_ipp_enrollment_code_enrollment_id_unique";`);
    this.addSql(`alter table if exists "kustom_ipp_device_default" drop constraint if exists "kustom_ipp_device_default_scope_scope_id_unique";`);
    this.addSql(`create table if not exists "kustom_ipp_activity" ("id" text not null, "last_callback_at" timestamptz null, "last_callback_signature_ok" boolean null, "last_valid_callback_at" timestamptz null, "last_invalid_callback_at" timestamptz null, "last_invalid_callback_reason" text null, "last_device_id" text null, "last_device_used_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "kustom_ipp_activity_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_kustom_ipp_activity_deleted_at" ON "kustom_ipp_activity" ("deleted_at") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "kustom_ipp_device_default" ("id" text not null, "scope" text check ("scope" in ('sales_channel', 'location')) not null, "scope_id" text not null, "device_id" text not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "kustom_ipp_device_default_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_kustom_ipp_device_default_deleted_at" ON "kustom_ipp_device_default" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_kustom_ipp_device_default_scope_scope_id_unique" ON "kustom_ipp_device_default" ("scope", "scope_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_kustom_ipp_device_default_device_id" ON "kustom_ipp_device_default" ("device_id") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "kustom_ipp_enrollment_code" ("id" text not null, "enrollment_id" text not null, "enrollment_code" text not null, "location_id" text null, "expires_at" timestamptz not null, "status" text check ("status" in ('PENDING', 'CONSUMED', 'EXPIRED', 'CANCELLED')) not null default 'PENDING', "device_id" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "kustom_ipp_enrollment_code_pkey" primary key ("id"));`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_kustom_ipp_enrollment_code_enrollment_id_unique" ON "kustom_ipp_enrollment_code" ("enrollment_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_kustom_ipp_enrollment_code_deleted_at" ON "kustom_ipp_enrollment_code" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_kustom_ipp_enrollment_code_location_id" ON "kustom_ipp_enrollment_code" ("location_id") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "kustom_ipp_location_link" ("id" text not null, "stock_location_id" text not null, "kustom_location_id" text not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "kustom_ipp_location_link_pkey" primary key ("id"));`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_kustom_ipp_location_link_stock_location_id_unique" ON "kustom_ipp_location_link" ("stock_location_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_kustom_ipp_location_link_deleted_at" ON "kustom_ipp_location_link" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_kustom_ipp_location_link_kustom_location_id" ON "kustom_ipp_location_link" ("kustom_location_id") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "kustom_ipp_activity" cascade;`);

    this.addSql(`drop table if exists "kustom_ipp_device_default" cascade;`);

    this.addSql(`drop table if exists "kustom_ipp_enrollment_code" cascade;`);

    this.addSql(`drop table if exists "kustom_ipp_location_link" cascade;`);
  }

}
