using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MediaPlanner.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class PlannersCraft : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "PlannerEdited",
                table: "TrainingExamples",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "OriginalPlanId",
                table: "Plans",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "Plans",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<int>(
                name: "EffectiveFrequency",
                table: "Briefs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 3);

            migrationBuilder.AddColumn<string>(
                name: "Flighting",
                table: "Briefs",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "Continuous");

            migrationBuilder.AddColumn<string>(
                name: "FlightingWeeks",
                table: "Briefs",
                type: "TEXT",
                maxLength: 160,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<double>(
                name: "KpiCpa",
                table: "Briefs",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "KpiCpc",
                table: "Briefs",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "KpiCtrPercent",
                table: "Briefs",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "KpiFrequency",
                table: "Briefs",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "KpiReachPercent",
                table: "Briefs",
                type: "REAL",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Plans_OriginalPlanId",
                table: "Plans",
                column: "OriginalPlanId");

            migrationBuilder.AddForeignKey(
                name: "FK_Plans_Plans_OriginalPlanId",
                table: "Plans",
                column: "OriginalPlanId",
                principalTable: "Plans",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Plans_Plans_OriginalPlanId",
                table: "Plans");

            migrationBuilder.DropIndex(
                name: "IX_Plans_OriginalPlanId",
                table: "Plans");

            migrationBuilder.DropColumn(
                name: "PlannerEdited",
                table: "TrainingExamples");

            migrationBuilder.DropColumn(
                name: "OriginalPlanId",
                table: "Plans");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "Plans");

            migrationBuilder.DropColumn(
                name: "EffectiveFrequency",
                table: "Briefs");

            migrationBuilder.DropColumn(
                name: "Flighting",
                table: "Briefs");

            migrationBuilder.DropColumn(
                name: "FlightingWeeks",
                table: "Briefs");

            migrationBuilder.DropColumn(
                name: "KpiCpa",
                table: "Briefs");

            migrationBuilder.DropColumn(
                name: "KpiCpc",
                table: "Briefs");

            migrationBuilder.DropColumn(
                name: "KpiCtrPercent",
                table: "Briefs");

            migrationBuilder.DropColumn(
                name: "KpiFrequency",
                table: "Briefs");

            migrationBuilder.DropColumn(
                name: "KpiReachPercent",
                table: "Briefs");
        }
    }
}
