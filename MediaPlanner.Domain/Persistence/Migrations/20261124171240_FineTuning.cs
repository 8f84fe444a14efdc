using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MediaPlanner.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class FineTuning : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "FineTuneJobs",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    BaseModel = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Suffix = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Seed = table.Column<int>(type: "INTEGER", nullable: true),
                    Epochs = table.Column<int>(type: "INTEGER", nullable: true),
                    BatchSize = table.Column<int>(type: "INTEGER", nullable: true),
                    LearningRateMultiplier = table.Column<double>(type: "REAL", nullable: true),
                    ValidationPercent = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    TrainingExamples = table.Column<int>(type: "INTEGER", nullable: false),
                    ValidationExamples = table.Column<int>(type: "INTEGER", nullable: false),
                    EstimatedTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    EstimatedCost = table.Column<double>(type: "REAL", nullable: true),
                    ExternalId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    TrainingFileId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ValidationFileId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    FineTunedModel = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    TrainedTokens = table.Column<long>(type: "INTEGER", nullable: true),
                    EstimatedFinish = table.Column<long>(type: "INTEGER", nullable: true),
                    ErrorCode = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ErrorMessage = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    ErrorParam = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    TotalSteps = table.Column<int>(type: "INTEGER", nullable: false),
                    CompletedSteps = table.Column<int>(type: "INTEGER", nullable: false),
                    ResultParametersJson = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedById = table.Column<string>(type: "TEXT", nullable: false),
                    CancelRequested = table.Column<bool>(type: "INTEGER", nullable: false),
                    LeaseOwner = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    LeaseUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FailedAttempts = table.Column<int>(type: "INTEGER", nullable: false),
                    LastEventCursor = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FineTuneJobs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FineTuneCheckpoints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    JobId = table.Column<int>(type: "INTEGER", nullable: false),
                    ExternalId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    ModelName = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Step = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    TrainLoss = table.Column<double>(type: "REAL", nullable: true),
                    TrainAccuracy = table.Column<double>(type: "REAL", nullable: true),
                    ValidLoss = table.Column<double>(type: "REAL", nullable: true),
                    ValidAccuracy = table.Column<double>(type: "REAL", nullable: true),
                    FullValidLoss = table.Column<double>(type: "REAL", nullable: true),
                    FullValidAccuracy = table.Column<double>(type: "REAL", nullable: true),
                    ParametersJson = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FineTuneCheckpoints", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FineTuneCheckpoints_FineTuneJobs_JobId",
                        column: x => x.JobId,
                        principalTable: "FineTuneJobs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FineTuneEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    JobId = table.Column<int>(type: "INTEGER", nullable: false),
                    ExternalId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Level = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Message = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Step = table.Column<int>(type: "INTEGER", nullable: true),
                    TrainLoss = table.Column<double>(type: "REAL", nullable: true),
                    ValidLoss = table.Column<double>(type: "REAL", nullable: true),
                    TrainAccuracy = table.Column<double>(type: "REAL", nullable: true),
                    ValidAccuracy = table.Column<double>(type: "REAL", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FineTuneEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FineTuneEvents_FineTuneJobs_JobId",
                        column: x => x.JobId,
                        principalTable: "FineTuneJobs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_FineTuneCheckpoints_JobId_ExternalId",
                table: "FineTuneCheckpoints",
                columns: new[] { "JobId", "ExternalId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FineTuneEvents_JobId_ExternalId",
                table: "FineTuneEvents",
                columns: new[] { "JobId", "ExternalId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FineTuneJobs_CreatedAt",
                table: "FineTuneJobs",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_FineTuneJobs_Status_NextAttemptAt",
                table: "FineTuneJobs",
                columns: new[] { "Status", "NextAttemptAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FineTuneCheckpoints");

            migrationBuilder.DropTable(
                name: "FineTuneEvents");

            migrationBuilder.DropTable(
                name: "FineTuneJobs");
        }
    }
}
