using System.Globalization;
using System.Text;
using ClosedXML.Excel;
using MediaPlanner.Domain.Briefs;

namespace MediaPlanner.Domain.Planning;

/// <summary>Writes a plan as a client-ready Excel workbook or CSV file.</summary>
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

    public static byte[] ToExcel(MediaPlan plan, double? qualityScore = null)
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

    /// <summary>Quotes a CSV cell and defuses spreadsheet formulas (a cell starting with = + - @ is shown as text).</summary>
    private static string Cell(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0]) && !decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
