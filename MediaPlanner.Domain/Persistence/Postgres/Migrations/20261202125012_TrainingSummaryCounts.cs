using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MediaPlanner.Domain.Persistence.Postgres.Migrations
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
                    IsDuplicate = table.Column<bool>(type: "boolean", nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    HasErrors = table.Column<bool>(type: "boolean", nullable: false),
                    Objective = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    MarketCode = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false),
                    Tokens = table.Column<long>(type: "bigint", nullable: false),
                    QualitySum = table.Column<double>(type: "double precision", nullable: false),
                    Rated = table.Column<int>(type: "integer", nullable: false)
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
            SummaryTriggers.Postgres(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            SummaryTriggers.DropPostgres(migrationBuilder);

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
