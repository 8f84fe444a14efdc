using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MediaPlanner.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class PlanPrompt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PromptJson",
                table: "Plans",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PromptJson",
                table: "Plans");
        }
    }
}
