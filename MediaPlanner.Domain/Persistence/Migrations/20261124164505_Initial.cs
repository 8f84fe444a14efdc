using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace MediaPlanner.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AspNetRoles",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    NormalizedName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    ConcurrencyStamp = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetRoles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUsers",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", nullable: true),
                    UserName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    NormalizedUserName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Email = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    NormalizedEmail = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    EmailConfirmed = table.Column<bool>(type: "INTEGER", nullable: false),
                    PasswordHash = table.Column<string>(type: "TEXT", nullable: true),
                    SecurityStamp = table.Column<string>(type: "TEXT", nullable: true),
                    ConcurrencyStamp = table.Column<string>(type: "TEXT", nullable: true),
                    PhoneNumber = table.Column<string>(type: "TEXT", nullable: true),
                    PhoneNumberConfirmed = table.Column<bool>(type: "INTEGER", nullable: false),
                    TwoFactorEnabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    LockoutEnd = table.Column<long>(type: "INTEGER", nullable: true),
                    LockoutEnabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    AccessFailedCount = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUsers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Benchmarks",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Format = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Cpm = table.Column<double>(type: "REAL", nullable: false),
                    CpmLow = table.Column<double>(type: "REAL", nullable: false),
                    CpmHigh = table.Column<double>(type: "REAL", nullable: false),
                    Ctr = table.Column<double>(type: "REAL", nullable: true),
                    ConversionRate = table.Column<double>(type: "REAL", nullable: true),
                    UniverseShare = table.Column<double>(type: "REAL", nullable: false),
                    ReachAtOneImpressionPerPerson = table.Column<double>(type: "REAL", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    ReachSource = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    AsOf = table.Column<DateOnly>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Benchmarks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Currencies",
                columns: table => new
                {
                    Code = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    UnitsPerUsd = table.Column<double>(type: "REAL", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    AsOf = table.Column<DateOnly>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Currencies", x => x.Code);
                });

            migrationBuilder.CreateTable(
                name: "Markets",
                columns: table => new
                {
                    Code = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    AdultPopulation = table.Column<long>(type: "INTEGER", nullable: false),
                    DefaultCurrency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Year = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Markets", x => x.Code);
                });

            migrationBuilder.CreateTable(
                name: "AspNetRoleClaims",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RoleId = table.Column<string>(type: "TEXT", nullable: false),
                    ClaimType = table.Column<string>(type: "TEXT", nullable: true),
                    ClaimValue = table.Column<string>(type: "TEXT", nullable: true)
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
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    ClaimType = table.Column<string>(type: "TEXT", nullable: true),
                    ClaimValue = table.Column<string>(type: "TEXT", nullable: true)
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
                    LoginProvider = table.Column<string>(type: "TEXT", nullable: false),
                    ProviderKey = table.Column<string>(type: "TEXT", nullable: false),
                    ProviderDisplayName = table.Column<string>(type: "TEXT", nullable: true),
                    UserId = table.Column<string>(type: "TEXT", nullable: false)
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
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    RoleId = table.Column<string>(type: "TEXT", nullable: false)
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
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    LoginProvider = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Value = table.Column<string>(type: "TEXT", nullable: true)
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
                name: "Briefs",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OwnerId = table.Column<string>(type: "TEXT", nullable: false),
                    Brand = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CampaignName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Budget = table.Column<double>(type: "REAL", nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    MarketCode = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Objective = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    AgeMin = table.Column<int>(type: "INTEGER", nullable: false),
                    AgeMax = table.Column<int>(type: "INTEGER", nullable: false),
                    Gender = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Interests = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    FlightStart = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    FlightEnd = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Channels = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Kpis = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    BriefText = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
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
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BriefId = table.Column<int>(type: "INTEGER", nullable: false),
                    RunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Ordinal = table.Column<int>(type: "INTEGER", nullable: false),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    StrategyName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    PlanJson = table.Column<string>(type: "TEXT", nullable: false),
                    QualityScore = table.Column<double>(type: "REAL", nullable: false),
                    QualityJson = table.Column<string>(type: "TEXT", nullable: false),
                    LatencyMs = table.Column<double>(type: "REAL", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedById = table.Column<string>(type: "TEXT", nullable: false)
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
                });

            migrationBuilder.InsertData(
                table: "Benchmarks",
                columns: new[] { "Id", "AsOf", "Channel", "ConversionRate", "Cpm", "CpmHigh", "CpmLow", "Ctr", "Format", "ReachAtOneImpressionPerPerson", "ReachSource", "Source", "UniverseShare" },
                values: new object[,]
                {
                    { 1, new DateOnly(2024, 1, 1), "Search", 0.037499999999999999, 38.0, 60.0, 20.0, 0.031699999999999999, "Paid search text ads", 0.45000000000000001, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CTR and conversion rate: WordStream Google Ads benchmarks (2018); CPM: ad-calc.com (2024)", 0.84999999999999998 },
                    { 2, new DateOnly(2022, 1, 1), "Display", 0.0077000000000000002, 2.27, 5.0, 1.5, 0.0045999999999999999, "Programmatic display banners", 0.5, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022); CTR and conversion rate: WordStream display benchmarks (2018)", 0.94999999999999996 },
                    { 3, new DateOnly(2024, 1, 1), "Social", 0.092100000000000001, 7.0, 12.0, 4.0, 0.0089999999999999993, "Facebook / Instagram feed", 0.55000000000000004, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: ad-calc.com (2024); CTR and conversion rate: WordStream Facebook benchmarks", 0.75 },
                    { 4, new DateOnly(2022, 1, 1), "OnlineVideo", 0.0050000000000000001, 10.0, 15.0, 6.0, 0.0064999999999999997, "YouTube in-stream video", 0.5, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022) and ad-calc.com (2024); CTR: WordStream; conversion rate: MediaPlanner assumption (display-like, 0.5%)", 0.84999999999999998 },
                    { 5, new DateOnly(2022, 1, 1), "ConnectedTv", null, 30.0, 40.0, 20.0, null, "CTV / OTT :30", 0.55000000000000004, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022); range: adwave Q1 2025", 0.69999999999999996 },
                    { 6, new DateOnly(2022, 1, 1), "Radio", null, 6.75, 10.0, 4.0, null, "Radio :30 spot", 0.45000000000000001, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022)", 0.80000000000000004 },
                    { 7, new DateOnly(2022, 1, 1), "Podcast", null, 23.329999999999998, 30.0, 15.0, null, "Podcast 60s host read", 0.40000000000000002, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022)", 0.40000000000000002 },
                    { 8, new DateOnly(2022, 1, 1), "OutOfHome", null, 2.1800000000000002, 3.5, 1.5, null, "Static billboards", 0.59999999999999998, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022)", 0.90000000000000002 },
                    { 9, new DateOnly(2022, 1, 1), "OutOfHome", null, 7.5, 11.0, 5.0, null, "Digital OOH screens", 0.55000000000000004, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022)", 0.84999999999999998 },
                    { 10, new DateOnly(2022, 1, 1), "LinearTv", null, 36.0, 50.0, 25.0, null, "Prime-time broadcast :30", 0.59999999999999998, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022)", 0.75 },
                    { 11, new DateOnly(2022, 1, 1), "LinearTv", null, 15.5, 19.0, 12.0, null, "Cable :30", 0.5, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022) (cable 12–19)", 0.80000000000000004 },
                    { 12, new DateOnly(2022, 1, 1), "Print", null, 46.82, 60.0, 30.0, null, "Newspaper display ad", 0.5, "MediaPlanner default: Goerg (2014) one-point reach model, calibrated by assumption (2026-11)", "CPM: Solomon Partners for OAAA, media CPM comparison (Jan 2022)", 0.34999999999999998 }
                });

            migrationBuilder.InsertData(
                table: "Currencies",
                columns: new[] { "Code", "AsOf", "Name", "Source", "UnitsPerUsd" },
                values: new object[,]
                {
                    { "AUD", new DateOnly(2024, 6, 1), "Australian dollar", "ECB reference rates cross, June 2024 (rounded)", 1.5 },
                    { "CAD", new DateOnly(2024, 6, 1), "Canadian dollar", "ECB reference rates cross, June 2024 (rounded)", 1.3700000000000001 },
                    { "EUR", new DateOnly(2024, 6, 1), "Euro", "ECB euro reference rate, June 2024 (rounded)", 0.93000000000000005 },
                    { "GBP", new DateOnly(2024, 6, 1), "Pound sterling", "ECB reference rates cross, June 2024 (rounded)", 0.79000000000000004 },
                    { "USD", new DateOnly(2024, 6, 1), "US dollar", "Base currency", 1.0 }
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
                name: "IX_Plans_BriefId_CreatedAt",
                table: "Plans",
                columns: new[] { "BriefId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
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
                name: "Benchmarks");

            migrationBuilder.DropTable(
                name: "Currencies");

            migrationBuilder.DropTable(
                name: "Plans");

            migrationBuilder.DropTable(
                name: "AspNetRoles");

            migrationBuilder.DropTable(
                name: "Briefs");

            migrationBuilder.DropTable(
                name: "AspNetUsers");

            migrationBuilder.DropTable(
                name: "Markets");
        }
    }
}
