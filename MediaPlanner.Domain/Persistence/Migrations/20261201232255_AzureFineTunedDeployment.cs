using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MediaPlanner.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class AzureFineTunedDeployment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FineTunedDeployment",
                table: "FineTuneJobs",
                type: "TEXT",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FineTunedDeployment",
                table: "FineTuneJobs");
        }
    }
}
