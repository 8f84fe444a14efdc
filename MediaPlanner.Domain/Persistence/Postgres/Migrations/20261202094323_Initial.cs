using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace MediaPlanner.Domain.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AppSettings",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Value = table.Column<string>(type: "text", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedById = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AppSettings", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "AspNetRoles",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    NormalizedName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ConcurrencyStamp = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetRoles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUsers",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    DisplayName = table.Column<string>(type: "text", nullable: true),
                    UserName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    NormalizedUserName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    NormalizedEmail = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    EmailConfirmed = table.Column<bool>(type: "boolean", nullable: false),
                    PasswordHash = table.Column<string>(type: "text", nullable: true),
                    SecurityStamp = table.Column<string>(type: "text", nullable: true),
                    ConcurrencyStamp = table.Column<string>(type: "text", nullable: true),
                    PhoneNumber = table.Column<string>(type: "text", nullable: true),
                    PhoneNumberConfirmed = table.Column<bool>(type: "boolean", nullable: false),
                    TwoFactorEnabled = table.Column<bool>(type: "boolean", nullable: false),
                    LockoutEnd = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LockoutEnabled = table.Column<bool>(type: "boolean", nullable: false),
                    AccessFailedCount = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUsers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AuditEntries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UserId = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    UserEmail = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Action = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    EntityType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    EntityId = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    Summary = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Before = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    After = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEntries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Benchmarks",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Channel = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Format = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Cpm = table.Column<decimal>(type: "numeric", nullable: false),
                    CpmLow = table.Column<decimal>(type: "numeric", nullable: false),
                    CpmHigh = table.Column<decimal>(type: "numeric", nullable: false),
                    Ctr = table.Column<double>(type: "double precision", nullable: true),
                    ConversionRate = table.Column<double>(type: "double precision", nullable: true),
                    UniverseShare = table.Column<double>(type: "double precision", nullable: false),
                    ReachAtOneImpressionPerPerson = table.Column<double>(type: "double precision", nullable: false),
                    Source = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    ReachSource = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    AsOf = table.Column<DateOnly>(type: "date", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Benchmarks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Currencies",
                columns: table => new
                {
                    Code = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    UnitsPerUsd = table.Column<decimal>(type: "numeric", nullable: false),
                    Source = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    AsOf = table.Column<DateOnly>(type: "date", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Currencies", x => x.Code);
                });

            migrationBuilder.CreateTable(
                name: "FineTuneJobs",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Provider = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    BaseModel = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Suffix = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Seed = table.Column<int>(type: "integer", nullable: true),
                    Epochs = table.Column<int>(type: "integer", nullable: true),
                    BatchSize = table.Column<int>(type: "integer", nullable: true),
                    LearningRateMultiplier = table.Column<double>(type: "double precision", nullable: true),
                    ValidationPercent = table.Column<int>(type: "integer", nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    TrainingExamples = table.Column<int>(type: "integer", nullable: false),
                    ValidationExamples = table.Column<int>(type: "integer", nullable: false),
                    EstimatedTokens = table.Column<long>(type: "bigint", nullable: false),
                    EstimatedCost = table.Column<decimal>(type: "numeric", nullable: true),
                    ExternalId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    TrainingFileId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ValidationFileId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    FineTunedModel = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    TrainedTokens = table.Column<long>(type: "bigint", nullable: true),
                    EstimatedFinish = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ErrorCode = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ErrorMessage = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    ErrorParam = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    TotalSteps = table.Column<int>(type: "integer", nullable: false),
                    CompletedSteps = table.Column<int>(type: "integer", nullable: false),
                    ResultParametersJson = table.Column<string>(type: "text", nullable: true),
                    EvaluationJson = table.Column<string>(type: "text", nullable: true),
                    Recommended = table.Column<bool>(type: "boolean", nullable: true),
                    Verdict = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedById = table.Column<string>(type: "text", nullable: false),
                    CancelRequested = table.Column<bool>(type: "boolean", nullable: false),
                    LeaseOwner = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    LeaseUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    NextAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FailedAttempts = table.Column<int>(type: "integer", nullable: false),
                    LastEventCursor = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    LastContactAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    UnreachableSince = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    UnreachableReason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    FineTunedDeployment = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FineTuneJobs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ImportRuns",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    FileName = table.Column<string>(type: "character varying(260)", maxLength: 260, nullable: true),
                    MarkValidated = table.Column<bool>(type: "boolean", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StartedById = table.Column<string>(type: "text", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Lines = table.Column<int>(type: "integer", nullable: false),
                    Stored = table.Column<int>(type: "integer", nullable: false),
                    Duplicates = table.Column<int>(type: "integer", nullable: false),
                    Rejected = table.Column<int>(type: "integer", nullable: false),
                    Message = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImportRuns", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Markets",
                columns: table => new
                {
                    Code = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    AdultPopulation = table.Column<long>(type: "bigint", nullable: false),
                    DefaultCurrency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    Source = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Year = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Markets", x => x.Code);
                });

            migrationBuilder.CreateTable(
                name: "ModelCalls",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    BriefId = table.Column<int>(type: "integer", nullable: true),
                    RunId = table.Column<Guid>(type: "uuid", nullable: true),
                    Provider = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Model = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Role = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Strategy = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    LatencyMs = table.Column<double>(type: "double precision", nullable: false),
                    Succeeded = table.Column<bool>(type: "boolean", nullable: false),
                    FailureCode = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    FailureReason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    QualityScore = table.Column<double>(type: "double precision", nullable: true),
                    InputTokens = table.Column<int>(type: "integer", nullable: false),
                    OutputTokens = table.Column<int>(type: "integer", nullable: false),
                    Cost = table.Column<decimal>(type: "numeric", nullable: false),
                    PriceEstimated = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModelCalls", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ModelDeployments",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Provider = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Model = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    BaseModel = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    JobId = table.Column<int>(type: "integer", nullable: true),
                    CheckpointId = table.Column<long>(type: "bigint", nullable: true),
                    ParametersJson = table.Column<string>(type: "text", nullable: true),
                    DeployedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DeployedById = table.Column<string>(type: "text", nullable: false),
                    EndedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    EndedById = table.Column<string>(type: "text", nullable: true),
                    Note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Override = table.Column<bool>(type: "boolean", nullable: false),
                    OverrideReason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    DeploymentName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    EndReason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModelDeployments", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ModelPrices",
                columns: table => new
                {
                    Provider = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Model = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    InputPerMillion = table.Column<decimal>(type: "numeric", nullable: false),
                    OutputPerMillion = table.Column<decimal>(type: "numeric", nullable: false),
                    TrainingPerMillion = table.Column<decimal>(type: "numeric", nullable: true),
                    Source = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    AsOf = table.Column<DateOnly>(type: "date", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModelPrices", x => new { x.Provider, x.Model });
                });

            migrationBuilder.CreateTable(
                name: "PreferencePairs",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    BriefId = table.Column<int>(type: "integer", nullable: false),
                    RunId = table.Column<Guid>(type: "uuid", nullable: false),
                    ChosenPlanId = table.Column<int>(type: "integer", nullable: false),
                    RejectedPlanId = table.Column<int>(type: "integer", nullable: false),
                    ExampleId = table.Column<int>(type: "integer", nullable: true),
                    ChosenModel = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    RejectedModel = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    ChosenStrategy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    RejectedStrategy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    InputJson = table.Column<string>(type: "text", nullable: false),
                    PreferredContent = table.Column<string>(type: "text", nullable: false),
                    NonPreferredContent = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedById = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PreferencePairs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ProviderModels",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ProviderKey = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ModelId = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    OwnedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ShutdownDate = table.Column<DateOnly>(type: "date", nullable: true),
                    FirstSeenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastSeenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Listed = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProviderModels", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ProviderProfiles",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Kind = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    Endpoint = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    ProtectedKey = table.Column<string>(type: "text", nullable: true),
                    BaseModelsJson = table.Column<string>(type: "text", nullable: false),
                    TrainingType = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: true),
                    HyperparametersJson = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedById = table.Column<string>(type: "text", nullable: true),
                    TrainingUnavailableAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    TrainingUnavailableMessage = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    ModelsRefreshedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ModelsRefreshError = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProviderProfiles", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "AspNetRoleClaims",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RoleId = table.Column<string>(type: "text", nullable: false),
                    ClaimType = table.Column<string>(type: "text", nullable: true),
                    ClaimValue = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetRoleClaims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AspNetRoleClaims_AspNetRoles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "AspNetRoles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserClaims",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    ClaimType = table.Column<string>(type: "text", nullable: true),
                    ClaimValue = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserClaims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AspNetUserClaims_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserLogins",
                columns: table => new
                {
                    LoginProvider = table.Column<string>(type: "text", nullable: false),
                    ProviderKey = table.Column<string>(type: "text", nullable: false),
                    ProviderDisplayName = table.Column<string>(type: "text", nullable: true),
                    UserId = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserLogins", x => new { x.LoginProvider, x.ProviderKey });
                    table.ForeignKey(
                        name: "FK_AspNetUserLogins_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserRoles",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false),
                    RoleId = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserRoles", x => new { x.UserId, x.RoleId });
                    table.ForeignKey(
                        name: "FK_AspNetUserRoles_AspNetRoles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "AspNetRoles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AspNetUserRoles_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserTokens",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false),
                    LoginProvider = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Value = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserTokens", x => new { x.UserId, x.LoginProvider, x.Name });
                    table.ForeignKey(
                        name: "FK_AspNetUserTokens_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FineTuneCheckpoints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    JobId = table.Column<int>(type: "integer", nullable: false),
                    ExternalId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    ModelName = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Step = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    TrainLoss = table.Column<double>(type: "double precision", nullable: true),
                    TrainAccuracy = table.Column<double>(type: "double precision", nullable: true),
                    ValidLoss = table.Column<double>(type: "double precision", nullable: true),
                    ValidAccuracy = table.Column<double>(type: "double precision", nullable: true),
                    FullValidLoss = table.Column<double>(type: "double precision", nullable: true),
                    FullValidAccuracy = table.Column<double>(type: "double precision", nullable: true),
                    ParametersJson = table.Column<string>(type: "text", nullable: true),
                    EvaluationJson = table.Column<string>(type: "text", nullable: true)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    JobId = table.Column<int>(type: "integer", nullable: false),
                    ExternalId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Level = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Message = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Step = table.Column<int>(type: "integer", nullable: true),
                    TrainLoss = table.Column<double>(type: "double precision", nullable: true),
                    ValidLoss = table.Column<double>(type: "double precision", nullable: true),
                    TrainAccuracy = table.Column<double>(type: "double precision", nullable: true),
                    ValidAccuracy = table.Column<double>(type: "double precision", nullable: true)
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

            migrationBuilder.CreateTable(
                name: "Briefs",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OwnerId = table.Column<string>(type: "text", nullable: false),
                    Brand = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CampaignName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Budget = table.Column<decimal>(type: "numeric", nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    MarketCode = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Objective = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    AgeMin = table.Column<int>(type: "integer", nullable: false),
                    AgeMax = table.Column<int>(type: "integer", nullable: false),
                    Gender = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    Interests = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    FlightStart = table.Column<DateOnly>(type: "date", nullable: false),
                    FlightEnd = table.Column<DateOnly>(type: "date", nullable: false),
                    Channels = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Kpis = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    KpiReachPercent = table.Column<double>(type: "double precision", nullable: true),
                    KpiFrequency = table.Column<double>(type: "double precision", nullable: true),
                    KpiCpc = table.Column<decimal>(type: "numeric", nullable: true),
                    KpiCpa = table.Column<decimal>(type: "numeric", nullable: true),
                    KpiCtrPercent = table.Column<double>(type: "double precision", nullable: true),
                    EffectiveFrequency = table.Column<int>(type: "integer", nullable: false, defaultValue: 3),
                    Flighting = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    FlightingWeeks = table.Column<string>(type: "character varying(160)", maxLength: 160, nullable: false),
                    BriefText = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Briefs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Briefs_AspNetUsers_OwnerId",
                        column: x => x.OwnerId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Briefs_Markets_MarketCode",
                        column: x => x.MarketCode,
                        principalTable: "Markets",
                        principalColumn: "Code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Plans",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    BriefId = table.Column<int>(type: "integer", nullable: false),
                    RunId = table.Column<Guid>(type: "uuid", nullable: false),
                    Ordinal = table.Column<int>(type: "integer", nullable: false),
                    Provider = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    StrategyName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    PlanJson = table.Column<string>(type: "text", nullable: false),
                    QualityScore = table.Column<double>(type: "double precision", nullable: false),
                    QualityJson = table.Column<string>(type: "text", nullable: false),
                    LatencyMs = table.Column<double>(type: "double precision", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedById = table.Column<string>(type: "text", nullable: false),
                    ChosenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Role = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    InputTokens = table.Column<int>(type: "integer", nullable: false),
                    OutputTokens = table.Column<int>(type: "integer", nullable: false),
                    Cost = table.Column<decimal>(type: "numeric", nullable: false),
                    OriginalPlanId = table.Column<int>(type: "integer", nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false, defaultValue: 1)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Plans", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Plans_Briefs_BriefId",
                        column: x => x.BriefId,
                        principalTable: "Briefs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Plans_Plans_OriginalPlanId",
                        column: x => x.OriginalPlanId,
                        principalTable: "Plans",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TrainingExamples",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Source = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    BriefId = table.Column<int>(type: "integer", nullable: true),
                    PlanId = table.Column<int>(type: "integer", nullable: true),
                    ImportRunId = table.Column<int>(type: "integer", nullable: true),
                    Model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Objective = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    MarketCode = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true),
                    Brand = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    MessagesJson = table.Column<string>(type: "text", nullable: false),
                    ContentHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    DuplicateOfId = table.Column<int>(type: "integer", nullable: true),
                    TokenCount = table.Column<int>(type: "integer", nullable: false),
                    HasErrors = table.Column<bool>(type: "boolean", nullable: false),
                    IssuesJson = table.Column<string>(type: "text", nullable: false),
                    QualityScore = table.Column<double>(type: "double precision", nullable: true),
                    Ctr = table.Column<double>(type: "double precision", nullable: true),
                    ConversionRate = table.Column<double>(type: "double precision", nullable: true),
                    DeliveredSpend = table.Column<decimal>(type: "numeric", nullable: true),
                    ResultsRecordedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedById = table.Column<string>(type: "text", nullable: true),
                    ReviewedById = table.Column<string>(type: "text", nullable: true),
                    ReviewedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RejectionReason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    EditedById = table.Column<string>(type: "text", nullable: true),
                    EditedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PlannerEdited = table.Column<bool>(type: "boolean", nullable: false),
                    Version = table.Column<Guid>(type: "uuid", nullable: false)
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
                        name: "FK_TrainingExamples_ImportRuns_ImportRunId",
                        column: x => x.ImportRunId,
                        principalTable: "ImportRuns",
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
                table: "Benchmarks",
                columns: new[] { "Id", "AsOf", "Channel", "ConversionRate", "Cpm", "CpmHigh", "CpmLow", "Ctr", "Format", "ReachAtOneImpressionPerPerson", "ReachSource", "Source", "UniverseShare" },
                values: new object[,]
                {
                    { 1, new DateOnly(2024, 1, 1), "Search", 0.037499999999999999, 38m, 60m, 20m, 0.031699999999999999, "Paid search text ads", 0.45000000000000001, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CTR and conversion rate: WordStream Google Ads benchmarks (2018); CPM: ad-calc.com (2024)", 0.84999999999999998 },
                    { 2, new DateOnly(2022, 1, 1), "Display", 0.0077000000000000002, 2.27m, 5m, 1.50m, 0.0045999999999999999, "Programmatic display banners", 0.5, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022); CTR and conversion rate: WordStream display benchmarks (2018)", 0.94999999999999996 },
                    { 3, new DateOnly(2024, 1, 1), "Social", 0.092100000000000001, 7m, 12m, 4m, 0.0089999999999999993, "Facebook / Instagram feed", 0.55000000000000004, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: ad-calc.com (2024); CTR and conversion rate: WordStream Facebook benchmarks", 0.75 },
                    { 4, new DateOnly(2022, 1, 1), "OnlineVideo", 0.0050000000000000001, 10m, 15m, 6m, 0.0064999999999999997, "YouTube in-stream video", 0.5, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022) and ad-calc.com (2024); CTR: WordStream; conversion rate: MediaPlanner assumption (display-like, 0.5%)", 0.84999999999999998 },
                    { 5, new DateOnly(2022, 1, 1), "ConnectedTv", null, 30m, 40m, 20m, null, "CTV / OTT :30", 0.55000000000000004, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022); range: adwave Q1 2025", 0.69999999999999996 },
                    { 6, new DateOnly(2022, 1, 1), "Radio", null, 6.75m, 10m, 4m, null, "Radio :30 spot", 0.45000000000000001, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022)", 0.80000000000000004 },
                    { 7, new DateOnly(2022, 1, 1), "Podcast", null, 23.33m, 30m, 15m, null, "Podcast 60s host read", 0.40000000000000002, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022)", 0.40000000000000002 },
                    { 8, new DateOnly(2022, 1, 1), "OutOfHome", null, 2.18m, 3.50m, 1.50m, null, "Static billboards", 0.59999999999999998, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022)", 0.90000000000000002 },
                    { 9, new DateOnly(2022, 1, 1), "OutOfHome", null, 7.50m, 11m, 5m, null, "Digital OOH screens", 0.55000000000000004, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022)", 0.84999999999999998 },
                    { 10, new DateOnly(2022, 1, 1), "LinearTv", null, 36m, 50m, 25m, null, "Prime-time broadcast :30", 0.59999999999999998, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022)", 0.75 },
                    { 11, new DateOnly(2022, 1, 1), "LinearTv", null, 15.50m, 19m, 12m, null, "Cable :30", 0.5, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022) (cable 12–19)", 0.80000000000000004 },
                    { 12, new DateOnly(2022, 1, 1), "Print", null, 46.82m, 60m, 30m, null, "Newspaper display ad", 0.5, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022)", 0.34999999999999998 }
                });

            migrationBuilder.InsertData(
                table: "Currencies",
                columns: new[] { "Code", "AsOf", "Name", "Source", "UnitsPerUsd" },
                values: new object[,]
                {
                    { "AUD", new DateOnly(2024, 6, 1), "Australian dollar", "ECB reference rates cross, June 2024 (rounded)", 1.50m },
                    { "CAD", new DateOnly(2024, 6, 1), "Canadian dollar", "ECB reference rates cross, June 2024 (rounded)", 1.37m },
                    { "EUR", new DateOnly(2024, 6, 1), "Euro", "ECB euro reference rate, June 2024 (rounded)", 0.93m },
                    { "GBP", new DateOnly(2024, 6, 1), "Pound sterling", "ECB reference rates cross, June 2024 (rounded)", 0.79m },
                    { "USD", new DateOnly(2024, 6, 1), "US dollar", "Base currency", 1m }
                });

            migrationBuilder.InsertData(
                table: "Markets",
                columns: new[] { "Code", "AdultPopulation", "DefaultCurrency", "Name", "Source", "Year" },
                values: new object[,]
                {
                    { "AU", 19900000L, "AUD", "Australia", "ABS 2021 Census, 18 and over (rounded)", 2021 },
                    { "CA", 30300000L, "CAD", "Canada", "Statistics Canada, 2021 Census, 18 and over (rounded)", 2021 },
                    { "DE", 69400000L, "EUR", "Germany", "Destatis population 2021, 18 and over (rounded)", 2021 },
                    { "FR", 52700000L, "EUR", "France", "INSEE population estimates 2022, 18 and over (rounded)", 2022 },
                    { "GB", 53000000L, "GBP", "United Kingdom", "ONS mid-2020 population estimates, 18 and over (rounded)", 2020 },
                    { "US", 258343281L, "USD", "United States", "US Census Bureau, 2020 Census, population 18 and over", 2020 }
                });

            migrationBuilder.InsertData(
                table: "ModelPrices",
                columns: new[] { "Model", "Provider", "AsOf", "InputPerMillion", "OutputPerMillion", "Source", "TrainingPerMillion" },
                values: new object[,]
                {
                    { "gpt-3.5-turbo-0125", "", new DateOnly(2024, 1, 25), 0.50m, 1.50m, "OpenAI pricing page (base model; training per 1M tokens)", 8.00m },
                    { "gpt-4o-2024-08-06", "", new DateOnly(2024, 8, 6), 2.50m, 10.00m, "OpenAI pricing page (base model; training per 1M tokens)", 25.00m },
                    { "gpt-4o-mini-2024-07-18", "", new DateOnly(2024, 7, 18), 0.15m, 0.60m, "OpenAI pricing page (base model; training per 1M tokens)", 3.00m },
                    { "local-mix-v1", "", new DateOnly(2026, 11, 24), 0m, 0m, "Built-in offline planner: no charge", 0m }
                });

            migrationBuilder.CreateIndex(
                name: "IX_AspNetRoleClaims_RoleId",
                table: "AspNetRoleClaims",
                column: "RoleId");

            migrationBuilder.CreateIndex(
                name: "RoleNameIndex",
                table: "AspNetRoles",
                column: "NormalizedName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserClaims_UserId",
                table: "AspNetUserClaims",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserLogins_UserId",
                table: "AspNetUserLogins",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserRoles_RoleId",
                table: "AspNetUserRoles",
                column: "RoleId");

            migrationBuilder.CreateIndex(
                name: "EmailIndex",
                table: "AspNetUsers",
                column: "NormalizedEmail");

            migrationBuilder.CreateIndex(
                name: "UserNameIndex",
                table: "AspNetUsers",
                column: "NormalizedUserName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_Action",
                table: "AuditEntries",
                column: "Action");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_At",
                table: "AuditEntries",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_UserId",
                table: "AuditEntries",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_Benchmarks_Channel_Format",
                table: "Benchmarks",
                columns: new[] { "Channel", "Format" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Briefs_CreatedAt",
                table: "Briefs",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Briefs_MarketCode",
                table: "Briefs",
                column: "MarketCode");

            migrationBuilder.CreateIndex(
                name: "IX_Briefs_OwnerId_CreatedAt",
                table: "Briefs",
                columns: new[] { "OwnerId", "CreatedAt" });

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

            migrationBuilder.CreateIndex(
                name: "IX_ImportRuns_StartedAt",
                table: "ImportRuns",
                column: "StartedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ImportRuns_Status",
                table: "ImportRuns",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_ModelCalls_CreatedAt",
                table: "ModelCalls",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ModelCalls_Model_CreatedAt",
                table: "ModelCalls",
                columns: new[] { "Model", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ModelCalls_UserId_CreatedAt",
                table: "ModelCalls",
                columns: new[] { "UserId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ModelDeployments_DeployedAt",
                table: "ModelDeployments",
                column: "DeployedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Plans_BriefId_CreatedAt",
                table: "Plans",
                columns: new[] { "BriefId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Plans_OriginalPlanId",
                table: "Plans",
                column: "OriginalPlanId");

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

            migrationBuilder.CreateIndex(
                name: "IX_ProviderModels_ProviderKey_ModelId",
                table: "ProviderModels",
                columns: new[] { "ProviderKey", "ModelId" },
                unique: true);

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
                name: "IX_TrainingExamples_ImportRunId",
                table: "TrainingExamples",
                column: "ImportRunId");

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

            PostgresSql.AuditAppendOnly(migrationBuilder);
            PostgresSql.DuplicateOfDeferrable(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            PostgresSql.DropAuditAppendOnly(migrationBuilder);
            migrationBuilder.DropTable(
                name: "AppSettings");

            migrationBuilder.DropTable(
                name: "AspNetRoleClaims");

            migrationBuilder.DropTable(
                name: "AspNetUserClaims");

            migrationBuilder.DropTable(
                name: "AspNetUserLogins");

            migrationBuilder.DropTable(
                name: "AspNetUserRoles");

            migrationBuilder.DropTable(
                name: "AspNetUserTokens");

            migrationBuilder.DropTable(
                name: "AuditEntries");

            migrationBuilder.DropTable(
                name: "Benchmarks");

            migrationBuilder.DropTable(
                name: "Currencies");

            migrationBuilder.DropTable(
                name: "FineTuneCheckpoints");

            migrationBuilder.DropTable(
                name: "FineTuneEvents");

            migrationBuilder.DropTable(
                name: "ModelCalls");

            migrationBuilder.DropTable(
                name: "ModelDeployments");

            migrationBuilder.DropTable(
                name: "ModelPrices");

            migrationBuilder.DropTable(
                name: "PreferencePairs");

            migrationBuilder.DropTable(
                name: "ProviderModels");

            migrationBuilder.DropTable(
                name: "ProviderProfiles");

            migrationBuilder.DropTable(
                name: "TrainingExamples");

            migrationBuilder.DropTable(
                name: "AspNetRoles");

            migrationBuilder.DropTable(
                name: "FineTuneJobs");

            migrationBuilder.DropTable(
                name: "ImportRuns");

            migrationBuilder.DropTable(
                name: "Plans");

            migrationBuilder.DropTable(
                name: "Briefs");

            migrationBuilder.DropTable(
                name: "AspNetUsers");

            migrationBuilder.DropTable(
                name: "Markets");
        }
    }
}
