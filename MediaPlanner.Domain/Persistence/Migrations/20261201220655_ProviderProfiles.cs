using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace MediaPlanner.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    // Seeded price rows are kept as they are (the new Provider column defaults to "", any provider): re-inserting them
    // would undo an admin's edits.
    public partial class ProviderProfiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_ModelPrices",
                table: "ModelPrices");





            migrationBuilder.AddColumn<string>(
                name: "Provider",
                table: "ModelPrices",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "DeploymentName",
                table: "ModelDeployments",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EndReason",
                table: "ModelDeployments",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "PriceEstimated",
                table: "ModelCalls",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "LastContactAt",
                table: "FineTuneJobs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UnreachableReason",
                table: "FineTuneJobs",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "UnreachableSince",
                table: "FineTuneJobs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddPrimaryKey(
                name: "PK_ModelPrices",
                table: "ModelPrices",
                columns: new[] { "Provider", "Model" });

            migrationBuilder.CreateTable(
                name: "ProviderModels",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ProviderKey = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ModelId = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    OwnedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ShutdownDate = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    FirstSeenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Listed = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProviderModels", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ProviderProfiles",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    Endpoint = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    ProtectedKey = table.Column<string>(type: "TEXT", nullable: true),
                    BaseModelsJson = table.Column<string>(type: "TEXT", nullable: false),
                    TrainingType = table.Column<string>(type: "TEXT", maxLength: 30, nullable: true),
                    HyperparametersJson = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedById = table.Column<string>(type: "TEXT", nullable: true),
                    TrainingUnavailableAt = table.Column<long>(type: "INTEGER", nullable: true),
                    TrainingUnavailableMessage = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    ModelsRefreshedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ModelsRefreshError = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProviderProfiles", x => x.Key);
                });


            migrationBuilder.CreateIndex(
                name: "IX_ProviderModels_ProviderKey_ModelId",
                table: "ProviderModels",
                columns: new[] { "ProviderKey", "ModelId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ProviderModels");

            migrationBuilder.DropTable(
                name: "ProviderProfiles");

            migrationBuilder.DropPrimaryKey(
                name: "PK_ModelPrices",
                table: "ModelPrices");





            migrationBuilder.DropColumn(
                name: "Provider",
                table: "ModelPrices");

            migrationBuilder.DropColumn(
                name: "DeploymentName",
                table: "ModelDeployments");

            migrationBuilder.DropColumn(
                name: "EndReason",
                table: "ModelDeployments");

            migrationBuilder.DropColumn(
                name: "PriceEstimated",
                table: "ModelCalls");

            migrationBuilder.DropColumn(
                name: "LastContactAt",
                table: "FineTuneJobs");

            migrationBuilder.DropColumn(
                name: "UnreachableReason",
                table: "FineTuneJobs");

            migrationBuilder.DropColumn(
                name: "UnreachableSince",
                table: "FineTuneJobs");

            migrationBuilder.AddPrimaryKey(
                name: "PK_ModelPrices",
                table: "ModelPrices",
                column: "Model");

        }
    }
}
