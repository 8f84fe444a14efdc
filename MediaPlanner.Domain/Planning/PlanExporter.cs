using System.Globalization;
using System.Text;
using ClosedXML.Excel;
using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Domain.Planning;

/// <summary>
/// Writes a plan as a client-ready Excel workbook or CSV file. Given the brief's <see cref="PlanBasis"/>, the workbook also
/// holds the plan's flowchart (<see cref="Flighting"/>) and its reach &amp; frequency curve (<see cref="ReachCurve"/>).
/// </summary>
public static class PlanExporter
{
    private static readonly string[] Columns =
        ["Channel", "Format", "Spend", "Share %", "CPM", "Impressions", "Clicks", "Reach", "Reach %", "Frequency", "Rationale"];

    public static string FileName(MediaPlan plan, string extension)
    {
        var raw = $"{plan.Brand} {plan.CampaignName} {plan.StrategyName}";
        var safe = new string(raw.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
        while (safe.Contains("--", StringComparison.Ordinal))
            safe = safe.Replace("--", "-", StringComparison.Ordinal);
        safe = safe.Trim('-');
        return $"{(safe.Length > 80 ? safe[..80] : safe)}.{extension}";
    }

    public static byte[] ToCsv(MediaPlan plan)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', Columns.Select(Cell)));
        foreach (var i in plan.LineItems)
        {
            sb.AppendLine(string.Join(',', new[]
            {
                i.Channel.Display(), i.Format, i.Spend.ToString("0.00", c), (i.Share * 100).ToString("0.00", c),
                i.Cpm.ToString("0.00", c), i.Impressions.ToString(c), i.Clicks.ToString(c), i.Reach.ToString(c),
                (i.Reach * 100.0 / Math.Max(1, plan.AudienceSize)).ToString("0.00", c), i.Frequency.ToString("0.00", c), i.Rationale,
            }.Select(Cell)));
        }
        var t = plan.Totals;
        sb.AppendLine(string.Join(',', new[]
        {
            "Total", "", t.Spend.ToString("0.00", c), "100.00", t.Ecpm.ToString("0.00", c), t.Impressions.ToString(c),
            t.Clicks.ToString(c), t.Reach.ToString(c), t.ReachPercent.ToString("0.00", c), t.AverageFrequency.ToString("0.00", c),
            $"{plan.StrategyName} plan, {plan.Currency}",
        }.Select(Cell)));
        return Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(sb.ToString())).ToArray();
    }

    public static byte[] ToExcel(MediaPlan plan, double? qualityScore = null, PlanBasis? basis = null)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.Worksheets.Add("Plan");
        var row = 1;
        sheet.Cell(row, 1).Value = $"{plan.Brand} — {plan.CampaignName}";
        sheet.Cell(row, 1).Style.Font.Bold = true;
        sheet.Cell(row, 1).Style.Font.FontSize = 14;
        row += 2;
        void Header(string label, object value)
        {
            sheet.Cell(row, 1).Value = label;
            sheet.Cell(row, 1).Style.Font.Bold = true;
            sheet.Cell(row, 2).SetValue(value.ToString());
            row++;
        }
        Header("Plan", plan.StrategyName);
        Header("Objective", plan.Objective.ToString());
        Header("Market", plan.Market);
        Header("Audience", $"{plan.Audience} ({plan.AudienceSize:N0} people)");
        Header("Flight", $"{plan.FlightStart:yyyy-MM-dd} to {plan.FlightEnd:yyyy-MM-dd}");
        Header("Budget", $"{plan.Currency} {plan.Budget:N2}");
        if (qualityScore is { } q)
            Header("Quality score", $"{q:0.0} / 100");
        row++;

        var tableTop = row;
        for (var col = 0; col < Columns.Length; col++)
            sheet.Cell(row, col + 1).Value = Columns[col];
        sheet.Range(row, 1, row, Columns.Length).Style.Font.Bold = true;
        sheet.Range(row, 1, row, Columns.Length).Style.Fill.BackgroundColor = XLColor.FromHtml("#E8EAF6");
        row++;
        foreach (var i in plan.LineItems)
        {
            sheet.Cell(row, 1).Value = i.Channel.Display();
            sheet.Cell(row, 2).Value = i.Format;
            sheet.Cell(row, 3).Value = i.Spend;
            sheet.Cell(row, 4).Value = i.Share;
            sheet.Cell(row, 5).Value = i.Cpm;
            sheet.Cell(row, 6).Value = i.Impressions;
            sheet.Cell(row, 7).Value = i.Clicks;
            sheet.Cell(row, 8).Value = i.Reach;
            sheet.Cell(row, 9).Value = i.Reach / (double)Math.Max(1, plan.AudienceSize);
            sheet.Cell(row, 10).Value = i.Frequency;
            sheet.Cell(row, 11).Value = i.Rationale;
            row++;
        }
        var t = plan.Totals;
        sheet.Cell(row, 1).Value = "Total";
        sheet.Cell(row, 3).Value = t.Spend;
        sheet.Cell(row, 4).Value = 1.0;
        sheet.Cell(row, 5).Value = t.Ecpm;
        sheet.Cell(row, 6).Value = t.Impressions;
        sheet.Cell(row, 7).Value = t.Clicks;
        sheet.Cell(row, 8).Value = t.Reach;
        sheet.Cell(row, 9).Value = t.ReachPercent / 100;
        sheet.Cell(row, 10).Value = t.AverageFrequency;
        sheet.Range(row, 1, row, Columns.Length).Style.Font.Bold = true;

        sheet.Range(tableTop + 1, 3, row, 3).Style.NumberFormat.Format = "#,##0.00";
        sheet.Range(tableTop + 1, 4, row, 4).Style.NumberFormat.Format = "0.0%";
        sheet.Range(tableTop + 1, 5, row, 5).Style.NumberFormat.Format = "#,##0.00";
        sheet.Range(tableTop + 1, 6, row, 8).Style.NumberFormat.Format = "#,##0";
        sheet.Range(tableTop + 1, 9, row, 9).Style.NumberFormat.Format = "0.0%";
        sheet.Range(tableTop + 1, 10, row, 10).Style.NumberFormat.Format = "0.00";
        sheet.Range(tableTop + 1, 11, row, 11).Style.Alignment.WrapText = true;

        row += 2;
        sheet.Cell(row, 1).Value = "Rationale";
        sheet.Cell(row, 1).Style.Font.Bold = true;
        sheet.Cell(row, 2).Value = plan.Rationale;
        sheet.Range(row, 2, row, Columns.Length).Merge().Style.Alignment.WrapText = true;
        sheet.Row(row).Height = 120;

        // Widths are set, not measured: measuring text needs System.Drawing, which Linux servers lack.
        double[] widths = [16, 30, 14, 9, 10, 14, 11, 14, 9, 10, 80];
        for (var col = 0; col < widths.Length; col++)
            sheet.Column(col + 1).Width = widths[col];

        if (basis is not null)
        {
            AddFlowchart(workbook, plan, basis);
            AddReachCurve(workbook, plan, basis);
        }

        var assumptions = workbook.Worksheets.Add("Assumptions");
        assumptions.Cell(1, 1).Value = "Assumptions";
        assumptions.Cell(1, 1).Style.Font.Bold = true;
        for (var i = 0; i < plan.Assumptions.Count; i++)
            assumptions.Cell(i + 2, 1).Value = plan.Assumptions[i];
        assumptions.Column(1).Width = 140;

        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    private static readonly XLColor OnWeek = XLColor.FromHtml("#C5CAE9");
    private static readonly XLColor OffWeek = XLColor.FromHtml("#F2F2F2");
    private static readonly XLColor HeaderFill = XLColor.FromHtml("#E8EAF6");

    /// <summary>Whole units, zero shown as a dash: an off week reads as off, not as a forgotten figure.</summary>
    private const string WeekFormat = "#,##0;-#,##0;\"–\"";

    private static string MoneyFormat(string currency) =>
        $"\"{new string(currency.Where(char.IsLetter).ToArray())}\" #,##0.00";

    /// <summary>
    /// The flowchart as agencies hand it to clients: a title block, then one row per line (spend and impressions in
    /// total) against week-commencing columns, on weeks filled, a totals row; frozen at the weeks, printed landscape one
    /// page wide.
    /// </summary>
    private static void AddFlowchart(XLWorkbook workbook, MediaPlan plan, PlanBasis basis)
    {
        var chart = Flighting.For(plan, basis);
        var money = MoneyFormat(plan.Currency);
        var sheet = workbook.Worksheets.Add("Flowchart");
        sheet.Cell(1, 1).SetValue("Media flowchart");
        sheet.Cell(1, 1).Style.Font.Bold = true;
        sheet.Cell(1, 1).Style.Font.FontSize = 16;
        var row = 3;
        void Title(string label, string value)
        {
            sheet.Cell(row, 1).SetValue(label);
            sheet.Cell(row, 1).Style.Font.Bold = true;
            sheet.Cell(row, 2).SetValue(value);
            row++;
        }
        Title("Brand", plan.Brand);
        Title("Campaign", plan.CampaignName);
        Title("Market", plan.Market);
        Title("Flight", $"{chart.FlightStart:dd MMM yyyy} – {chart.FlightEnd:dd MMM yyyy} ({chart.Weeks.Count} week{(chart.Weeks.Count == 1 ? "" : "s")})");
        sheet.Cell(row, 1).SetValue("Budget");
        sheet.Cell(row, 1).Style.Font.Bold = true;
        sheet.Cell(row, 2).Value = plan.Budget;
        sheet.Cell(row, 2).Style.NumberFormat.Format = money;
        sheet.Cell(row, 2).Style.Alignment.Horizontal = XLAlignmentHorizontalValues.Left;
        row++;
        Title("Currency", plan.Currency);
        Title("Flighting", chart.Description);
        Title("Plan", plan.StrategyName);
        row++;

        const int firstWeek = 5;
        var lastColumn = firstWeek + chart.Weeks.Count - 1;
        var monthRow = row;
        var header = row + 1;
        string[] labels = ["Channel", "Format", "Spend", "Impressions"];
        for (var c = 0; c < labels.Length; c++)
            sheet.Cell(header, c + 1).SetValue(labels[c]);
        foreach (var week in chart.Weeks)
        {
            var column = firstWeek + week.Index;
            if (week.Index == 0 || week.Commencing.Month != chart.Weeks[week.Index - 1].Commencing.Month)
                sheet.Cell(monthRow, column).SetValue(week.Commencing.ToString("MMM yyyy", CultureInfo.InvariantCulture));
            sheet.Cell(header, column).Value = week.Commencing.ToDateTime(TimeOnly.MinValue);
            sheet.Cell(header, column).Style.NumberFormat.Format = "dd-mmm";
            sheet.Cell(header, column).Style.Alignment.Horizontal = XLAlignmentHorizontalValues.Center;
        }
        sheet.Range(monthRow, firstWeek, monthRow, lastColumn).Style.Font.Bold = true;
        var headerRange = sheet.Range(header, 1, header, lastColumn);
        headerRange.Style.Font.Bold = true;
        headerRange.Style.Fill.BackgroundColor = HeaderFill;
        headerRange.Style.Border.BottomBorder = XLBorderStyleValues.Thin;

        row = header + 1;
        foreach (var line in chart.Lines)
        {
            sheet.Cell(row, 1).SetValue(line.Channel.Display());
            sheet.Cell(row, 2).SetValue(line.Format);
            sheet.Cell(row, 3).Value = line.Spend;
            sheet.Cell(row, 4).Value = line.Impressions;
            foreach (var week in chart.Weeks)
            {
                var cell = sheet.Cell(row, firstWeek + week.Index);
                cell.Value = line.WeekSpend[week.Index];
                cell.Style.Fill.BackgroundColor = week.On && line.WeekSpend[week.Index] != 0 ? OnWeek : OffWeek;
            }
            row++;
        }
        var totalRow = row;
        sheet.Cell(totalRow, 1).SetValue("Total");
        sheet.Cell(totalRow, 3).Value = chart.Spend;
        sheet.Cell(totalRow, 4).Value = chart.Impressions;
        foreach (var week in chart.Weeks)
            sheet.Cell(totalRow, firstWeek + week.Index).Value = chart.WeekSpend[week.Index];
        var impressionsRow = totalRow + 1;
        sheet.Cell(impressionsRow, 1).SetValue("Impressions");
        foreach (var week in chart.Weeks)
            sheet.Cell(impressionsRow, firstWeek + week.Index).Value = chart.WeekImpressions[week.Index];
        var totals = sheet.Range(totalRow, 1, impressionsRow, lastColumn);
        totals.Style.Font.Bold = true;
        sheet.Range(totalRow, 1, totalRow, lastColumn).Style.Border.TopBorder = XLBorderStyleValues.Thin;

        sheet.Range(header + 1, 3, totalRow, 3).Style.NumberFormat.Format = money;
        sheet.Range(header + 1, 4, totalRow, 4).Style.NumberFormat.Format = "#,##0";
        sheet.Range(header + 1, firstWeek, impressionsRow, lastColumn).Style.NumberFormat.Format = WeekFormat;
        sheet.Range(header, firstWeek, impressionsRow, lastColumn).Style.Border.InsideBorder = XLBorderStyleValues.Hair;

        sheet.Column(1).Width = 16;
        sheet.Column(2).Width = 28;
        sheet.Column(3).Width = 16;
        sheet.Column(4).Width = 14;
        sheet.Columns(firstWeek, lastColumn).Width = 10;
        sheet.SheetView.Freeze(header, firstWeek - 1);
        sheet.PageSetup.PageOrientation = XLPageOrientation.Landscape;
        sheet.PageSetup.PaperSize = XLPaperSize.A4Paper;
        sheet.PageSetup.FitToPages(1, 0);
        sheet.PageSetup.SetRowsToRepeatAtTop(monthRow, header);
        sheet.PageSetup.PrintAreas.Add(1, 1, impressionsRow, lastColumn);
    }

    /// <summary>The plan bought at 25 % to 200 % of its spend (the plan's own row marked), then its frequency distribution.</summary>
    private static void AddReachCurve(XLWorkbook workbook, MediaPlan plan, PlanBasis basis)
    {
        var curve = ReachCurve.ForPlan(plan, basis);
        var figures = PlanFigures.Of(plan, basis);
        var sheet = workbook.Worksheets.Add("Reach curve");
        sheet.Cell(1, 1).SetValue("Reach & frequency curve");
        sheet.Cell(1, 1).Style.Font.Bold = true;
        sheet.Cell(1, 1).Style.Font.FontSize = 14;
        sheet.Cell(2, 1).SetValue($"{plan.Brand} — {plan.CampaignName} · {plan.StrategyName} · audience {basis.AudienceSize:N0} people · effective frequency {basis.EffectiveFrequency}+");

        const int header = 4;
        string[] labels = ["% of budget", "Spend", "Reach 1+ %", $"Effective reach {basis.EffectiveFrequency}+ %", "Avg frequency", "GRPs", ""];
        for (var c = 0; c < labels.Length; c++)
            sheet.Cell(header, c + 1).SetValue(labels[c]);
        var headerRange = sheet.Range(header, 1, header, labels.Length - 1);
        headerRange.Style.Font.Bold = true;
        headerRange.Style.Fill.BackgroundColor = HeaderFill;
        var row = header + 1;
        foreach (var point in curve)
        {
            sheet.Cell(row, 1).Value = point.BudgetFactor;
            sheet.Cell(row, 2).Value = point.Spend;
            sheet.Cell(row, 3).Value = point.ReachPercent / 100;
            sheet.Cell(row, 4).Value = point.EffectiveReachPercent / 100;
            sheet.Cell(row, 5).Value = point.AverageFrequency;
            sheet.Cell(row, 6).Value = point.Grp;
            if (point.BudgetFactor == 1.0)
            {
                sheet.Cell(row, 7).SetValue("◀ this plan");
                sheet.Range(row, 1, row, 7).Style.Font.Bold = true;
                sheet.Range(row, 1, row, 6).Style.Fill.BackgroundColor = OnWeek;
            }
            row++;
        }
        sheet.Range(header + 1, 1, row - 1, 1).Style.NumberFormat.Format = "0.0%";
        sheet.Range(header + 1, 2, row - 1, 2).Style.NumberFormat.Format = MoneyFormat(plan.Currency);
        sheet.Range(header + 1, 3, row - 1, 4).Style.NumberFormat.Format = "0.0%";
        sheet.Range(header + 1, 5, row - 1, 5).Style.NumberFormat.Format = "0.00";
        sheet.Range(header + 1, 6, row - 1, 6).Style.NumberFormat.Format = "#,##0.0";

        row++;
        sheet.Cell(row, 1).SetValue("Frequency distribution");
        sheet.Cell(row, 1).Style.Font.Bold = true;
        row++;
        var distributionHeader = row;
        sheet.Cell(row, 1).SetValue("Exposures");
        sheet.Cell(row, 2).SetValue("Reach %");
        sheet.Cell(row, 3).SetValue("People");
        sheet.Range(row, 1, row, 3).Style.Font.Bold = true;
        sheet.Range(row, 1, row, 3).Style.Fill.BackgroundColor = HeaderFill;
        row++;
        foreach (var bucket in figures.Distribution)
        {
            sheet.Cell(row, 1).SetValue($"{bucket.AtLeast}+");
            sheet.Cell(row, 2).Value = bucket.ReachPercent / 100;
            sheet.Cell(row, 3).Value = bucket.People;
            row++;
        }
        sheet.Range(distributionHeader + 1, 2, row - 1, 2).Style.NumberFormat.Format = "0.0%";
        sheet.Range(distributionHeader + 1, 3, row - 1, 3).Style.NumberFormat.Format = "#,##0";
        if (figures.CostPerReachPoint is { } costPerPoint)
        {
            row++;
            sheet.Cell(row, 1).SetValue("Cost per reach point");
            sheet.Cell(row, 1).Style.Font.Bold = true;
            sheet.Cell(row, 2).Value = costPerPoint;
            sheet.Cell(row, 2).Style.NumberFormat.Format = MoneyFormat(plan.Currency);
        }

        double[] widths = [22, 16, 12, 20, 14, 10, 12];
        for (var c = 0; c < widths.Length; c++)
            sheet.Column(c + 1).Width = widths[c];
        sheet.SheetView.Freeze(header, 0);
        sheet.PageSetup.PageOrientation = XLPageOrientation.Landscape;
        sheet.PageSetup.FitToPages(1, 0);
    }

    /// <summary>Quotes a CSV cell and defuses spreadsheet formulas (a cell starting with = + - @ is shown as text).</summary>
    private static string Cell(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0]) && !decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
