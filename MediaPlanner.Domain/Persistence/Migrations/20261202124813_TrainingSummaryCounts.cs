using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MediaPlanner.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class TrainingSummaryCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_TrainingExamples_Summary",
                table: "TrainingExamples");

            migrationBuilder.CreateTable(
                name: "TrainingSummaryCounts",
                columns: table => new
                {
                    IsDuplicate = table.Column<bool>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    HasErrors = table.Column<bool>(type: "INTEGER", nullable: false),
                    Objective = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    MarketCode = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false),
                    Tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    QualitySum = table.Column<double>(type: "REAL", nullable: false),
                    Rated = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrainingSummaryCounts", x => new { x.IsDuplicate, x.Status, x.HasErrors, x.Objective, x.MarketCode, x.Model });
                });

            migrationBuilder.CreateIndex(
                name: "IX_TrainingExamples_DuplicateOfId",
                table: "TrainingExamples",
                column: "DuplicateOfId");

            migrationBuilder.CreateIndex(
                name: "IX_TrainingExamples_OverCap",
                table: "TrainingExamples",
                columns: new[] { "Status", "DuplicateOfId", "TokenCount", "HasErrors" });
            SummaryTriggers.Sqlite(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            SummaryTriggers.DropSqlite(migrationBuilder);

            migrationBuilder.DropTable(
                name: "TrainingSummaryCounts");

            migrationBuilder.DropIndex(
                name: "IX_TrainingExamples_DuplicateOfId",
                table: "TrainingExamples");

            migrationBuilder.DropIndex(
                name: "IX_TrainingExamples_OverCap",
                table: "TrainingExamples");

            migrationBuilder.CreateIndex(
                name: "IX_TrainingExamples_Summary",
                table: "TrainingExamples",
                columns: new[] { "DuplicateOfId", "Status", "HasErrors", "Objective", "MarketCode", "Model", "TokenCount", "QualityScore" });
        }
    }
}
