using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MediaPlanner.Domain.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class TrainingSummaryIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_TrainingExamples_DuplicateOfId",
                table: "TrainingExamples");

            migrationBuilder.CreateIndex(
                name: "IX_TrainingExamples_Model",
                table: "TrainingExamples",
                column: "Model");

            migrationBuilder.CreateIndex(
                name: "IX_TrainingExamples_Summary",
                table: "TrainingExamples",
                columns: new[] { "DuplicateOfId", "Status", "HasErrors", "Objective", "MarketCode", "Model", "TokenCount", "QualityScore" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_TrainingExamples_Model",
                table: "TrainingExamples");

            migrationBuilder.DropIndex(
                name: "IX_TrainingExamples_Summary",
                table: "TrainingExamples");

            migrationBuilder.CreateIndex(
                name: "IX_TrainingExamples_DuplicateOfId",
                table: "TrainingExamples",
                column: "DuplicateOfId");
        }
    }
}
