using System.Globalization;
using System.Text;
using ClosedXML.Excel;
using MediaPlanner.Domain.Briefs;
using MediaPlanner.Domain.Planning;
using MediaPlanner.Tests.Infrastructure;

namespace MediaPlanner.Tests.Planning;

public class PlanExporterTests
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private static MediaPlan Plan() => TestData.Plans(TestData.Request(TestData.Brief(budget: 12_345.67m, channels: Enum.GetValues<Channel>())))[1];

    /// <summary>RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private static List<List<string>> ParseCsv(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var k = 0; k < text.Length; k++)
        {
            var ch = text[k];
            if (quoted)
            {
                if (ch == '"' && k + 1 < text.Length && text[k + 1] == '"') { field.Append('"'); k++; }
                else if (ch == '"') quoted = false;
                else field.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (ch is '\n' or '\r')
            {
                if (ch == '\r' && k + 1 < text.Length && text[k + 1] == '\n') k++;
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else field.Append(ch);
        }
        Assert.False(quoted, "an unterminated quoted field");
        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }
        return rows;
    }

    // ---- CSV ----

    [Fact]
    public void Csv_has_a_header_one_row_per_line_item_and_a_total_row()
    {
        var plan = Plan();

        var rows = ParseCsv(PlanExporter.ToCsv(plan));

        Assert.Equal(plan.LineItems.Count + 2, rows.Count);
        Assert.Equal(["Channel", "Format", "Spend", "Share %", "CPM", "Impressions", "Clicks", "Reach", "Reach %", "Frequency", "Rationale"], rows[0]);
        Assert.All(rows, r => Assert.Equal(11, r.Count));
        for (var k = 0; k < plan.LineItems.Count; k++)
        {
            var item = plan.LineItems[k];
            var row = rows[k + 1];
            Assert.Equal(item.Channel.Display(), row[0]);
            Assert.Equal(item.Format, row[1]);
            Assert.Equal(item.Spend, decimal.Parse(row[2], C));
            Assert.Equal(item.Impressions, long.Parse(row[5], C));
            Assert.Equal(item.Reach, long.Parse(row[7], C));
            Assert.Equal(item.Rationale, row[10]);
        }
        var total = rows[^1];
        Assert.Equal("Total", total[0]);
        Assert.Equal(plan.Budget, decimal.Parse(total[2], C));
        Assert.Equal(plan.LineItems.Sum(i => i.Spend), decimal.Parse(total[2], C));
        Assert.Equal(plan.Totals.Impressions, long.Parse(total[5], C));
    }

    [Fact]
    public void Csv_starts_with_a_utf8_byte_order_mark_so_excel_reads_accents()
    {
        var bytes = PlanExporter.ToCsv(Plan() with { Brand = "Café Løvland" });

        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example\",\"Click\")")]
    [InlineData("=1+1")]
    [InlineData("+cmd|' /C calc'!A0")]
    [InlineData("-2+3")]
    [InlineData("@SUM(A1:A9)")]
    [InlineData("\t=1+1")]
    public void Csv_defuses_formula_looking_text_with_a_leading_apostrophe(string text)
    {
        var plan = Plan();
        var bad = plan with
        {
            StrategyName = text,
            LineItems = [plan.LineItems[0] with { Format = text, Rationale = text }, .. plan.LineItems.Skip(1)],
        };

        var rows = ParseCsv(PlanExporter.ToCsv(bad));

        Assert.Equal("'" + text, rows[1][1]);
        Assert.Equal("'" + text, rows[1][10]);
        Assert.StartsWith("'" + text, rows[^1][10], StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_leaves_negative_numbers_alone()
    {
        var plan = Plan();
        var odd = plan with { LineItems = [plan.LineItems[0] with { Clicks = -3 }, .. plan.LineItems.Skip(1)] };

        Assert.Equal("-3", ParseCsv(PlanExporter.ToCsv(odd))[1][6]);
    }

    [Fact]
    public void Csv_quotes_fields_with_commas_quotes_and_line_breaks()
    {
        var plan = Plan();
        const string format = "Feed, \"premium\" placements\nmobile";
        var odd = plan with { LineItems = [plan.LineItems[0] with { Format = format }, .. plan.LineItems.Skip(1)] };

        var csv = Encoding.UTF8.GetString(PlanExporter.ToCsv(odd));
        var rows = ParseCsv(PlanExporter.ToCsv(odd));

        Assert.Contains("\"Feed, \"\"premium\"\" placements\nmobile\"", csv, StringComparison.Ordinal);
        Assert.Equal(plan.LineItems.Count + 2, rows.Count);
        Assert.Equal(format, rows[1][1]);
        Assert.Equal(plan.LineItems[0].Spend, decimal.Parse(rows[1][2], C));
    }

    // ---- Excel ----

    private static (IXLWorksheet Sheet, int HeaderRow) OpenPlanSheet(XLWorkbook workbook)
    {
        var sheet = workbook.Worksheet("Plan");
        var header = sheet.Column(1).CellsUsed().Single(c => c.GetString() == "Channel").Address.RowNumber;
        return (sheet, header);
    }

    private static int Column(IXLWorksheet sheet, int headerRow, string name) =>
        sheet.Row(headerRow).CellsUsed().Single(c => c.GetString() == name).Address.ColumnNumber;

    [Fact]
    public void Excel_workbook_holds_each_line_items_spend_in_its_row_and_the_total_below()
    {
        var plan = Plan();

        using var workbook = new XLWorkbook(new MemoryStream(PlanExporter.ToExcel(plan, 91.2)));
        var (sheet, header) = OpenPlanSheet(workbook);
        var spendColumn = Column(sheet, header, "Spend");
        var formatColumn = Column(sheet, header, "Format");
        var impressionsColumn = Column(sheet, header, "Impressions");

        for (var k = 0; k < plan.LineItems.Count; k++)
        {
            var item = plan.LineItems[k];
            var row = header + 1 + k;
            Assert.Equal(item.Channel.Display(), sheet.Cell(row, 1).GetString());
            Assert.Equal(item.Format, sheet.Cell(row, formatColumn).GetString());
            Assert.Equal(item.Spend, sheet.Cell(row, spendColumn).GetValue<decimal>());
            Assert.Equal(item.Impressions, sheet.Cell(row, impressionsColumn).GetValue<long>());
        }
        var totalRow = header + 1 + plan.LineItems.Count;
        Assert.Equal("Total", sheet.Cell(totalRow, 1).GetString());
        Assert.Equal(plan.Budget, sheet.Cell(totalRow, spendColumn).GetValue<decimal>());
        Assert.Contains(sheet.Column(2).CellsUsed(), c => c.GetString() == "91.2 / 100");
    }

    [Fact]
    public void Excel_workbook_has_an_assumptions_sheet_listing_every_assumption()
    {
        var plan = Plan();

        using var workbook = new XLWorkbook(new MemoryStream(PlanExporter.ToExcel(plan)));

        Assert.True(workbook.TryGetWorksheet("Assumptions", out var sheet));
        var listed = sheet.Column(1).CellsUsed().Select(c => c.GetString()).Skip(1).ToList();
        Assert.Equal(plan.Assumptions, listed);
    }

    [Fact]
    public void Excel_workbook_stores_formula_looking_text_as_text()
    {
        var plan = Plan();
        const string formula = "=HYPERLINK(\"http://evil.example\",\"Click\")";
        var bad = plan with
        {
            Brand = formula,
            Rationale = formula,
            LineItems = [plan.LineItems[0] with { Format = formula, Rationale = formula }, .. plan.LineItems.Skip(1)],
            Assumptions = [formula],
        };

        using var workbook = new XLWorkbook(new MemoryStream(PlanExporter.ToExcel(bad, basis: PlanBasis.From(TestData.Request()))));

        Assert.True(workbook.TryGetWorksheet("Flowchart", out _));
        var cells = workbook.Worksheets.SelectMany(s => s.CellsUsed()).ToList();
        Assert.DoesNotContain(cells, c => c.HasFormula);
        Assert.Contains(cells, c => c.GetString() == formula);
    }

    // ---- Flowchart and Reach curve sheets ----

    private static (MediaPlan Plan, PlanBasis Basis) PulsedPlan()
    {
        var brief = TestData.Brief(budget: 12_345.67m, channels: Enum.GetValues<Channel>());
        brief.Flighting = FlightingPattern.Pulsed;
        brief.FlightStart = new DateOnly(2027, 3, 3);
        var request = TestData.Request(brief);
        return (TestData.Plans(request)[1], PlanBasis.From(request));
    }

    private static string Title(IXLWorksheet sheet, string label) =>
        sheet.Column(1).CellsUsed().Single(c => c.GetString() == label).CellRight().GetString();

    [Fact]
    public void Excel_flowchart_sheet_has_the_title_block_week_columns_and_the_spread_of_every_line()
    {
        var (plan, basis) = PulsedPlan();
        var chart = Flighting.For(plan, basis);

        using var workbook = new XLWorkbook(new MemoryStream(PlanExporter.ToExcel(plan, 88, basis)));
        var sheet = workbook.Worksheet("Flowchart");

        Assert.Equal(plan.Brand, Title(sheet, "Brand"));
        Assert.Equal(plan.CampaignName, Title(sheet, "Campaign"));
        Assert.Equal(plan.Market, Title(sheet, "Market"));
        Assert.Equal("03 Mar 2027 – 11 Apr 2027 (6 weeks)", Title(sheet, "Flight"));
        Assert.Equal("USD", Title(sheet, "Currency"));
        Assert.StartsWith("Pulsed: 2 weeks on, 1 off", Title(sheet, "Flighting"), StringComparison.Ordinal);
        var budget = sheet.Column(1).CellsUsed().Single(c => c.GetString() == "Budget").CellRight();
        Assert.Equal(plan.Budget, budget.GetValue<decimal>());
        Assert.Contains("USD", budget.Style.NumberFormat.Format, StringComparison.Ordinal);

        var header = sheet.Column(1).CellsUsed().Single(c => c.GetString() == "Channel").Address.RowNumber;
        Assert.Equal(["Channel", "Format", "Spend", "Impressions"], Enumerable.Range(1, 4).Select(c => sheet.Cell(header, c).GetString()));
        Assert.Equal(chart.Weeks.Select(w => w.Commencing.ToDateTime(TimeOnly.MinValue)),
            chart.Weeks.Select(w => sheet.Cell(header, 5 + w.Index).GetDateTime()));
        Assert.Equal("Mar 2027", sheet.Cell(header - 1, 5).GetString());
        Assert.Equal("Apr 2027", sheet.Cell(header - 1, 5 + chart.Weeks.First(w => w.Commencing.Month == 4).Index).GetString());
        Assert.Equal("110111", new string(chart.Weeks.Select(w => w.On ? '1' : '0').ToArray()));
        foreach (var line in chart.Lines)
        {
            var row = header + 1 + line.Index;
            Assert.Equal(line.Channel.Display(), sheet.Cell(row, 1).GetString());
            Assert.Equal(line.Format, sheet.Cell(row, 2).GetString());
            Assert.Equal(line.Spend, sheet.Cell(row, 3).GetValue<decimal>());
            Assert.Equal(line.Impressions, sheet.Cell(row, 4).GetValue<long>());
            foreach (var week in chart.Weeks)
            {
                var cell = sheet.Cell(row, 5 + week.Index);
                Assert.Equal(line.WeekSpend[week.Index], cell.GetValue<decimal>());
                Assert.Equal(week.On ? "C5CAE9" : "F2F2F2", cell.Style.Fill.BackgroundColor.Color.ToArgb().ToString("X8")[2..]);
            }
        }
        var total = header + 1 + chart.Lines.Count;
        Assert.Equal("Total", sheet.Cell(total, 1).GetString());
        Assert.Equal(plan.Totals.Spend, sheet.Cell(total, 3).GetValue<decimal>());
        Assert.Equal(plan.Totals.Impressions, sheet.Cell(total, 4).GetValue<long>());
        Assert.Equal(chart.WeekSpend, chart.Weeks.Select(w => sheet.Cell(total, 5 + w.Index).GetValue<decimal>()));
        Assert.Equal(0m, sheet.Cell(total, 5 + 2).GetValue<decimal>());
        Assert.Equal(chart.WeekImpressions, chart.Weeks.Select(w => sheet.Cell(total + 1, 5 + w.Index).GetValue<long>()));
    }

    [Fact]
    public void Excel_flowchart_is_frozen_at_the_weeks_and_prints_landscape_one_page_wide()
    {
        var (plan, basis) = PulsedPlan();

        using var workbook = new XLWorkbook(new MemoryStream(PlanExporter.ToExcel(plan, basis: basis)));
        var sheet = workbook.Worksheet("Flowchart");

        var header = sheet.Column(1).CellsUsed().Single(c => c.GetString() == "Channel").Address.RowNumber;
        Assert.Equal(header, sheet.SheetView.SplitRow);
        Assert.Equal(4, sheet.SheetView.SplitColumn);
        Assert.Equal(XLPageOrientation.Landscape, sheet.PageSetup.PageOrientation);
        Assert.Equal(1, sheet.PageSetup.PagesWide);
        Assert.Equal(0, sheet.PageSetup.PagesTall);
    }

    [Fact]
    public void Excel_reach_curve_sheet_lists_fifteen_budget_levels_with_the_plans_row_matching_its_figures()
    {
        var (plan, basis) = PulsedPlan();
        var figures = PlanFigures.Of(plan, basis);

        using var workbook = new XLWorkbook(new MemoryStream(PlanExporter.ToExcel(plan, basis: basis)));
        var sheet = workbook.Worksheet("Reach curve");

        var header = sheet.Column(1).CellsUsed().Single(c => c.GetString() == "% of budget").Address.RowNumber;
        Assert.Equal($"Effective reach {basis.EffectiveFrequency}+ %", sheet.Cell(header, 4).GetString());
        var rows = Enumerable.Range(header + 1, 15).ToList();
        Assert.Equal(ReachCurve.Factors, rows.Select(r => sheet.Cell(r, 1).GetDouble()));
        Assert.True(sheet.Cell(header + 16, 1).IsEmpty());
        var planRow = Assert.Single(rows, r => sheet.Cell(r, 7).GetString() == "◀ this plan");
        Assert.Equal(1.0, sheet.Cell(planRow, 1).GetDouble());
        Assert.Equal(figures.Spend, sheet.Cell(planRow, 2).GetValue<decimal>());
        Assert.Equal(figures.ReachPercent / 100, sheet.Cell(planRow, 3).GetDouble(), 3);
        Assert.Equal(figures.EffectiveReachPercent / 100, sheet.Cell(planRow, 4).GetDouble(), 3);
        Assert.Equal(figures.AverageFrequency, sheet.Cell(planRow, 5).GetDouble(), 1);
        Assert.Equal(figures.Grp, sheet.Cell(planRow, 6).GetDouble(), 0);
        Assert.True(sheet.Cell(planRow, 1).Style.Font.Bold);

        var distribution = sheet.Column(1).CellsUsed().Single(c => c.GetString() == "Exposures").Address.RowNumber;
        foreach (var (bucket, k) in figures.Distribution.Select((b, k) => (b, k)))
        {
            Assert.Equal($"{bucket.AtLeast}+", sheet.Cell(distribution + 1 + k, 1).GetString());
            Assert.Equal(bucket.ReachPercent / 100, sheet.Cell(distribution + 1 + k, 2).GetDouble(), 6);
            Assert.Equal(bucket.People, sheet.Cell(distribution + 1 + k, 3).GetValue<long>());
        }
    }

    [Fact]
    public void Without_the_briefs_basis_the_workbook_keeps_its_plan_and_assumptions_sheets_only()
    {
        using var workbook = new XLWorkbook(new MemoryStream(PlanExporter.ToExcel(Plan())));

        Assert.Equal(["Plan", "Assumptions"], workbook.Worksheets.Select(s => s.Name));
    }

    // ---- file names ----

    [Theory]
    [InlineData("csv")]
    [InlineData("xlsx")]
    public void File_names_keep_only_letters_digits_and_single_dashes(string extension)
    {
        var plan = Plan() with { Brand = "Acme/..\\Co: <\"Run\"> |*?", CampaignName = "Spring  launch\r\n2027", StrategyName = "Reach-led" };

        var name = PlanExporter.FileName(plan, extension);

        Assert.EndsWith("." + extension, name, StringComparison.Ordinal);
        var stem = name[..^(extension.Length + 1)];
        Assert.All(stem, ch => Assert.True(char.IsLetterOrDigit(ch) || ch == '-', $"unsafe character '{ch}' in {name}"));
        Assert.DoesNotContain("--", stem, StringComparison.Ordinal);
        Assert.False(stem.StartsWith('-') || stem.EndsWith('-'));
        Assert.Equal("Acme-Co-Run-Spring-launch-2027-Reach-led", stem);
        Assert.Empty(name.Intersect(Path.GetInvalidFileNameChars()));
    }

    [Fact]
    public void File_names_are_cut_to_80_characters_before_the_extension()
    {
        var plan = Plan() with { Brand = new string('a', 300) };

        var name = PlanExporter.FileName(plan, "csv");

        Assert.Equal(new string('a', 80) + ".csv", name);
    }
}
