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

    private static string Upsert(string row, int sign) => $"""
        INSERT INTO "TrainingSummaryCounts" ({Columns}) VALUES {Values(row, sign)}
        ON CONFLICT ({Key}) DO UPDATE SET "Count" = "Count" + excluded."Count", "Tokens" = "Tokens" + excluded."Tokens",
            "QualitySum" = "QualitySum" + excluded."QualitySum", "Rated" = "Rated" + excluded."Rated";
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
            {Upsert("NEW", 1)}
            END;
            """);
        migrationBuilder.Sql($"""
            CREATE TRIGGER "{Name}_Update" AFTER UPDATE OF {Counted} ON "TrainingExamples"
            BEGIN
            {Upsert("OLD", -1)}
            {Upsert("NEW", 1)}
            {DropEmpty("OLD")}
            END;
            """);
        migrationBuilder.Sql($"""
            CREATE TRIGGER "{Name}_Delete" AFTER DELETE ON "TrainingExamples"
            BEGIN
            {Upsert("OLD", -1)}
            {DropEmpty("OLD")}
            END;
            """);
    }

    public static void DropSqlite(MigrationBuilder migrationBuilder)
    {
        foreach (var suffix in new[] { "Insert", "Update", "Delete" })
            migrationBuilder.Sql($"""DROP TRIGGER IF EXISTS "{Name}_{suffix}";""");
    }

    /// <summary>
    /// PostgreSQL counts per statement (transition tables), one upsert per touched group, so a bulk UPDATE of 100,000
    /// rows costs one grouped read of them rather than 100,000 trigger calls.
    /// </summary>
    public static void Postgres(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(Backfill);
        // Writers of counted columns take their turn at the totals until they commit: an import's batches touch many
        // groups in file order, and two imports locking group rows in different orders would deadlock each other.
        migrationBuilder.Sql($"""
            CREATE FUNCTION training_summary_count() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                -- Each statement names only the transition tables its event has (plpgsql plans a statement when it first runs).
                IF TG_OP = 'UPDATE' THEN
                    IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n."Id" = o."Id"
                                   WHERE ({Row("o")}) IS DISTINCT FROM ({Row("n")})) THEN
                        RETURN NULL;
                    END IF;
                END IF;
                LOCK TABLE "TrainingSummaryCounts" IN SHARE ROW EXCLUSIVE MODE;
                IF TG_OP = 'INSERT' THEN
                    {GroupedUpsert($"SELECT {Select("n", 1)} FROM new_rows n")}
                ELSIF TG_OP = 'DELETE' THEN
                    {GroupedUpsert($"SELECT {Select("o", -1)} FROM old_rows o")}
                ELSE
                    {GroupedUpsert($"SELECT {Select("n", 1)} FROM new_rows n UNION ALL SELECT {Select("o", -1)} FROM old_rows o")}
                END IF;
                DELETE FROM "TrainingSummaryCounts" WHERE "Count" = 0;
                RETURN NULL;
            END;
            $$;
            """);
        // A trigger with transition tables serves one event, and cannot name columns: UPDATE returns early when none counted changed.
        migrationBuilder.Sql($"""CREATE TRIGGER "{Name}_Insert" AFTER INSERT ON "TrainingExamples" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION training_summary_count();""");
        migrationBuilder.Sql($"""CREATE TRIGGER "{Name}_Update" AFTER UPDATE ON "TrainingExamples" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION training_summary_count();""");
        migrationBuilder.Sql($"""CREATE TRIGGER "{Name}_Delete" AFTER DELETE ON "TrainingExamples" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION training_summary_count();""");
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

    /// <summary>The deltas of <paramref name="deltas"/> summed per group and added to the totals, groups in key order.</summary>
    private static string GroupedUpsert(string deltas) => $"""
        INSERT INTO "TrainingSummaryCounts" AS t ({Columns})
        SELECT {Key}, SUM("Count"), SUM("Tokens"), SUM("QualitySum"), SUM("Rated")
        FROM ({deltas}) AS d
        GROUP BY {Key}
        HAVING SUM("Count") <> 0 OR SUM("Tokens") <> 0 OR SUM("QualitySum") <> 0 OR SUM("Rated") <> 0
        ORDER BY {Key}
        ON CONFLICT ({Key}) DO UPDATE SET "Count" = t."Count" + excluded."Count", "Tokens" = t."Tokens" + excluded."Tokens",
            "QualitySum" = t."QualitySum" + excluded."QualitySum", "Rated" = t."Rated" + excluded."Rated";
        """;

    /// <summary>A transition-table row's group and totals as the counts table's columns, times <paramref name="sign"/>.</summary>
    private static string Select(string row, int sign) => $"""
        {row}."DuplicateOfId" IS NOT NULL AS "IsDuplicate", {row}."Status", {row}."HasErrors", COALESCE({row}."Objective", '') AS "Objective",
        COALESCE({row}."MarketCode", '') AS "MarketCode", COALESCE({row}."Model", '') AS "Model", {sign}::bigint AS "Count",
        {sign}::bigint * {row}."TokenCount" AS "Tokens", {sign} * COALESCE({row}."QualityScore", 0) AS "QualitySum",
        {sign} * (CASE WHEN {row}."QualityScore" IS NULL THEN 0 ELSE 1 END) AS "Rated"
        """;

    /// <summary>The counted columns of a transition-table row.</summary>
    private static string Row(string row) => string.Join(", ", Counted.Split(',').Select(c => $"{row}.{c.Trim()}"));

    public static void DropPostgres(MigrationBuilder migrationBuilder)
    {
        foreach (var suffix in new[] { "Truncate", "Insert", "Update", "Delete" })
            migrationBuilder.Sql($"""DROP TRIGGER IF EXISTS "{Name}_{suffix}" ON "TrainingExamples";""");
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS training_summary_truncate();");
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS training_summary_count();");
    }
}
