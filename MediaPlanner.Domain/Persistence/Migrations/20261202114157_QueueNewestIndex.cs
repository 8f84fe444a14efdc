using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MediaPlanner.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class QueueNewestIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_TrainingExamples_CreatedAt_Id",
                table: "TrainingExamples",
                columns: new[] { "CreatedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_TrainingExamples_CreatedAt_Id",
                table: "TrainingExamples");
        }
    }
}
