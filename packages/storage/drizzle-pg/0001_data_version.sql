-- PostgreSQL has no PRAGMA data_version, so the store keeps its own: store_version.version goes up by exactly 1 for
-- every transaction that wrote anything (any statement on any table below, also from psql), and the new value
-- becomes visible at that commit together with the data. A reader that sees version v therefore reads data at
-- least as new as v: the signal can never run ahead of the data, as a sequence (not transactional) would.
--
-- "Commits through this same Store do not change it": the trigger also counts, in a session setting
-- (apikey.own_commits), the commits made on this connection; set_config is undone with the transaction when it rolls
-- back, so the count stays exact. dataVersion() is version minus that count, read in one statement.
--
-- SET search_path FROM CURRENT pins the function to the schema it was created in, so writes from a session with
-- another search_path still find store_version.
INSERT INTO "store_version" ("id", "version") VALUES (1, 0);
--> statement-breakpoint
CREATE FUNCTION "apikey_bump_version"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE store_version SET version = version + 1, txid = txid_current()
    WHERE id = 1 AND txid IS DISTINCT FROM txid_current();
  IF FOUND THEN
    PERFORM set_config(
      'apikey.own_commits',
      (coalesce(nullif(current_setting('apikey.own_commits', true), ''), '0')::bigint + 1)::text,
      false
    );
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_log_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"();
--> statement-breakpoint
CREATE TRIGGER "keys_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "keys" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"();
--> statement-breakpoint
CREATE TRIGGER "marks_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "marks" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"();
--> statement-breakpoint
CREATE TRIGGER "master_key_slots_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "master_key_slots" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"();
--> statement-breakpoint
CREATE TRIGGER "oauth_providers_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "oauth_providers" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"();
--> statement-breakpoint
CREATE TRIGGER "pending_deactivations_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "pending_deactivations" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"();
--> statement-breakpoint
CREATE TRIGGER "profiles_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "profiles" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"();
--> statement-breakpoint
CREATE TRIGGER "settings_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "settings" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"();
--> statement-breakpoint
CREATE TRIGGER "store_meta_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "store_meta" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"();
--> statement-breakpoint
CREATE TRIGGER "store_secrets_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "store_secrets" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"();
--> statement-breakpoint
CREATE TRIGGER "usage_daily_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "usage_daily" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"();
--> statement-breakpoint
CREATE TRIGGER "usage_events_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "usage_events" FOR EACH STATEMENT EXECUTE FUNCTION "apikey_bump_version"();
