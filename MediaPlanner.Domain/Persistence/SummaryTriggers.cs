using Microsoft.EntityFrameworkCore.Migrations;

namespace MediaPlanner.Domain.Persistence;

/// <summary>
/// Keeps <c>TrainingSummaryCounts</c> in step with <c>TrainingExamples</c> inside the database: a trigger subtracts a
/// row's old group and adds its new one on every insert, update of a counted column, and delete. Written for both
/// engines here and called from each engine's migration.
/// </summary>
internal static class SummaryTriggers
{
    public const string Name = "TrainingExamples_Summary";

    private const string Columns = """
        "IsDuplicate", "Status", "HasErrors", "Objective", "MarketCode", "Model", "Count", "Tokens", "QualitySum", "Rated"
        """;

    private const string Key = """
        "IsDuplicate", "Status", "HasErrors", "Objective", "MarketCode", "Model"
        """;

    private const string Counted = """
        "DuplicateOfId", "Status", "HasErrors", "Objective", "MarketCode", "Model", "TokenCount", "QualityScore"
        """;

    /// <summary>The group of <paramref name="row"/> (NEW or OLD) and its totals, times <paramref name="sign"/>.</summary>
    private static string Values(string row, int sign) => $"""
        ({row}."DuplicateOfId" IS NOT NULL, {row}."Status", {row}."HasErrors", COALESCE({row}."Objective", ''), COALESCE({row}."MarketCode", ''),
         COALESCE({row}."Model", ''), {sign}, {sign} * {row}."TokenCount", {sign} * COALESCE({row}."QualityScore", 0),
         {sign} * (CASE WHEN {row}."QualityScore" IS NULL THEN 0 ELSE 1 END))
        """;

    private static string Upsert(string row, int sign, string table) => $"""
        INSERT INTO "TrainingSummaryCounts" ({Columns}) VALUES {Values(row, sign)}
        ON CONFLICT ({Key}) DO UPDATE SET "Count" = {table}"Count" + excluded."Count", "Tokens" = {table}"Tokens" + excluded."Tokens",
            "QualitySum" = {table}"QualitySum" + excluded."QualitySum", "Rated" = {table}"Rated" + excluded."Rated";
        """;

    /// <summary>An emptied group is removed, so the table holds only groups that exist.</summary>
    private static string DropEmpty(string row) => $"""
        DELETE FROM "TrainingSummaryCounts" WHERE "Count" = 0 AND "IsDuplicate" = ({row}."DuplicateOfId" IS NOT NULL) AND "Status" = {row}."Status"
            AND "HasErrors" = {row}."HasErrors" AND "Objective" = COALESCE({row}."Objective", '') AND "MarketCode" = COALESCE({row}."MarketCode", '')
            AND "Model" = COALESCE({row}."Model", '');
        """;

    /// <summary>The totals of the examples already stored, for a database that had examples before the triggers.</summary>
    private const string Backfill = $"""
        INSERT INTO "TrainingSummaryCounts" ({Columns})
        SELECT "DuplicateOfId" IS NOT NULL, "Status", "HasErrors", COALESCE("Objective", ''), COALESCE("MarketCode", ''), COALESCE("Model", ''),
               COUNT(*), SUM("TokenCount"), COALESCE(SUM("QualityScore"), 0), COUNT("QualityScore")
        FROM "TrainingExamples"
        GROUP BY "DuplicateOfId" IS NOT NULL, "Status", "HasErrors", COALESCE("Objective", ''), COALESCE("MarketCode", ''), COALESCE("Model", '');
        """;

    public static void Sqlite(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(Backfill);
        migrationBuilder.Sql($"""
            CREATE TRIGGER "{Name}_Insert" AFTER INSERT ON "TrainingExamples"
            BEGIN
            {Upsert("NEW", 1, "")}
            END;
            """);
        migrationBuilder.Sql($"""
            CREATE TRIGGER "{Name}_Update" AFTER UPDATE OF {Counted} ON "TrainingExamples"
            BEGIN
            {Upsert("OLD", -1, "")}
            {Upsert("NEW", 1, "")}
            {DropEmpty("OLD")}
            END;
            """);
        migrationBuilder.Sql($"""
            CREATE TRIGGER "{Name}_Delete" AFTER DELETE ON "TrainingExamples"
            BEGIN
            {Upsert("OLD", -1, "")}
            {DropEmpty("OLD")}
            END;
            """);
    }

    public static void DropSqlite(MigrationBuilder migrationBuilder)
    {
        foreach (var suffix in new[] { "Insert", "Update", "Delete" })
            migrationBuilder.Sql($"""DROP TRIGGER IF EXISTS "{Name}_{suffix}";""");
    }

    public static void Postgres(MigrationBuilder migrationBuilder)
    {
        const string table = "\"TrainingSummaryCounts\".";
        migrationBuilder.Sql(Backfill);
        // The lock makes writers of examples take their turn at the counts: an import's batch touches many groups in
        // file order, and two batches locking group rows in different orders would deadlock each other.
        migrationBuilder.Sql($"""
            CREATE FUNCTION training_summary_count() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                LOCK TABLE "TrainingSummaryCounts" IN SHARE ROW EXCLUSIVE MODE;
                IF TG_OP <> 'INSERT' THEN
                    {Upsert("OLD", -1, table)}
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    {Upsert("NEW", 1, table)}
                END IF;
                IF TG_OP <> 'INSERT' THEN
                    {DropEmpty("OLD")}
                END IF;
                RETURN NULL;
            END;
            $$;
            """);
        migrationBuilder.Sql($"""
            CREATE TRIGGER "{Name}" AFTER INSERT OR DELETE OR UPDATE OF {Counted} ON "TrainingExamples"
            FOR EACH ROW EXECUTE FUNCTION training_summary_count();
            """);
        migrationBuilder.Sql("""
            CREATE FUNCTION training_summary_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                TRUNCATE "TrainingSummaryCounts";
                RETURN NULL;
            END;
            $$;
            """);
        migrationBuilder.Sql($"""
            CREATE TRIGGER "{Name}_Truncate" AFTER TRUNCATE ON "TrainingExamples" FOR EACH STATEMENT EXECUTE FUNCTION training_summary_truncate();
            """);
    }

    public static void DropPostgres(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql($"""DROP TRIGGER IF EXISTS "{Name}_Truncate" ON "TrainingExamples";""");
        migrationBuilder.Sql($"""DROP TRIGGER IF EXISTS "{Name}" ON "TrainingExamples";""");
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS training_summary_truncate();");
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS training_summary_count();");
    }
}
