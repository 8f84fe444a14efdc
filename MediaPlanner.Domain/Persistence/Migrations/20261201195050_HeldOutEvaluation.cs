using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MediaPlanner.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class HeldOutEvaluation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Override",
                table: "ModelDeployments",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "OverrideReason",
                table: "ModelDeployments",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EvaluationJson",
                table: "FineTuneJobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Recommended",
                table: "FineTuneJobs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Verdict",
                table: "FineTuneJobs",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EvaluationJson",
                table: "FineTuneCheckpoints",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "PreferencePairs",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BriefId = table.Column<int>(type: "INTEGER", nullable: false),
                    RunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ChosenPlanId = table.Column<int>(type: "INTEGER", nullable: false),
                    RejectedPlanId = table.Column<int>(type: "INTEGER", nullable: false),
                    ExampleId = table.Column<int>(type: "INTEGER", nullable: true),
                    ChosenModel = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    RejectedModel = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    ChosenStrategy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    RejectedStrategy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    InputJson = table.Column<string>(type: "TEXT", nullable: false),
                    PreferredContent = table.Column<string>(type: "TEXT", nullable: false),
                    NonPreferredContent = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedById = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PreferencePairs", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PreferencePairs_ChosenPlanId_RejectedPlanId",
                table: "PreferencePairs",
                columns: new[] { "ChosenPlanId", "RejectedPlanId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PreferencePairs_CreatedAt",
                table: "PreferencePairs",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_PreferencePairs_ExampleId",
                table: "PreferencePairs",
                column: "ExampleId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PreferencePairs");

            migrationBuilder.DropColumn(
                name: "Override",
                table: "ModelDeployments");

            migrationBuilder.DropColumn(
                name: "OverrideReason",
                table: "ModelDeployments");

            migrationBuilder.DropColumn(
                name: "EvaluationJson",
                table: "FineTuneJobs");

            migrationBuilder.DropColumn(
                name: "Recommended",
                table: "FineTuneJobs");

            migrationBuilder.DropColumn(
                name: "Verdict",
                table: "FineTuneJobs");

            migrationBuilder.DropColumn(
                name: "EvaluationJson",
                table: "FineTuneCheckpoints");
        }
    }
}
