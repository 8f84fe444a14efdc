using Microsoft.EntityFrameworkCore.Migrations;

namespace MediaPlanner.Domain.Persistence.Postgres;

/// <summary>What PostgreSQL's migrations need beyond the model: written once here, called from the migrations.</summary>
internal static class PostgresSql
{
    /// <summary>
    /// The audit trail is append-only in the database too, as SQLite's triggers make it: a direct UPDATE or DELETE,
    /// bypassing the app, fails. (TRUNCATE is a table owner's act and is refused by a statement-level trigger.)
    /// </summary>
    public static void AuditAppendOnly(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'Audit entries are append-only.';
            END;
            $$;
            """);
        migrationBuilder.Sql("""CREATE TRIGGER "AuditEntries_NoUpdate" BEFORE UPDATE ON "AuditEntries" FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();""");
        migrationBuilder.Sql("""CREATE TRIGGER "AuditEntries_NoDelete" BEFORE DELETE ON "AuditEntries" FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();""");
        migrationBuilder.Sql("""CREATE TRIGGER "AuditEntries_NoTruncate" BEFORE TRUNCATE ON "AuditEntries" FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();""");
    }

    public static void DropAuditAppendOnly(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "AuditEntries_NoTruncate" ON "AuditEntries";""");
        migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "AuditEntries_NoDelete" ON "AuditEntries";""");
        migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "AuditEntries_NoUpdate" ON "AuditEntries";""");
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS audit_entries_append_only();");
    }

    /// <summary>
    /// Undoing a chosen plan deletes its example and promotes the oldest duplicate in one transaction; the key from a
    /// duplicate to its original is checked at commit (SQLite: PRAGMA defer_foreign_keys; here: SET CONSTRAINTS).
    /// </summary>
    public static void DuplicateOfDeferrable(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""ALTER TABLE "TrainingExamples" ALTER CONSTRAINT "FK_TrainingExamples_TrainingExamples_DuplicateOfId" DEFERRABLE INITIALLY IMMEDIATE;""");
}
