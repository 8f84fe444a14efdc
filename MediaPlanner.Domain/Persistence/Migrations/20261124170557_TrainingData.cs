using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace MediaPlanner.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class TrainingData : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ChosenAt",
                table: "Plans",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ModelPrices",
                columns: table => new
                {
                    Model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    InputPerMillion = table.Column<double>(type: "REAL", nullable: false),
                    OutputPerMillion = table.Column<double>(type: "REAL", nullable: false),
                    TrainingPerMillion = table.Column<double>(type: "REAL", nullable: true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    AsOf = table.Column<DateOnly>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModelPrices", x => x.Model);
                });

            migrationBuilder.CreateTable(
                name: "TrainingExamples",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    BriefId = table.Column<int>(type: "INTEGER", nullable: true),
                    PlanId = table.Column<int>(type: "INTEGER", nullable: true),
                    Model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Objective = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    MarketCode = table.Column<string>(type: "TEXT", maxLength: 8, nullable: true),
                    Brand = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    MessagesJson = table.Column<string>(type: "TEXT", nullable: false),
                    ContentHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    DuplicateOfId = table.Column<int>(type: "INTEGER", nullable: true),
                    TokenCount = table.Column<int>(type: "INTEGER", nullable: false),
                    HasErrors = table.Column<bool>(type: "INTEGER", nullable: false),
                    IssuesJson = table.Column<string>(type: "TEXT", nullable: false),
                    QualityScore = table.Column<double>(type: "REAL", nullable: true),
                    Ctr = table.Column<double>(type: "REAL", nullable: true),
                    ConversionRate = table.Column<double>(type: "REAL", nullable: true),
                    DeliveredSpend = table.Column<double>(type: "REAL", nullable: true),
                    ResultsRecordedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedById = table.Column<string>(type: "TEXT", nullable: true),
                    ReviewedById = table.Column<string>(type: "TEXT", nullable: true),
                    ReviewedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RejectionReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    EditedById = table.Column<string>(type: "TEXT", nullable: true),
                    EditedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrainingExamples", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TrainingExamples_Briefs_BriefId",
                        column: x => x.BriefId,
                        principalTable: "Briefs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_TrainingExamples_Plans_PlanId",
                        column: x => x.PlanId,
                        principalTable: "Plans",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_TrainingExamples_TrainingExamples_DuplicateOfId",
                        column: x => x.DuplicateOfId,
                        principalTable: "TrainingExamples",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.InsertData(
                table: "ModelPrices",
                columns: new[] { "Model", "AsOf", "InputPerMillion", "OutputPerMillion", "Source", "TrainingPerMillion" },
                values: new object[,]
                {
                    { "gpt-3.5-turbo-0125", new DateOnly(2024, 1, 25), 0.5, 1.5, "OpenAI pricing page (base model; training per 1M tokens)", 8.0 },
                    { "gpt-4o-2024-08-06", new DateOnly(2024, 8, 6), 2.5, 10.0, "OpenAI pricing page (base model; training per 1M tokens)", 25.0 },
                    { "gpt-4o-mini-2024-07-18", new DateOnly(2024, 7, 18), 0.14999999999999999, 0.59999999999999998, "OpenAI pricing page (base model; training per 1M tokens)", 3.0 },
                    { "local-mix-v1", new DateOnly(2026, 11, 24), 0.0, 0.0, "Built-in offline planner: no charge", 0.0 }
                });

            migrationBuilder.CreateIndex(
                name: "IX_TrainingExamples_BriefId",
                table: "TrainingExamples",
                column: "BriefId");

            migrationBuilder.CreateIndex(
                name: "IX_TrainingExamples_ContentHash",
                table: "TrainingExamples",
                column: "ContentHash",
                unique: true,
                filter: "\"DuplicateOfId\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_TrainingExamples_CreatedAt",
                table: "TrainingExamples",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_TrainingExamples_DuplicateOfId",
                table: "TrainingExamples",
                column: "DuplicateOfId");

            migrationBuilder.CreateIndex(
                name: "IX_TrainingExamples_PlanId",
                table: "TrainingExamples",
                column: "PlanId");

            migrationBuilder.CreateIndex(
                name: "IX_TrainingExamples_Status_Brand",
                table: "TrainingExamples",
                columns: new[] { "Status", "Brand" });

            migrationBuilder.CreateIndex(
                name: "IX_TrainingExamples_Status_CreatedAt",
                table: "TrainingExamples",
                columns: new[] { "Status", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ModelPrices");

            migrationBuilder.DropTable(
                name: "TrainingExamples");

            migrationBuilder.DropColumn(
                name: "ChosenAt",
                table: "Plans");
        }
    }
}
